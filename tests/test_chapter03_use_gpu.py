"""Chapter 3, use_gpu: contexts, copyto vs as_in_context, data parallelism, and the
no-GPU path (cpu(0) and cpu(1) stand in for two devices)."""
import math

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

import utils
from gluon_tutorials.chapter03_gluon_basics import use_gpu

no_gpu_only = pytest.mark.skipif(utils.num_gpus() > 0, reason="checks the no-GPU path")


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


def test_split_across_two_contexts_gives_the_one_context_gradients():
    mx.random.seed(0)
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(1))
    net.initialize(ctx=mx.cpu(0))
    X, y = nd.random.uniform(shape=(10, 4)), nd.random.uniform(shape=(10, 1))
    loss = gluon.loss.L2Loss()
    net(X)
    single = use_gpu.gradients(net, loss, X, y, [mx.cpu(0)])
    net.collect_params().reset_ctx([mx.cpu(0), mx.cpu(1)])
    split = use_gpu.gradients(net, loss, X, y, [mx.cpu(0), mx.cpu(1)])
    for name, p in net.collect_params().items():
        part0, part1 = (g.asnumpy() for g in p.list_grad())
        # Each context saw only its half of the batch...
        assert not np.allclose(part0, part1), name
        # ...and together they make the whole batch's gradient.
        np.testing.assert_allclose(split[name].asnumpy(), single[name].asnumpy(),
                                   rtol=1e-5, atol=1e-7, err_msg=name)


@no_gpu_only
def test_main_without_a_gpu_says_so_and_runs_on_cpu_contexts(tmp_path, capsys):
    result = use_gpu.main(["--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert captured.out.startswith("No GPU found")
    assert result["gpu_found"] is False and result["device"] == "cpu(1)"
    assert result["same_object"] == [True, False]
    np.testing.assert_allclose(result["exp"], [math.exp(3), 2 * math.exp(4), 3 * math.exp(5)],
                               rtol=1e-6)
    assert result["output_context"] == "cpu(1)"
    assert "USE_CUDA" in result["missing_device_error"]
    assert "gpu(0): MXNetError" in captured.err and "Traceback" not in captured.err
    assert result["mixed_context_error"] is None
    assert result["data_parallel_ctx"] == ["cpu(0)", "cpu(1)"]
    assert result["data_parallel_max_diff"] < 1e-6


@no_gpu_only
def test_asking_for_a_gpu_without_one_is_one_clear_message(capsys):
    with pytest.raises(SystemExit) as done:
        use_gpu.main(["--ctx", "gpu"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "no GPU is visible to MXNet" in err
    assert "Traceback" not in err and "MXNetError" not in err
