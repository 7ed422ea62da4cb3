"""Chapter 3, custom_layer (book 4.4): CenteredLayer, Parameter/ParameterDict, MyDense."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd
from mxnet.gluon import nn

from test_chapter03_block import assert_notebook_contract, run_fresh


@pytest.fixture(scope="module")
def section():
    return run_fresh("custom_layer")


def test_is_a_notebook_with_the_books_defaults():
    assert_notebook_contract("custom_layer", {"ctx": "cpu", "seed": 1})


def test_centered_layer_subtracts_the_mean(section):
    ns, out, _ = section
    np.testing.assert_array_equal(ns["centered"].asnumpy(), [-2, -1, 0, 1, 2])
    assert "[-2. -1.  0.  1.  2.]" in out
    # One mean over the whole input, not per row or column.
    layer = ns["CenteredLayer"]()
    np.testing.assert_array_equal(layer(nd.array([[1, 2], [3, 10]])).asnumpy(), [[-3, -2], [-1, 6]])


def test_centered_layer_in_a_net_has_mean_near_zero(section):
    ns = section[0]
    assert ns["y"].shape == (4, 10)
    assert np.abs(ns["y"].asnumpy()).max() > 1e-3  # centred, not zeroed
    assert np.ndim(ns["centered_net_mean"]) == 0 and abs(ns["centered_net_mean"]) < 1e-5


def test_parameter_and_parameter_dict(section):
    ns, out, _ = section
    param = ns["my_param"]
    assert param.data().shape == (3, 3) and np.abs(param.data().asnumpy()).max() > 0
    np.testing.assert_array_equal(param.grad().asnumpy(), 0)
    assert list(ns["pd"].keys()) == ["block1_exciting_parameter_yay"]
    assert "Parameter block1_exciting_parameter_yay (shape=(3, 3)" in out


def test_my_dense_parameters_are_named_and_collected(section):
    ns, out, _ = section
    assert list(ns["dense"].params.keys()) == ["o_my_dense_weight", "o_my_dense_bias"]
    assert "Parameter o_my_dense_weight (shape=(10, 5)" in out
    net = ns["net"]
    names = [name[len(net.prefix):] for name in net.collect_params().keys()]
    assert names == ["mydense0_weight", "mydense0_bias", "mydense1_weight", "mydense1_bias"]
    assert [p.shape for p in net.collect_params().values()] == [(64, 32), (32,), (32, 2), (2,)]


def test_my_dense_equals_gluons_dense(section):
    ns = section[0]
    # The section's own check, with a bias of both signs so that it counts.
    bias = ns["dense"].bias.data().asnumpy()
    assert bias.min() < 0 < bias.max()
    assert ns["my_dense_vs_dense"] < 1e-6
    # And against numpy, on a fresh layer.
    dense = ns["MyDense"](5, in_units=10)
    dense.initialize()
    dense.bias.set_data(nd.array([0.05, -0.05, 0.02, -0.02, 0.0]))
    x = nd.random.uniform(shape=(6, 10))
    w, b = dense.weight.data().asnumpy(), dense.bias.data().asnumpy()
    np.testing.assert_allclose(dense(x).asnumpy(), np.maximum(x.asnumpy() @ w + b, 0),
                               rtol=1e-5, atol=1e-7)


def test_my_dense_runs_on_the_inputs_context(section):
    dense = section[0]["MyDense"](3, in_units=4)
    dense.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    dense.bias.set_data(nd.ones(3))
    x = nd.random.uniform(shape=(2, 4))
    np.testing.assert_allclose(dense(x.as_in_context(mx.cpu(1))).asnumpy(), dense(x).asnumpy())
    # cpu(0) and cpu(1) share one memory, so MXNet would mix them silently: tell the two
    # copies apart to see that each input uses the copy on its own context.
    dense.weight.data(mx.cpu(1))[:] = 0
    on_cpu1 = dense(x.as_in_context(mx.cpu(1)))
    assert on_cpu1.context == mx.cpu(1)
    np.testing.assert_array_equal(on_cpu1.asnumpy(), 1)  # relu(0 + bias)
    assert not np.allclose(dense(x).asnumpy(), 1)


def test_my_dense_trains_like_a_built_in_layer(section):
    ns, out, _ = section
    changed = ns["changed_after_step"]
    assert len(changed) == 4 and all(changed.values())
    assert out.count("changed after one step") == 4
    # One plain SGD step: new = old - lr * grad / batch_size, for every parameter.
    mx.random.seed(1)  # the relu must let some gradient through: fix the draw
    net = nn.Sequential()
    net.add(ns["MyDense"](8, in_units=6), nn.Dense(2, in_units=8))
    net.initialize()
    x, y = nd.random.uniform(shape=(4, 6)), nd.ones((4, 2))
    before = {name: p.data().copy() for name, p in net.collect_params().items()}
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
    with mx.autograd.record():
        loss = gluon.loss.L2Loss()(net(x), y)
    loss.backward()
    trainer.step(4)
    for name, p in net.collect_params().items():
        assert not np.array_equal(p.data().asnumpy(), before[name].asnumpy()), name
        np.testing.assert_allclose(p.data().asnumpy(),
                                   (before[name] - 0.1 * p.grad() / 4).asnumpy(), rtol=1e-6)
