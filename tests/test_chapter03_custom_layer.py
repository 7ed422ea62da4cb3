"""Chapter 3, custom_layer: CenteredLayer, Parameter/ParameterDict, MyDense."""
import mxnet as mx
import numpy as np
from mxnet import gluon, nd
from mxnet.gluon import nn

from gluon_tutorials.chapter03_gluon_basics import custom_layer


def test_centered_layer_subtracts_the_mean():
    layer = custom_layer.CenteredLayer()
    np.testing.assert_array_equal(layer(nd.array([1, 2, 3, 4, 5])).asnumpy(), [-2, -1, 0, 1, 2])
    # One mean over the whole input, not per row or column.
    np.testing.assert_array_equal(layer(nd.array([[1, 2], [3, 10]])).asnumpy(), [[-3, -2], [-1, 6]])


def test_centered_layer_in_a_net_has_mean_near_zero():
    net = custom_layer.centered_net()
    net.initialize()
    y = net(nd.random.uniform(low=10, high=20, shape=(4, 8)))
    assert y.shape == (4, 10)
    assert np.abs(y.asnumpy()).max() > 1e-3  # centred, not zeroed
    assert abs(y.mean().asscalar()) < 1e-5


def test_parameter_and_parameter_dict():
    param = gluon.Parameter("exciting_parameter_yay", shape=(3, 3))
    param.initialize()
    assert param.data().shape == (3, 3)
    np.testing.assert_array_equal(param.grad().asnumpy(), 0)
    pd = gluon.ParameterDict(prefix="block1_")
    pd.get("exciting_parameter_yay", shape=(3, 3))
    assert list(pd.keys()) == ["block1_exciting_parameter_yay"]


def test_my_dense_equals_numpy():
    dense = custom_layer.MyDense(5, in_units=10, prefix='o_my_dense_')
    assert list(dense.params.keys()) == ["o_my_dense_weight", "o_my_dense_bias"]
    dense.initialize()
    # A bias of both signs, so that the test sees it added before the relu.
    dense.bias.set_data(nd.array([0.05, -0.05, 0.02, -0.02, 0.0]))
    x = nd.random.uniform(shape=(6, 10))
    w, b = dense.weight.data().asnumpy(), dense.bias.data().asnumpy()
    expected = np.maximum(x.asnumpy() @ w + b, 0)
    np.testing.assert_allclose(dense(x).asnumpy(), expected, rtol=1e-5, atol=1e-7)


def test_my_dense_runs_on_the_inputs_context():
    dense = custom_layer.MyDense(3, in_units=4)
    dense.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    x = nd.random.uniform(shape=(2, 4))
    np.testing.assert_allclose(dense(x.as_in_context(mx.cpu(1))).asnumpy(), dense(x).asnumpy())
    assert dense(x.as_in_context(mx.cpu(1))).context == mx.cpu(1)


def test_my_dense_parameters_are_collected_and_trained():
    net = custom_layer.my_dense_net()
    params = net.collect_params()
    names = [name[len(net.prefix):] for name in params.keys()]
    assert names == ["mydense0_weight", "mydense0_bias", "mydense1_weight", "mydense1_bias"]
    assert [p.shape for p in params.values()] == [(64, 32), (32,), (32, 2), (2,)]

    mx.random.seed(1)  # the relu must let some gradient through: fix the draw
    net = nn.Sequential()
    net.add(custom_layer.MyDense(8, in_units=6), nn.Dense(2, in_units=8))
    net.initialize()
    x, y = nd.random.uniform(shape=(4, 6)), nd.ones((4, 2))
    before = custom_layer.train_one_step(net, x, y, learning_rate=0.1)
    # One plain SGD step: new = old - lr * grad / batch_size, for every parameter.
    for name, p in net.collect_params().items():
        assert not np.array_equal(p.data().asnumpy(), before[name].asnumpy()), name
        np.testing.assert_allclose(p.data().asnumpy(),
                                   (before[name] - 0.1 * p.grad() / 4).asnumpy(), rtol=1e-6)


def test_main_reproduces_the_book(tmp_path, capsys):
    result = custom_layer.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert result["centered"] == [-2, -1, 0, 1, 2]
    assert abs(result["centered_net_mean"]) < 1e-5
    assert result["my_dense_params"] == ["o_my_dense_weight", "o_my_dense_bias"]
    assert result["changed_after_step"] and all(result["changed_after_step"].values())
    assert "Parameter block1_exciting_parameter_yay (shape=(3, 3)" in out
    assert "Parameter o_my_dense_weight (shape=(10, 5)" in out
