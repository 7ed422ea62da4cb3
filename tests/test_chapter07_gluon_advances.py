"""Chapter "Gluon高级" (release 0.6): hybridize, lazy_evaluation, auto_parallelism,
multiple_gpus_scratch, multiple_gpus_gluon. The sections that compute on two CPU contexts at
once run in a child process with OMP_NUM_THREADS=1, as `run` does (MXNet 1.9.1's BLAS hangs
on two concurrent products with more threads; see runtime.check_cpu_list)."""
import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from mxnet import gluon, nd

from conftest import run_section
from gluon_tutorials import notebook, sections

HERE = Path(__file__).resolve().parent
CHAPTER = "chapter07_gluon_advances"
SLUGS = ["hybridize", "lazy_evaluation", "auto_parallelism", "multiple_gpus_scratch",
         "multiple_gpus_gluon"]


def test_registered_in_book_order_as_notebooks():
    assert [s.slug for s in sections.SECTIONS if s.chapter == CHAPTER] == SLUGS
    assert sections.CHAPTER_NAMES[CHAPTER] == "8 Gluon 高级"
    for slug in SLUGS:
        path = sections.get(slug).path
        source = path.read_text()
        assert "def main" not in source and "argparse" not in source
        assert not re.search(r"^[%!]", source, re.MULTILINE)  # no IPython magic or shell line
        assert not re.search(r"^(from|import) gluon_tutorials\.chapter", source, re.MULTILINE)
        nb = notebook.read(path)
        assert nb.cells[0].source.startswith(f"# {sections.get(slug).title.split(' (')[0]} (")
        index = notebook.parameters_index(nb, path)
        setup = next(c for c in nb.cells[index + 1:] if c.cell_type == "code")
        assert "ctx = runtime.setup(ctx, seed" in setup.source


def test_hybridize_times_and_exports_a_graph_that_loads_back(tmp_path, capsys):
    ns = run_section("hybridize", tmp_path, repeats=20, ctx="cpu")
    out = capsys.readouterr().out
    before, after, ratio = (float(v) for v in re.search(
        r"Before hybridizing: (\d+\.\d{4}) sec\nAfter hybridizing: (\d+\.\d{4}) sec\n"
        r"Speed-up: (\d+\.\d\d)x", out).groups())
    assert ns["speedup"] == pytest.approx(ns["before"] / ns["after"])
    assert ratio == pytest.approx(ns["speedup"], abs=0.006)
    assert out.count("10\n") >= 2  # the imperative and the compiled-from-text fancy_func
    assert "<module 'mxnet.symbol'" in out and "<Symbol data>" in out
    symbol_file, params_file = tmp_path / "hybrid_net-symbol.json", tmp_path / "hybrid_net-0000.params"
    assert json.loads(symbol_file.read_text())["nodes"][0]["name"] == "data"
    # the exported files, loaded afresh, compute the section's three dense layers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = gluon.SymbolBlock.imports(str(symbol_file), ["data"], str(params_file))
    weights = {k.split(":", 1)[1]: v.asnumpy() for k, v in nd.load(str(params_file)).items()}
    layers = sorted({k.rsplit("_", 1)[0] for k in weights})
    assert len(layers) == 3
    x = np.random.RandomState(0).normal(size=(5, 512)).astype(np.float32)
    h = x
    for i, layer in enumerate(layers):
        h = h @ weights[f"{layer}_weight"].T + weights[f"{layer}_bias"]
        h = np.maximum(h, 0) if i < 2 else h
    np.testing.assert_allclose(loaded(nd.array(x)).asnumpy(), h, rtol=1e-4, atol=1e-5)
    assert ns["exported_difference"] == 0
    assert not list(tmp_path.glob(".hybrid_net*"))  # nothing half-written left behind


def test_lazy_evaluation_measures_and_keeps_results(tmp_path, capsys):
    ns = run_section("lazy_evaluation", size=64, repeats=20, batch_size=32, num_batches=12,
                     ctx="cpu")
    out = capsys.readouterr().out
    for line in ("workloads are queued:\t", "workloads are finished:\t", "wait_to_read: ",
                 "waitall: ", "asnumpy: ", "asscalar: ", "No lazy evaluation: ",
                 "With evaluation: "):
        assert re.search(re.escape(line) + r"\d+\.\d{6} sec", out), line
    assert re.search(r"Ratio: \d+\.\d\dx", out)
    assert len(re.findall(r"^Increased memory -?\d+\.\d{6} MB$", out, re.MULTILINE)) == 4
    assert len(re.findall(r"^batch 0, time ", out, re.MULTILINE)) == 5  # warm-up + four runs
    assert len(re.findall(r"^batch 10, time ", out, re.MULTILINE)) == 4
    np.testing.assert_allclose(ns["y"].asnumpy(), np.ones((32,)))  # the last get_data label
    assert all(isinstance(ns[k], float) for k in
               ("mem_predict_sync", "mem_predict_async", "mem_train_sync", "mem_train_async"))
    assert np.isfinite(ns["total_loss"]) and ns["synchronous"] > 0 and ns["asynchronous"] > 0


def _cli(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "gluon_tutorials", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_auto_parallelism_runs_on_two_cpu_contexts_and_names_them():
    result = _cli("run", "auto_parallelism", "--cpu-size", "100", "--ctx", "cpu:0,cpu:1")
    assert result.returncode == 0, result.stderr
    assert "Running on cpu(0) (the book's CPU) and cpu(1) (the book's GPU)" in result.stdout
    for line in ("Run on cpu(0): ", "Run on cpu(1): ", "Run on both cpu(0) and cpu(1): ",
                 "Copy to CPU: ", "Run on cpu(1) then Copy to CPU: "):
        assert re.search(re.escape(line) + r"\d+\.\d{6} sec", result.stdout), line
    one = _cli("run", "auto_parallelism", "--ctx", "cpu")
    assert one.returncode == 2 and one.stderr.strip().splitlines() == [
        "error: auto_parallelism compares two devices; ctx names 1: [cpu(0)]"]


CHILD = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import pytest
from conftest import run_section, write_fashion_mnist
from gluon_tutorials import data
root = Path({root!r})
mp = pytest.MonkeyPatch()
write_fashion_mnist(root / "data" / "fashion-mnist", mp)
os.environ[data.ENV_DATA] = str(root / "data")
os.environ[data.ENV_OFFLINE] = "1"
for name in ("MXNET_DIR", "DEBIAN_DIR", "_PROJECT_ROOT"):
    setattr(data, name, root / "none")
"""


def in_child(tmp_path, code, timeout=600):
    """Run `code` after CHILD's tiny Fashion-MNIST set-up in a Python with one BLAS thread;
    returns the JSON it prints last."""
    script = CHILD.format(tests=str(HERE), root=str(tmp_path)) + textwrap.dedent(code)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stdout


def test_scratch_allreduce_keeps_copies_identical_after_every_step(tmp_path):
    report, out = in_child(tmp_path, """
        import mxnet as mx
        from mxnet import autograd, nd
        import utils
        ns = run_section("multiple_gpus_scratch", root / "out", epochs=1, subset=64,
                         batch_size=32, ctx="cpu:0,cpu:1")
        ctx, params, lr = ns["ctx"], ns["params"], 0.3
        train_data, _ = utils.load_data_fashion_mnist(16, subset=64)
        dev = [ns["get_params"](params, c) for c in ctx]
        one = [ns["get_params"](params, mx.cpu(0))]
        plain = ns["get_params"](params, mx.cpu(0))
        spreads, single = [], []
        for data, label in train_data:
            ns["train_batch"](data, label, dev, ctx, lr)
            spreads.append(max(nd.abs(a.copyto(mx.cpu(0)) - b).max().asscalar()
                               for a, b in zip(dev[1], dev[0])))
            ns["train_batch"](data, label, one, [mx.cpu(0)], lr)
            with autograd.record():  # one device, no split, no allreduce: the plain loop
                l = ns["loss"](ns["lenet"](data, plain), label)
            l.backward()
            utils.SGD(plain, lr / data.shape[0])
            single.append(max(nd.abs(a - b).max().asscalar() for a, b in zip(one[0], plain)))
        moved = max(nd.abs(a.copyto(mx.cpu(0)) - b).max().asscalar() for a, b in zip(dev[0], params))
        print(json.dumps(default=float, obj={"spreads": spreads, "single": single, "moved": moved,
                          "identical": ns["copies_identical"], "runs": ns["runs"]}))
    """)
    assert len(report["spreads"]) == 4 and report["spreads"] == [0.0] * 4
    assert report["single"] == [0.0] * 4 and report["moved"] > 0
    assert report["identical"] and [r["devices"] for r in report["runs"]] == [1, 2, 2]
    assert "Running on [cpu(0), cpu(1)]" in out and "Devices: [cpu(0), cpu(1)]" in out
    assert re.search(r"^Epoch 0, training time = \d+\.\d sec\n {9}validation accuracy = "
                     r"\d\.\d{4}$", out, re.MULTILINE)


def test_gluon_trainer_keeps_copies_identical_and_one_device_list_equals_one_device(tmp_path):
    report, out = in_child(tmp_path, """
        import mxnet as mx
        from mxnet import autograd, gluon, init, nd
        import utils
        from gluon_tutorials import runtime
        steps = []

        class CheckedTrainer(gluon.Trainer):
            def step(self, batch_size, **kw):
                super().step(batch_size, **kw)
                for p in self._params:
                    if p.grad_req != "null":
                        first = p.list_data()[0]
                        steps.append(max(nd.abs(d.copyto(first.context) - first).max().asscalar()
                                         for d in p.list_data()))

        gluon.Trainer = CheckedTrainer
        nets, make = [], utils.resnet18
        utils.resnet18 = lambda n: nets.append(make(n)) or nets[-1]
        ns = run_section("multiple_gpus_gluon", root / "out", epochs=1, subset=64,
                         batch_size=32, ctx="cpu:0,cpu:1")
        two_device_steps = len(steps)
        # train(1, ...) on a list of one device against the plain one-device loop, same seed
        runtime.seed_everything(5)
        ns["train"](1, 32, 0.1)
        runtime.seed_everything(5)
        train_data, _ = utils.load_data_fashion_mnist(32, subset=64)
        net = make(10)
        net.initialize(init=init.Xavier(), ctx=mx.cpu(0))
        runtime.hybridize(net, True)
        loss = gluon.loss.SoftmaxCrossEntropyLoss()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        for data, label in train_data:
            with autograd.record():
                l = loss(net(data), label)
            l.backward()
            trainer.step(32)
        listed = [p.data().asnumpy() for p in nets[-1].collect_params().values()]
        plain = [p.data().asnumpy() for p in net.collect_params().values()]
        print(json.dumps(default=float, obj={"steps": steps[:two_device_steps], "identical": ns["copies_identical"],
                          "same": all((a == b).all() for a, b in zip(listed, plain)),
                          "runs": ns["runs"]}))
    """)
    assert len(report["steps"]) > 0 and max(report["steps"]) == 0.0
    assert report["identical"] and report["same"]
    runs = [(r["devices"], r["batch_size"]) for r in report["runs"]]
    assert runs == [(1, 32), (2, 32), (2, 64), (1, 32)]  # the section's three, then ours
    assert "Devices: [cpu(0), cpu(1)] (CPU contexts in place of the book's GPUs" in out
    assert "weight copies on [cpu(0), cpu(1)] identical: True" in out


def test_a_bad_kvstore_is_refused_in_one_line():
    result = _cli("run", "multiple_gpus_gluon", "--kvstore", "nccl2")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "expected one of device, local, dist_sync" in result.stderr
