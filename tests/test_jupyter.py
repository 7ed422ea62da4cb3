"""A reader in JupyterLab (issue 17, items 22-24): opening and saving an unedited section leaves
it byte-identical; a kernel started in the section's own folder writes to the project's out/,
leaving `git status` clean; figure cells do not echo their path."""
import asyncio
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from gluon_tutorials import notebook, output, runtime, sections

ROOT = Path(__file__).resolve().parents[1]
FIX = "bring it into line with: .venv/bin/jupytext --set-kernel python3 "


def ipykernel_kernelspec():
    """The kernelspec JupyterLab writes into a notebook it runs with this environment's kernel."""
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(NATIVE_KERNEL_NAME)
    return {"display_name": spec.display_name, "language": spec.language,
            "name": NATIVE_KERNEL_NAME}


def save_unedited(root_dir, path, kernelspec):
    """Open `path` (relative to `root_dir`) as JupyterLab does, through jupytext's contents
    manager, let the kernel's spec into its metadata, and save it."""
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

    manager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(
        root_dir=str(root_dir))

    async def open_and_save():
        model = await manager.get(path)
        model["content"].metadata["kernelspec"] = dict(kernelspec)
        await manager.save(model, path)

    asyncio.run(open_and_save())


@pytest.fixture
def no_global_jupytext_config(tmp_path, monkeypatch):
    for name in ("XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "JUPYTER_CONFIG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / "no-config" / name))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)


@pytest.mark.parametrize("where", ["repository", "chapter folder"])
def test_every_section_survives_open_and_save_byte_identical(tmp_path, where,
                                                             no_global_jupytext_config):
    """JupyterLab started in the repository (jupytext.toml found) or in a chapter folder (the
    file's own header says the same); the copies keep the repository's layout."""
    kernelspec = ipykernel_kernelspec()
    shutil.copy(ROOT / "jupytext.toml", tmp_path / "jupytext.toml")
    changed = []
    for section in sections.SECTIONS:
        relative = section.path.relative_to(ROOT)
        copy = tmp_path / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(section.path, copy)
        if where == "repository":
            save_unedited(tmp_path, relative.as_posix(), kernelspec)
        else:
            save_unedited(copy.parent, copy.name, kernelspec)
        if copy.read_bytes() != section.path.read_bytes():
            changed.append(str(relative))
    assert not changed, f"saving changes {changed}; {FIX}" + " ".join(changed)


def test_the_header_names_the_kernel_as_ipykernel_does_and_no_jupytext_version():
    kernelspec = ipykernel_kernelspec()
    for section in sections.SECTIONS:
        header = section.path.read_text(encoding="utf-8").split("\n# ---\n", 1)[0]
        assert f"display_name: {kernelspec['display_name']}\n" in header, section.slug
        assert "jupytext_version" not in header, section.slug
        assert "formats: py:percent" in header, section.slug


def git_status():
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(output.PROJECT_ROOT is None or not (ROOT / ".git").exists(),
                    reason="needs the package in a git checkout")
def test_a_kernel_in_the_chapter_folder_writes_to_the_project_out_and_leaves_git_clean():
    section = sections.get("linear_regression_scratch")
    name = f"test-kernel-cwd-{uuid.uuid4().hex[:8]}"
    before = git_status()
    try:
        nb = notebook.execute_in_kernel(
            section.path, {"epochs": 1, "num_examples": 100, "out": f"out/{name}"},
            cwd=section.path.parent, timeout=300)
        assert (ROOT / "out" / name / "data.png").is_file()
        assert not (section.path.parent / "out").exists()
        assert git_status() == before
        # the figure cell shows the picture and the `wrote` line, but does not echo the path
        results = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o["output_type"] == "execute_result"]
        assert not [r for r in results if "data.png" in r["data"].get("text/plain", "")]
        assert any("wrote out/" + name + "/data.png" in o.get("text", "")
                   for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    finally:
        shutil.rmtree(ROOT / "out" / name, ignore_errors=True)
        stray = section.path.parent / "out"  # where it went before the fix
        shutil.rmtree(stray / name, ignore_errors=True)
        if stray.is_dir() and not any(stray.iterdir()):
            stray.rmdir()


def test_outside_a_kernel_the_working_directory_stays(monkeypatch):
    # `run`, reproduce and the tests: a relative `out` is taken from where the command started.
    chapter = sections.get("linear_regression_scratch").path.parent
    monkeypatch.chdir(chapter)
    runtime.setup("cpu", 1)
    assert Path.cwd() == chapter


def test_checkpoints_are_ignored():
    for path in (".ipynb_checkpoints/x-checkpoint.ipynb",
                 "gluon_tutorials/chapter02_supervised_learning/.ipynb_checkpoints/"
                 "mlp_gluon-checkpoint.py"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


@pytest.mark.parametrize("path", ["out/x/predictions.png", Path("out/x/predictions.png")])
def test_a_written_path_displays_nothing_but_is_still_the_path(path, tmp_path):
    from IPython.core.formatters import DisplayFormatter

    quiet = output.quiet(path)
    assert DisplayFormatter().format(quiet) == ({}, {})  # what IPython echoes: nothing
    assert DisplayFormatter().format(path)[0]  # a plain path would be echoed
    assert quiet == path and str(quiet) == str(path) and repr(quiet) == repr(path)
    assert isinstance(quiet, type(path))
    if isinstance(path, Path):
        assert quiet.name == "predictions.png" and (tmp_path / quiet).parent.name == "x"
