"""Chapter 3, block: nn.Block subclasses, prefixes, a Sequential of our own, nesting."""
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mxnet import nd
from mxnet.gluon import nn

from gluon_tutorials.chapter03_gluon_basics import block

ROOT = Path(__file__).resolve().parents[1]


def test_block_mlp_equals_sequential_with_copied_weights():
    x = nd.random.uniform(shape=(4, 20))
    mlp, seq = block.MLP(), block.sequential_mlp()
    mlp.initialize()
    seq.initialize()
    mlp_out, seq_out = mlp(x), seq(x)
    # Independently initialised, the two differ; sharing weights they agree.
    assert not np.allclose(mlp_out.asnumpy(), seq_out.asnumpy())
    block.copy_params(mlp, seq)
    np.testing.assert_array_equal(seq(x).asnumpy(), mlp_out.asnumpy())


def test_custom_sequential_runs_children_in_the_order_added():
    x = nd.array([1.0, 2.0, 3.0])
    double_then_inc = block.Sequential()
    double_then_inc.add(nn.Lambda(lambda v: v * 2))
    double_then_inc.add(nn.Lambda(lambda v: v + 1))
    inc_then_double = block.Sequential()
    inc_then_double.add(nn.Lambda(lambda v: v + 1))
    inc_then_double.add(nn.Lambda(lambda v: v * 2))
    np.testing.assert_array_equal(double_then_inc(x).asnumpy(), [3, 5, 7])
    np.testing.assert_array_equal(inc_then_double(x).asnumpy(), [4, 6, 8])


def test_custom_sequential_registers_children_parameters():
    net = block.Sequential()
    with net.name_scope():
        net.add(nn.Dense(256, activation="relu"))
        net.add(nn.Dense(10))
    names = list(net.collect_params().keys())
    assert [n[len(net.prefix):] for n in names] == [
        "dense0_weight", "dense0_bias", "dense1_weight", "dense1_bias"]
    net.initialize()
    assert net(nd.ones((4, 20))).shape == (4, 10)


def test_fancy_mlp_reuses_dense_and_keeps_constant_weight_out_of_params():
    net = block.FancyMLP()
    net.initialize()
    y = net(nd.random.uniform(shape=(4, 20)))
    assert y.shape == (4, 256)
    # One Dense used twice: one weight, whose input size is 20 (the second call's too).
    params = net.collect_params()
    assert len(list(params.keys())) == 2
    assert net.dense.weight.shape == (256, 20)


def test_main_prints_the_book_names_and_structures(tmp_path, capsys):
    block.MLP()  # names below must not depend on blocks made before main
    result = block.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert result["default_prefix"] == "mlp0_dense0"
    assert result["custom_prefix"] == "another_mlp_dense0"
    assert "default prefix: mlp0_dense0" in out
    assert "customized prefix: another_mlp_dense0" in out
    assert result["block_equals_sequential"] is True
    assert result["mlp_output_shape"] == result["sequential_output_shape"] == (4, 10)
    assert result["fancy_output_shape"] == (4, 256)
    assert "(dense0): Dense(None -> 256, linear)" in out
    rec = result["rec_mlp"]
    for line in ("(0): RecMLP(", "(net): Sequential(", "(0): Dense(None -> 256, Activation(relu))",
                 "(1): Dense(None -> 128, Activation(relu))", "(dense): Dense(None -> 64, linear)",
                 "(1): Dense(None -> 10, linear)"):
        assert line in rec
    assert rec in out


def test_runs_from_the_runner_and_as_a_module(monkeypatch, capsys):
    from gluon_tutorials.__main__ import main as runner

    assert runner(["run", "block", "--ctx", "cpu"]) == 0
    monkeypatch.setattr(sys, "argv", ["block", "--ctx", "cpu"])
    # run_module executes the module afresh as __main__; drop the imported copy first.
    monkeypatch.delitem(sys.modules, block.__name__)
    with pytest.raises(SystemExit) as done:
        runpy.run_module("gluon_tutorials.chapter03_gluon_basics.block", run_name="__main__")
    assert done.value.code == 0
    assert capsys.readouterr().out.count("customized prefix: another_mlp_dense0") == 2


def test_runs_as_a_file_path():
    done = subprocess.run(
        [sys.executable, str(ROOT / "gluon_tutorials" / "chapter03_gluon_basics" / "block.py"),
         "--ctx", "cpu"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "customized prefix: another_mlp_dense0" in done.stdout
