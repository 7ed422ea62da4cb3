"""Chapter 3, parameters: access, initialisers, deferred initialisation, sharing."""
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import nn

from gluon_tutorials.chapter03_gluon_basics import parameters


def test_uninitialised_net_raises_mxnets_error():
    net = parameters.get_net()
    with pytest.raises(RuntimeError, match="dense0_weight' has not been initialized"):
        net(nd.ones((3, 5)))
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net[0].weight.data()


def test_normal_init_has_the_asked_std():
    layer = nn.Dense(1000, in_units=1000)
    layer.collect_params().initialize(init=init.Normal(sigma=0.02))
    weight = layer.weight.data().asnumpy()
    assert abs(weight.std() - 0.02) < 0.2 * 0.02
    assert abs(weight.mean()) < 0.02 / 10


def test_one_init_gives_ones_and_leaves_dense_bias_at_zero():
    net = parameters.get_net()
    net.initialize()
    net(nd.ones((3, 5)))
    net.collect_params().initialize(init=init.One(), force_reinit=True)
    for layer in net:
        np.testing.assert_array_equal(layer.weight.data().asnumpy(), 1)
        # Dense's bias has its own 'zeros' initialiser, which wins (as the book shows).
        np.testing.assert_array_equal(layer.bias.data().asnumpy(), 0)


def test_custom_initializer_runs_once_per_weight_after_deferred_init(capsys):
    net = parameters.get_net()
    my_init = parameters.MyInit()
    net.initialize(init=my_init)
    assert my_init.calls == []
    assert [p.shape for p in net.collect_params().values()] == [(4, 0), (4,), (2, 0), (2,)]
    net(nd.ones((3, 5)))
    net(nd.ones((3, 5)))
    assert [shape for _, shape in my_init.calls] == [(4, 5), (2, 4)]
    assert [name.endswith(("dense0_weight", "dense1_weight")) for name, _ in my_init.calls] == [True, True]
    assert capsys.readouterr().out == "init weight (4, 5)\ninit weight (2, 4)\n"
    weight = net[0].weight.data().asnumpy()
    assert ((weight >= 5) & (weight < 10)).all()
    np.testing.assert_array_equal(net[0].bias.data().asnumpy(), 0)


def test_gluon_gives_every_parameter_to_init_weight():
    # Why the book's _init_bias never ran: even a parameter named ..._bias, with no
    # initialiser of its own, goes through _init_weight.
    params = gluon.ParameterDict(prefix="block_")
    params.get("my_bias", shape=(3,))
    my_init = parameters.MyInit()
    params.initialize(init=my_init)
    values = params.get("my_bias").data().asnumpy()
    assert ((values >= 5) & (values < 10)).all()
    assert my_init.calls == [("block_my_bias", (3,))]


def test_in_units_initialises_at_once():
    my_init = parameters.MyInit()
    parameters.fixed_input_net().initialize(my_init)
    assert [shape for _, shape in my_init.calls] == [(4, 5), (2, 4)]


def test_shared_parameters_are_one_object_with_summed_gradients():
    net = parameters.shared_net()
    net.initialize()
    assert net[0].weight is net[1].weight and net[0].bias is net[1].bias
    assert net[2].weight is not net[0].weight
    x = nd.random.uniform(shape=(3, 4))
    copy = parameters.unshared_copy(net)
    np.testing.assert_array_equal(copy(x).asnumpy(), net(x).asnumpy())
    separate = parameters.weight_grads(copy, x)
    shared = parameters.weight_grads(net, x)
    # Both uses contribute, and differently: the shared gradient is their sum.
    assert np.abs(separate[0].asnumpy()).max() > 0 and np.abs(separate[1].asnumpy()).max() > 0
    assert not np.allclose(separate[0].asnumpy(), separate[1].asnumpy())
    np.testing.assert_allclose(shared[0].asnumpy(), (separate[0] + separate[1]).asnumpy(),
                               rtol=1e-6, atol=1e-7)


def test_main_reproduces_the_book(tmp_path, capsys):
    result = parameters.main(["--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert "has not been initialized" in result["uninitialized_error"]
    assert "has not been initialized" in captured.err
    assert result["ones"] is True
    assert result["custom_init_calls"] == [(4, 5), (2, 4)]
    assert result["deferred_calls_before_data"] == 0
    assert result["deferred_init_calls"] == [(4, 5), (2, 4)]
    assert result["shared"] is True
    assert result["shared_grad_max_diff"] < 1e-5
    assert "Parameter sequential1_dense0_weight (shape=(4, 5)" in captured.out
    assert "Parameter sequential2_dense0_weight (shape=(4, 0)" in captured.out
