"""Chapter 3, use_gpu (book 4.5): contexts, copyto vs as_in_context, one batch over two
devices, and the no-GPU path (cpu(1) stands in for the GPU, cpu(0) is the host)."""
import math

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import utils
from gluon_tutorials import cli, runtime, sections
from test_chapter03_block import assert_notebook_contract, run_fresh

no_gpu_only = pytest.mark.skipif(utils.num_gpus() > 0, reason="checks the no-GPU path")


@pytest.fixture(scope="module")
def section():
    return run_fresh("use_gpu")


def test_is_a_notebook_with_the_books_defaults():
    assert_notebook_contract("use_gpu", {"ctx": "auto", "seed": 1})


def test_book_results(section):
    ns, out, _ = section
    assert ns["same_object"] == (True, False)
    assert "(True, False)\n" in out
    np.testing.assert_allclose(ns["exp"].asnumpy(), [math.exp(3), 2 * math.exp(4), 3 * math.exp(5)],
                               rtol=1e-6)
    assert ns["exp"].context == ns["y"].context == ns["z"].context == ns["ctx"]
    assert ns["output"].context == ns["net"][0].weight.data().context == ns["ctx"]
    assert "[cpu(0), gpu(0), gpu(1)]" in out
    assert "6.0\n" in out


@no_gpu_only
def test_without_a_gpu_says_so_and_uses_cpu1(section):
    ns, out, err = section
    assert out.startswith("No GPU found")
    assert ns["ctx"] == mx.cpu(1) and ns["x"].context == mx.cpu(0)
    assert "<NDArray 3x2 @cpu(1)>" in out
    assert "USE_CUDA" in ns["missing_device_error"]
    assert "gpu(0): MXNetError" in err and "Traceback" not in err
    assert ns["mixed_context_error"] is None and "x + y ran" in out


@pytest.mark.parametrize("ctx", [mx.cpu(0), mx.cpu(1)])
def test_as_in_context_returns_the_same_object_copyto_a_new_one(ctx):
    other = mx.cpu(1 - ctx.device_id)
    x = nd.array([1, 2, 3], ctx=ctx)
    assert x.as_in_context(ctx) is x
    copy = x.copyto(ctx)
    assert copy is not x
    np.testing.assert_array_equal(copy.asnumpy(), x.asnumpy())
    moved = x.as_in_context(other)
    assert moved is not x and moved.context == other
    copy[:] = 0  # a real copy: x keeps its values
    np.testing.assert_array_equal(x.asnumpy(), [1, 2, 3])


def test_split_across_two_contexts_gives_the_one_context_gradients(section):
    ns, out, _ = section
    ctx_list = ns["ctx_list"]
    if utils.num_gpus() < 2:
        assert ctx_list == [mx.cpu(0), mx.cpu(1)]
    assert ns["data_parallel_max_diff"] < 1e-6
    assert "max |diff|" in out
    single, split = ns["single"], ns["split"]
    for name, p in ns["mlp"].collect_params().items():
        parts = [g.asnumpy() for g in p.list_grad()]
        assert len(parts) == 2
        # Each context saw only its half of the batch...
        assert not np.allclose(parts[0], parts[1]), name
        # ...and together they make the whole batch's gradient.
        np.testing.assert_allclose(split[name].asnumpy(), single[name].asnumpy(),
                                   rtol=1e-5, atol=1e-7, err_msg=name)


@no_gpu_only
def test_asking_for_a_gpu_without_one_is_one_clear_message(capsys):
    with pytest.raises(SystemExit) as done:
        cli.run(sections.get("use_gpu"), ["--ctx", "gpu"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "no GPU is visible to MXNet" in err
    assert "Traceback" not in err and "MXNetError" not in err
    with pytest.raises(runtime.DeviceError, match="no GPU is visible"):
        run_fresh("use_gpu", ctx="gpu")
