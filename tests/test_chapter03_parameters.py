"""Chapter 3, parameters (book 4.2): access, initialisers, a custom initialiser, deferred
initialisation, shared parameters."""
import re

import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import nn

from test_chapter03_block import assert_notebook_contract, run_fresh


@pytest.fixture(scope="module")
def section():
    return run_fresh("parameters")


def in_range(array, low=5, high=10):
    values = array.asnumpy()
    return bool(((values >= low) & (values < high)).all())


def test_is_a_notebook_with_the_books_defaults():
    assert_notebook_contract("parameters", {"ctx": "cpu", "seed": 1})


def test_uninitialised_net_gives_mxnets_error_on_stderr(section):
    ns, out, err = section
    assert "Parameter 'sequential0_dense0_weight' has not been initialized" in ns["uninitialized_error"]
    assert "has not been initialized" in err and "has not been initialized" not in out
    net = ns["get_net"]()
    with pytest.raises(RuntimeError, match="dense0_weight' has not been initialized"):
        net(nd.ones((3, 5)))
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net[0].weight.data()


def test_book_printouts_of_names_and_shapes(section):
    _, out, _ = section
    assert "name:  sequential0_dense0 \nweight:  Parameter sequential0_dense0_weight (shape=(4, 5)" in out
    assert "Parameter sequential0_dense1_weight (shape=(2, 4)" in out
    assert "weight gradient \n[[0. 0. 0. 0. 0.]" in out
    # The deferred net: 0 in the shapes before data, filled in after.
    assert "Parameter sequential1_dense0_weight (shape=(4, 0)" in out
    assert out.index("sequential1_dense0_weight (shape=(4, 0)") < out.index(
        "sequential1_dense0_weight (shape=(4, 5)")


def test_normal_init_has_the_asked_std():
    layer = nn.Dense(1000, in_units=1000)
    layer.collect_params().initialize(init=init.Normal(sigma=0.02))
    weight = layer.weight.data().asnumpy()
    assert abs(weight.std() - 0.02) < 0.2 * 0.02
    assert abs(weight.mean()) < 0.02 / 10


def test_one_init_gives_ones_and_leaves_dense_bias_at_zero(section):
    ns = section[0]
    assert ns["ones"] is True
    net = ns["get_net"]()
    net.initialize()
    net(nd.ones((3, 5)))
    net.collect_params().initialize(init=init.One(), force_reinit=True)
    for layer in net:
        np.testing.assert_array_equal(layer.weight.data().asnumpy(), 1)
        # Dense's bias has its own 'zeros' initialiser, which wins (as the book shows).
        np.testing.assert_array_equal(layer.bias.data().asnumpy(), 0)


def test_custom_initializer_calls_as_printed_in_the_book(section):
    ns, out, _ = section
    assert ns["custom_init_calls"] == [(4, 5), (2, 4)]
    assert ns["calls_before_data"] == 0
    assert ns["deferred_init_calls"] == [(4, 5), (2, 4)]
    # Every MyInit call in order: re-init, deferred, in_units, shared (one (4, 4) for two layers).
    shapes = re.findall(r"^init weight (\(.*\))$", out, re.M)
    assert shapes == ["(4, 5)", "(2, 4)"] * 3 + ["(4, 4)", "(2, 4)"]
    # The book's FIXME, still true on 1.9.1: Gluon never calls _init_bias.
    assert "init bias" not in out


def test_deferred_init_runs_once_at_the_first_batch(section, capsys):
    ns = section[0]
    net = ns["get_net"]()
    my_init = ns["MyInit"]()
    net.initialize(init=my_init)
    assert my_init.calls == []
    assert [p.shape for p in net.collect_params().values()] == [(4, 0), (4,), (2, 0), (2,)]
    net(nd.ones((3, 5)))
    net(nd.ones((3, 5)))
    assert my_init.calls == [(4, 5), (2, 4)]
    assert capsys.readouterr().out == "init weight (4, 5)\ninit weight (2, 4)\n"
    assert in_range(net[0].weight.data()) and in_range(net[1].weight.data())
    np.testing.assert_array_equal(net[0].bias.data().asnumpy(), 0)


def test_gluon_gives_every_parameter_to_init_weight(section, capsys):
    # Why the book's _init_bias never ran: even a parameter named ..._bias, with no
    # initialiser of its own, goes through _init_weight.
    params = gluon.ParameterDict(prefix="block_")
    params.get("my_bias", shape=(3,))
    my_init = section[0]["MyInit"]()
    params.initialize(init=my_init)
    assert in_range(params.get("my_bias").data())
    assert my_init.calls == [(3,)]
    assert "init bias" not in capsys.readouterr().out


def test_shared_parameters_are_one_object_with_summed_gradients(section):
    ns = section[0]
    net, separate = ns["net"], ns["separate"]
    assert ns["shared"] is True
    assert net[0].weight is net[1].weight and net[0].bias is net[1].bias
    assert net[2].weight is not net[0].weight
    assert in_range(net[0].weight.data())
    x = ns["x4"]
    np.testing.assert_array_equal(separate(x).asnumpy(), net(x).asnumpy())
    first, second = (g.asnumpy() for g in ns["separate_grads"])
    # Both uses contribute, and differently: the shared gradient is their sum.
    assert np.abs(first).max() > 0 and np.abs(second).max() > 0
    assert not np.allclose(first, second)
    np.testing.assert_allclose(ns["shared_grad"].asnumpy(), first + second, rtol=1e-5)
    assert ns["shared_grad_rel_diff"] < 1e-5
