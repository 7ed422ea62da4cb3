"""The same numbers on every supported Python: the MXNet import on today's numpy, and the
book's printed lines from this interpreter and from another one (CI sets
GLUON_TUTORIALS_OTHER_PYTHON to its second venv's python)."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
OTHER = os.environ.get("GLUON_TUTORIALS_OTHER_PYTHON")


def load_compat():
    """mxnet-wheel/mxnet_numpy_compat.py as a fresh module (on 3.10/3.11 it is not installed)."""
    spec = importlib.util.spec_from_file_location(
        "compat_under_test", ROOT / "mxnet-wheel" / "mxnet_numpy_compat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python(interpreter, code):
    done = subprocess.run([interpreter, "-c", code], capture_output=True, text=True, cwd="/",
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_compat_adds_only_missing_names_and_takes_back_exactly_those(monkeypatch):
    compat = load_compat()
    monkeypatch.delattr(numpy, "PZERO", raising=False)  # missing on any numpy, for the test
    before = dict(vars(numpy))
    missing = [n for n in compat.MISSING if not compat._has(n)]
    compat.restore()
    try:
        assert numpy.PZERO == 0.0 and str(numpy.NZERO) == "-0.0"
        assert all(compat._has(n) for n in compat.MISSING)
        # a name numpy still has keeps numpy's own object
        assert numpy.all is before["all"] and numpy.sort is before["sort"]
    finally:
        compat.remove()
    assert not hasattr(numpy, "PZERO")
    assert vars(numpy).keys() == before.keys()
    assert "PZERO" in missing


def test_compat_stand_ins_compute_what_the_old_names_did():
    compat = load_compat().MISSING
    a = numpy.array([[3, 1], [2, 4]])
    assert (compat["msort"](a) == numpy.sort(a, axis=0)).all()
    assert list(compat["in1d"]([[1, 2], [3, 4]], [2, 4])) == [False, True, False, True]
    if hasattr(numpy, "trapezoid"):  # trapz's successor, numpy >= 2.0, where trapz goes
        assert compat["trapz"]([1.0, 2.0, 3.0]) == 4.0
    assert compat["alltrue"]([True, True]) and not compat["sometrue"]([False])
    # own function objects: MXNet uses numpy functions as dispatch keys
    assert compat["sometrue"] is not numpy.any and compat["product"]([2, 3]) == 6
    with pytest.raises(RuntimeError, match="numpy_financial"):
        compat["npv"](0.1, [1, 2])


def test_mxnet_loads_first_and_leaves_numpy_as_it_was():
    """The book's first cell, in a fresh process with nothing of ours imported first."""
    out = python(sys.executable, "from mxnet import ndarray as nd; print(nd.ones((2, 3)).sum().asscalar())")
    assert out.strip() == "6.0"
    code = "import numpy; print(sorted(dir(numpy)))"
    plain = python(sys.executable, code)
    after = python(sys.executable, "import mxnet; " + code)
    assert after == plain


@pytest.mark.slow
@pytest.mark.skipif(not OTHER, reason="needs GLUON_TUTORIALS_OTHER_PYTHON (CI sets it to its "
                                      "second interpreter's venv)")
@pytest.mark.skipif(not (SHARED_DATA / "fashion-mnist").is_dir(), reason="needs the real data")
@pytest.mark.parametrize("args", [
    ["mlp_gluon", "--epochs", "2", "--seed", "1", "--subset", "5000"],
    ["kaggle_gluon_kfold", "--k", "2", "--epochs", "20", "--verbose-epoch", "17"],
    ["linear_regression_scratch"],
], ids=lambda args: args[0])
def test_two_pythons_print_the_same_lines(args, tmp_path):
    env = {**os.environ, "GLUON_TUTORIALS_DATA": str(SHARED_DATA), "GLUON_TUTORIALS_OFFLINE": "1"}
    printed = {}
    for name, interpreter in (("this", sys.executable), ("other", OTHER)):
        done = subprocess.run(
            [interpreter, "-m", "gluon_tutorials", "run", *args, "--out", str(tmp_path / name)],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        printed[name] = [line.replace(str(tmp_path / name), "OUT") for line in done.stdout.splitlines()]
    versions = {name: python(p, "import sys, numpy; print(sys.version.split()[0], numpy.__version__)")
                for name, p in (("this", sys.executable), ("other", OTHER))}
    assert versions["this"] != versions["other"]
    assert printed["this"] == printed["other"]
    assert any(line.startswith("Epoch") for line in printed["this"])
