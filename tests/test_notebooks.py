"""Every section executes top to bottom as a notebook in a real Jupyter kernel (nbclient +
ipykernel, started from this environment's Python), on small parameters and tiny datasets
written in the real formats, as MXNet's nightly test ran the straight-dope notebooks with
epochs = 1. Also: `notebooks --execute` writes executed .ipynb files with figures inline, and
`lab` makes JupyterLab open the sections as notebooks."""
import base64
import hashlib
import json
import sys

import nbformat
import pytest

from conftest import TIME_MACHINE, kaggle_frames, write_fashion_mnist, write_release06_corpora
from test_chapter08_kaggle_cifar10 import write_cifar
from test_chapter09_nmt import write_pairs
from gluon_tutorials import __main__ as runner
from gluon_tutorials import data, notebook, runtime, sections

# Small values that make each section run in seconds; every section with `epochs` gets 1 and
# every Fashion-MNIST section `subset` 64 (see small()).
SMALL = {
    "linear_regression_scratch": {"num_examples": 200},
    "underfit_overfit": {},
    "kaggle_gluon_kfold": {"k": 2},
    "alexnet_gluon": {"resize": 67, "subset": 16, "batch_size": 8},
    "vgg_gluon": {"resize": 32, "subset": 16, "batch_size": 8},
    "nin_gluon": {"resize": 67, "subset": 16, "batch_size": 8},
    "googlenet_gluon": {"resize": 93, "subset": 16, "batch_size": 8},
    "resnet_gluon": {"resize": 75, "subset": 16, "batch_size": 8},
    "densenet_gluon": {"resize": 29, "subset": 16, "batch_size": 8},
    "rnn_scratch": {"epochs": 1},
    "gru_scratch": {"hidden_dim": 16, "batch_size": 4, "num_steps": 10, "pred_len": 5},
    "lstm_scratch": {"hidden_dim": 16, "batch_size": 4, "num_steps": 10, "pred_len": 5},
    "rnn_gluon": {"subset": 200, "batch_size": 4, "embed_dim": 8, "hidden_dim": 8, "eval_period": 10},
    "kaggle_gluon_cifar10": {"batch_size": 6},
    "nmt": {"encoder_hidden_dim": 16, "decoder_hidden_dim": 16, "alignment_dim": 4},
    "hybridize": {"repeats": 20},
    "lazy_evaluation": {"size": 64, "repeats": 20, "batch_size": 32, "num_batches": 12},
    "auto_parallelism": {"cpu_size": 64, "ctx": "cpu:0,cpu:1"},
    "multiple_gpus_scratch": {"batch_size": 32, "ctx": "cpu:0,cpu:1"},
    "multiple_gpus_gluon": {"batch_size": 32, "ctx": "cpu:0,cpu:1"},
}
# The optimisation chapter: 100 examples (and one epoch, as everywhere).
SMALL.update({s.slug: {"num_examples": 100} for s in sections.SECTIONS
              if s.chapter == "chapter06_optimization"})


def small(section):
    names = {p.name for p in notebook.parameters(section.path)}
    overrides = {}
    if "epochs" in names:
        overrides["epochs"] = 1
    if "subset" in names:
        overrides["subset"] = 64
    if "ctx" in names:
        overrides["ctx"] = "cpu"
    overrides.update({k: v for k, v in SMALL.get(section.slug, {}).items() if k in names})
    return overrides


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """Tiny Fashion-MNIST, Kaggle, Time Machine, lyrics and PTB files, and the setup code that makes the
    kernel's data layer accept them (their hashes) and look only there."""
    root = tmp_path_factory.mktemp("data")
    patch = pytest.MonkeyPatch()
    write_fashion_mnist(root / "fashion-mnist", patch)
    write_release06_corpora(root, patch)
    train, test = kaggle_frames()
    (root / "kaggle_house_pred_train.csv").write_text(train.to_csv(index=False))
    (root / "kaggle_house_pred_test.csv").write_text(test.to_csv(index=False))
    (root / "timemachine.txt").write_text(TIME_MACHINE * 40)
    write_pairs(root, patch)
    write_cifar(root, patch)
    hashes = {name: spec.sha1 for name, spec in data.FILES.items()}
    patch.undo()
    for name in ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv", "timemachine.txt"):
        hashes[name] = hashlib.sha1((root / name).read_bytes()).hexdigest()
    setup = "\n".join([
        "import dataclasses, os, sys",
        "from pathlib import Path",
        "from gluon_tutorials import data",
        f"os.environ[{data.ENV_DATA!r}] = {str(root)!r}",
        f"os.environ[{data.ENV_OFFLINE!r}] = '1'",
        f"data.MXNET_DIR = data.DEBIAN_DIR = data._PROJECT_ROOT = Path({str(root / 'none')!r})",
        f"data.UNPACK_DIR = Path({str(root.parent / 'unpacked')!r})",
        f"for name, sha1 in {hashes!r}.items():",
        "    data.FILES[name] = dataclasses.replace(data.FILES[name], sha1=sha1)",
        "print(sys.executable)",
    ])
    return setup


def outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o["output_type"] == kind]


@pytest.mark.parametrize("section", sections.SECTIONS, ids=lambda s: s.slug)
def test_section_runs_top_to_bottom_in_a_kernel(section, tiny_data, tmp_path, monkeypatch):
    overrides = {**small(section)}
    if runtime.is_device_list(overrides.get("ctx", "")):
        # the kernel's MXNet must start with one BLAS thread for two CPU contexts, as `run`
        # arranges (runtime.check_cpu_list)
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
    if any(p.name == "out" for p in notebook.parameters(section.path)):
        overrides["out"] = str(tmp_path / "out")
    nb = notebook.execute_in_kernel(section.path, overrides, cwd=tmp_path, timeout=600,
                                    setup=tiny_data)
    setup_cell = next(c for c in nb.cells if c.get("id") == "setup")
    # the kernel is this environment's Python
    assert setup_cell.outputs[0]["text"].strip() == sys.executable
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code)
    assert not outputs(nb, "error")
    # cells that write a figure or a file end quietly: no value echoes the path written
    echoed = [o["data"].get("text/plain", "") for o in outputs(nb, "execute_result")]
    assert not [text for text in echoed if str(tmp_path / "out") in text]
    # whatever a section draws is shown inline and written as a PNG
    images = [o for o in outputs(nb, "display_data") if "image/png" in o["data"]]
    written = sorted((tmp_path / "out").rglob("*.png")) if (tmp_path / "out").exists() else []
    # Kaggle CIFAR-10's images sorted into class folders are data, not figures
    written = [p for p in written if "train_valid_test" not in p.parts]
    assert len(images) == len(written)
    for o in images:
        assert base64.b64decode(o["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


BROKEN = '''# %% [markdown]
# # broken

# %% tags=["parameters"]
x = 1  # a number

# %%
print("fine")

# %%
1 / 0
'''


def test_a_failing_cell_is_named_with_its_error(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text(BROKEN)
    with pytest.raises(notebook.CellError, match=r"broken.py: code cell 3 failed: "
                                                 r"ZeroDivisionError: division by zero"):
        notebook.execute_in_kernel(path, cwd=tmp_path, timeout=60)


def test_notebooks_command_writes_executed_notebooks_with_figures(tmp_path, capfd):
    out = tmp_path / "nbs"
    assert runner.main(["notebooks", "--execute", "linear_regression_scratch", "--out", str(out),
                        "-p", "epochs", "1", "-p", "num_examples", "100",
                        "-p", "out", str(tmp_path / "figs")]) == 0
    path = out / "chapter02_supervised_learning" / "linear_regression_scratch.ipynb"
    printed = capfd.readouterr()  # the kernel's own stderr included
    assert f"wrote {path}" in printed.out
    assert "without encryption" not in printed.err, printed.err
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    assert code[1].metadata["tags"] == ["injected-parameters"] and "epochs = 1" in code[1].source
    assert any("image/png" in o["data"] for o in outputs(nb, "display_data"))
    assert any("Epoch 0, average loss" in o["text"] for o in outputs(nb, "stream"))
    # a figure cell ends with the picture and its `wrote` line, not the path echoed again
    assert not [o for o in outputs(nb, "execute_result") if "figs" in str(o["data"])]


def test_a_failing_notebook_does_not_stop_the_others(tmp_path, capsys, monkeypatch):
    real = notebook.execute_in_kernel

    def execute(path, overrides=None, **kw):
        if path.stem == "ndarray":
            raise notebook.CellError("ndarray.py: code cell 2 failed: ValueError: broken")
        return real(path, overrides, **kw)

    monkeypatch.setattr(notebook, "execute_in_kernel", execute)
    assert runner.main(["notebooks", "--execute", "ndarray", "autograd",
                        "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: ndarray.py: code cell 2 failed: ValueError: broken" in err
    assert "error: 1 of 2 notebooks failed and were not written: ndarray" in err
    assert not (tmp_path / "chapter01_crashcourse" / "ndarray.ipynb").exists()
    assert (tmp_path / "chapter01_crashcourse" / "autograd.ipynb").is_file()


def test_notebooks_without_execute_and_bad_input(tmp_path, capsys):
    assert runner.main(["notebooks", "mlp_gluon", "--out", str(tmp_path)]) == 0
    nb = nbformat.read(tmp_path / "chapter02_supervised_learning" / "mlp_gluon.ipynb", 4)
    assert not outputs(nb, "stream") and nb.cells[0].cell_type == "markdown"
    assert runner.main(["notebooks", "nope", "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as exit_:
        runner.main(["notebooks", "mlp_gluon", "-p", "epochs", "zero", "--out", str(tmp_path)])
    assert exit_.value.code == 2


def test_jupytext_gives_a_notebook_with_the_parameters_cell_first():
    import jupytext

    for section in sections.SECTIONS:
        nb = jupytext.reads(section.path.read_text(encoding="utf-8"), fmt="py:percent")
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert "parameters" in first.metadata.get("tags", []), section.slug


def _python_viewer(app_dir):
    """The default viewer for .py files that JupyterLab's settings layer would serve."""
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, _ = _get_overrides(str(app_dir))
    return overrides.get("@jupyterlab/docmanager-extension:plugin", {}) \
        .get("defaultViewers", {}).get("python")


def test_lab_opens_python_files_as_notebooks_in_its_own_server_only(tmp_path, monkeypatch):
    from jupyter_core import paths

    # This environment's Jupyter config lives under tmp_path; the user's has nothing.
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(paths, "ENV_CONFIG_PATH", [str(tmp_path / "etc" / "jupyter")])
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user"))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    # what earlier versions of `lab` left for every Jupyter of the venv, beside a user's setting
    old = runner.old_lab_settings_file()
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {
        "python": "Jupytext Notebook", "markdown": "Jupytext Notebook"}}, "other": {"x": 1}}))
    assert _python_viewer(tmp_path / "app") == "Jupytext Notebook"

    env = runner.configure_lab()
    assert _python_viewer(tmp_path / "app") is None  # a plain `jupyter lab` opens .py as text
    left = json.loads(old.read_text())
    assert left["other"] == {"x": 1}  # the rest of that file is kept
    assert left["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {
        "markdown": "Jupytext Notebook"}
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", env["JUPYTER_CONFIG_PATH"])
    assert _python_viewer(tmp_path / "app") == "Jupytext Notebook"  # the `lab` server does
    assert env["JUPYTER_CONFIG_PATH"] == str(runner.lab_config_dir())
    assert runner.lab_config_dir().is_relative_to(tmp_path)
    # a second start keeps a JUPYTER_CONFIG_PATH the user set
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/theirs")
    assert runner.configure_lab()["JUPYTER_CONFIG_PATH"].split(":") == [
        str(runner.lab_config_dir()), "/theirs"]


def test_lab_asks_for_encrypted_kernel_sockets_before_the_users_arguments():
    import zmq

    command = runner.lab_command(["--port=9999"])
    ours = ["--MappingKernelManager.transport_encryption=auto"] if zmq.has("curve") else []
    assert command[1:] == ["lab", *ours, "--port=9999"]


def test_the_jupytext_server_extension_is_enabled():
    """jupytext's server extension is what lets Jupyter open a .py file as a notebook."""
    import glob

    from jupyter_core.paths import jupyter_config_path

    configs = [json.loads(open(f).read()) for d in jupyter_config_path()
               for f in glob.glob(f"{d}/jupyter_server_config.d/*.json")]
    enabled = {name for c in configs
               for name, on in c.get("ServerApp", {}).get("jpserver_extensions", {}).items() if on}
    assert "jupyterlab_jupytext" in enabled
