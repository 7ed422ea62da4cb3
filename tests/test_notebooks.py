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

from conftest import TIME_MACHINE, kaggle_frames, write_fashion_mnist
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
    "rnn_scratch": {"epochs": 1},
    "hybridize": {"repeats": 20},
    "lazy_evaluation": {"size": 64, "repeats": 20, "batch_size": 32, "num_batches": 12},
    "auto_parallelism": {"cpu_size": 64, "ctx": "cpu:0,cpu:1"},
    "multiple_gpus_scratch": {"batch_size": 32, "ctx": "cpu:0,cpu:1"},
    "multiple_gpus_gluon": {"batch_size": 32, "ctx": "cpu:0,cpu:1"},
}


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
    """Tiny Fashion-MNIST, Kaggle and Time Machine files, and the setup code that makes the
    kernel's data layer accept them (their hashes) and look only there."""
    root = tmp_path_factory.mktemp("data")
    patch = pytest.MonkeyPatch()
    write_fashion_mnist(root / "fashion-mnist", patch)
    train, test = kaggle_frames()
    (root / "kaggle_house_pred_train.csv").write_text(train.to_csv(index=False))
    (root / "kaggle_house_pred_test.csv").write_text(test.to_csv(index=False))
    (root / "timemachine.txt").write_text(TIME_MACHINE * 40)
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
    # whatever a section draws is shown inline and written as a PNG
    images = [o for o in outputs(nb, "display_data") if "image/png" in o["data"]]
    written = sorted((tmp_path / "out").rglob("*.png")) if (tmp_path / "out").exists() else []
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


def test_notebooks_command_writes_executed_notebooks_with_figures(tmp_path, capsys):
    out = tmp_path / "nbs"
    assert runner.main(["notebooks", "--execute", "linear_regression_scratch", "--out", str(out),
                        "-p", "epochs", "1", "-p", "num_examples", "100",
                        "-p", "out", str(tmp_path / "figs")]) == 0
    path = out / "chapter02_supervised_learning" / "linear_regression_scratch.ipynb"
    assert f"wrote {path}" in capsys.readouterr().out
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    assert code[1].metadata["tags"] == ["injected-parameters"] and "epochs = 1" in code[1].source
    assert any("image/png" in o["data"] for o in outputs(nb, "display_data"))
    assert any("Epoch 0, average loss" in o["text"] for o in outputs(nb, "stream"))


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


def test_lab_setting_opens_python_files_as_notebooks(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    path = runner.configure_lab()
    assert path == tmp_path / "etc/jupyter/labconfig/default_setting_overrides.json"
    settings = json.loads(path.read_text())
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"python": "Jupytext Notebook"}
    # JupyterLab reads it from there: the settings layer it uses finds our override
    from jupyter_server.services.config.manager import ConfigManager

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "etc/jupyter"))
    read = ConfigManager(config_dir_name="labconfig").get("default_setting_overrides")
    assert read["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == \
        "Jupytext Notebook"
    # a second call keeps the user's other settings
    settings["other"] = {"x": 1}
    path.write_text(json.dumps(settings))
    runner.configure_lab()
    assert json.loads(path.read_text())["other"] == {"x": 1}


def test_the_jupytext_server_extension_is_enabled():
    """jupytext's server extension is what lets Jupyter open a .py file as a notebook."""
    import glob

    from jupyter_core.paths import jupyter_config_path

    configs = [json.loads(open(f).read()) for d in jupyter_config_path()
               for f in glob.glob(f"{d}/jupyter_server_config.d/*.json")]
    enabled = {name for c in configs
               for name, on in c.get("ServerApp", {}).get("jpserver_extensions", {}).items() if on}
    assert "jupyterlab_jupytext" in enabled
