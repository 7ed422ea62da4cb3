"""Chapter 3, block (book 4.1): nn.Block subclasses, prefixes, a Sequential of our own,
a free-form forward, nesting. Also the helpers the other chapter 3 test files share."""
import contextlib
import io
import re
import subprocess
import sys

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd
from mxnet.gluon import nn

from conftest import run_section
from gluon_tutorials import cli, notebook, sections


def run_fresh(slug, out=None, **overrides):
    """Run a section in this process as a fresh kernel would: with a new block-name counter,
    so the layers get the book's names (mlp0_, sequential0_) whatever ran before.
    Returns (namespace, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with mx.name.NameManager(), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        namespace = run_section(slug, out, **overrides)
    return namespace, stdout.getvalue(), stderr.getvalue()


def assert_notebook_contract(slug, defaults):
    """A top-level notebook: the parameters cell first with `defaults` (the book's values),
    no main(), no argparse or argv, no import of another section, no IPython magics."""
    path = sections.get(slug).path
    assert {p.name: p.default for p in notebook.parameters(path)} == defaults
    source = path.read_text(encoding="utf-8")
    assert "def main" not in source
    assert "argparse" not in source and "sys.argv" not in source
    assert not re.search(r"^\s*(from|import) gluon_tutorials\.chapter", source, re.M)
    assert not re.search(r"^\s*[%!]", source, re.M)


@pytest.fixture(scope="module")
def block():
    return run_fresh("block")


def test_is_a_notebook_with_the_books_defaults():
    assert_notebook_contract("block", {"ctx": "cpu", "seed": 1})


def test_book_prefixes(block):
    ns, out, _ = block
    assert ns["default_prefix"] == "mlp0_dense0"
    assert ns["custom_prefix"] == "another_mlp_dense0"
    assert "default prefix: mlp0_dense0\n" in out
    assert "customized prefix: another_mlp_dense0\n" in out


def test_book_printouts(block):
    ns, out, _ = block
    assert "(dense0): Dense(None -> 256, linear)" in out
    assert "<NDArray 4x10 @cpu(0)>" in out
    assert "(4, 256)\n" in out
    rec = str(ns["rec_mlp"])
    for line in ("(0): RecMLP(", "(net): Sequential(", "(0): Dense(None -> 256, Activation(relu))",
                 "(1): Dense(None -> 128, Activation(relu))", "(dense): Dense(None -> 64, linear)",
                 "(1): Dense(None -> 10, linear)"):
        assert line in rec
    assert rec in out


def test_block_mlp_equals_sequential_with_copied_weights(block):
    ns, out, _ = block
    assert ns["block_equals_sequential"] is True
    assert "with the same weights agree: True" in out
    # The same check on fresh nets: independently initialised they differ, sharing weights
    # they agree.
    x = nd.random.uniform(shape=(4, 20))
    mlp = ns["MLP"]()
    seq = nn.Sequential()
    seq.add(nn.Dense(256, activation="relu"), nn.Dense(10))
    mlp.initialize()
    seq.initialize()
    mlp_out = mlp(x).asnumpy()
    assert not np.allclose(mlp_out, seq(x).asnumpy())
    for source, target in zip(mlp.collect_params().values(), seq.collect_params().values()):
        target.set_data(source.data())
    np.testing.assert_array_equal(seq(x).asnumpy(), mlp_out)


def test_own_sequential_runs_children_in_the_order_added(block):
    Sequential = block[0]["Sequential"]
    x = nd.array([1.0, 2.0, 3.0])
    double_then_inc = Sequential()
    double_then_inc.add(nn.Lambda(lambda v: v * 2))
    double_then_inc.add(nn.Lambda(lambda v: v + 1))
    inc_then_double = Sequential()
    inc_then_double.add(nn.Lambda(lambda v: v + 1))
    inc_then_double.add(nn.Lambda(lambda v: v * 2))
    np.testing.assert_array_equal(double_then_inc(x).asnumpy(), [3, 5, 7])
    np.testing.assert_array_equal(inc_then_double(x).asnumpy(), [4, 6, 8])


def test_own_sequential_registers_its_children_parameters(block):
    ns = block[0]
    net4 = ns["net4"]
    names = [name[len(net4.prefix):] for name in net4.collect_params().keys()]
    assert names == ["dense0_weight", "dense0_bias", "dense1_weight", "dense1_bias"]
    assert net4(ns["x"]).shape == (4, 10)


def test_fancy_mlp_reuses_dense_and_keeps_the_constant_out_of_params(block):
    ns = block[0]
    fancy = ns["fancy_mlp"]
    assert ns["y"].shape == (4, 256)
    # One Dense used twice: one weight and one bias, and the weight takes 20 inputs.
    assert len(fancy.collect_params().keys()) == 2
    assert fancy.dense.weight.shape == (256, 20)
    assert isinstance(fancy.weight, nd.NDArray) and fancy.weight.context == ns["ctx"]


def test_runs_from_the_cli_and_as_a_file(capsys):
    assert cli.run(sections.get("block"), ["--ctx", "cpu"]) == 0
    assert "customized prefix: another_mlp_dense0" in capsys.readouterr().out
    done = subprocess.run([sys.executable, str(sections.get("block").path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "default prefix: mlp0_dense0" in done.stdout  # a fresh process: the book's name
