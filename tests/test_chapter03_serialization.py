"""Chapter 3, serialization (book 4.3): nd.save/nd.load, save_params/load_params as in the
book, save_parameters/load_parameters, and utils.load_params_checked for files that do not fit."""
import subprocess
import sys
import warnings

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd
from mxnet.gluon import nn

import utils
from test_chapter03_block import assert_notebook_contract, run_fresh

SAVERS = {"save_params": "mlp.params", "save_parameters": "mlp.parameters"}
FILES = ["mlp.parameters", "mlp.params", "test1.params", "test2.params"]


def get_net(outputs=2):
    """The book's net; outputs=3 makes one the book's files do not fit."""
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(10, activation="relu"))
        net.add(nn.Dense(outputs))
    return net


def trained_net(x):
    net = get_net()
    net.initialize()
    net(x)
    return net


def wrong_net(x=None):
    """A net the saved files do not fit, initialised (and shaped, when x is given)."""
    net = get_net(outputs=3)
    net.initialize()
    if x is not None:
        net(x)
    return net


def save(net, how, directory):
    """Save the book's way ('save_params', with its deprecation warning) or the new way."""
    path = directory / SAVERS[how]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        getattr(net, how)(str(path))
    return path


def values(net):
    return [p.data().asnumpy().copy() for p in net.collect_params().values()]


def assert_unchanged(net, before):
    for p, old in zip(net.collect_params().values(), before):
        np.testing.assert_array_equal(p.data().asnumpy(), old, err_msg=p.name)


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    """One run with every warning an error (`python -W error`): the book's deprecated
    save_params/load_params must still run. Returns (namespace, stdout, out folder)."""
    out = tmp_path_factory.mktemp("serialization")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ns, stdout, _ = run_fresh("serialization", out)
    return ns, stdout, out


def test_is_a_notebook_with_the_books_defaults():
    assert_notebook_contract("serialization",
                             {"ctx": "cpu", "seed": 1, "out": "out/serialization"})


def test_writes_its_files_into_out_atomically_and_says_so(section):
    _, stdout, out = section
    assert sorted(p.name for p in out.iterdir()) == FILES  # and no temporary left behind
    for name in FILES:
        assert f"wrote {out / name}\n" in stdout


def test_list_and_dict_round_trip(section):
    ns, _, out = section
    a, b = nd.load(str(out / "test1.params"))
    np.testing.assert_array_equal(a.asnumpy(), np.ones(3))
    np.testing.assert_array_equal(b.asnumpy(), np.zeros(4))
    np.testing.assert_array_equal(ns["a"].asnumpy(), np.ones(3))
    loaded = nd.load(str(out / "test2.params"))
    assert sorted(loaded) == sorted(ns["c"]) == ["x", "y"]
    np.testing.assert_array_equal(loaded["x"].asnumpy(), np.ones(3))
    np.testing.assert_array_equal(loaded["y"].asnumpy(), np.zeros(4))


def test_book_save_params_round_trip(section):
    ns, stdout, out = section
    assert ns["save_params_identical"] is True and ns["save_parameters_identical"] is True
    assert ns["deprecations"] == ["save_params is deprecated", "load_params is deprecated"]
    assert "note: MXNet 1.9.1 says save_params is deprecated" in stdout
    # The files on disk give a third net the first one's output.
    x, expected = ns["x"], ns["net"](ns["x"]).asnumpy()
    for name in SAVERS.values():
        net = get_net()
        utils.load_params_checked(net, out / name, mx.cpu())
        np.testing.assert_array_equal(net(x).asnumpy(), expected)


def test_book_save_params_load_params_with_the_deprecation_warning(tmp_path):
    x = nd.random.uniform(shape=(2, 10))
    net = trained_net(x)
    filename = str(tmp_path / "mlp.params")
    with pytest.warns(UserWarning, match="save_params is deprecated"):
        net.save_params(filename)
    net2 = get_net()
    with pytest.warns(UserWarning, match="load_params is deprecated"):
        net2.load_params(filename, mx.cpu())
    np.testing.assert_array_equal(net2(x).asnumpy(), net(x).asnumpy())


def test_section_shows_the_half_load_and_the_checked_load(section):
    ns, stdout, _ = section
    assert ns["mxnet_half_loaded"] is True
    assert "MXNet: Failed loading Parameter" in stdout
    assert ns["checked_load_unchanged"] is True
    assert "1.weight has shape (3, 10) in the net but (2, 10) in the file" in ns["wrong_shape_error"]
    assert "truncated or not an MXNet parameter file" in ns["truncated_error"]


@pytest.mark.parametrize("how", sorted(SAVERS))
def test_mxnet_alone_half_loads_a_net_of_the_wrong_shape(tmp_path, how):
    # Why utils.load_params_checked exists: MXNet stops at the first misfit,
    # after it has overwritten the parameters before it.
    x = nd.random.uniform(shape=(2, 10))
    path = save(trained_net(x), how, tmp_path)
    wrong = wrong_net(x)
    before = values(wrong)
    with pytest.raises(AssertionError, match="shape incompatible"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wrong.load_params(str(path))
    assert not np.array_equal(wrong[0].weight.data().asnumpy(), before[0])


@pytest.mark.parametrize("how", sorted(SAVERS))
def test_checked_load_of_the_wrong_shape_raises_and_changes_nothing(tmp_path, how):
    x = nd.random.uniform(shape=(2, 10))
    path = save(trained_net(x), how, tmp_path)
    key = "1.weight" if how == "save_parameters" else "dense1_weight"
    wrong = wrong_net(x)
    before = values(wrong)
    with pytest.raises(ValueError, match=rf"{key} has shape \(3, 10\) in the net but \(2, 10\)"):
        utils.load_params_checked(wrong, path)
    assert_unchanged(wrong, before)


def test_checked_load_leaves_a_deferred_net_deferred(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    wrong = wrong_net()
    with pytest.raises(ValueError, match="nothing was loaded"):
        utils.load_params_checked(wrong, path)
    # Still waiting for data: MXNet alone would have fixed the first layer's shape.
    assert [p.shape for p in wrong.collect_params().values()] == [(10, 0), (10,), (3, 0), (3,)]


def test_checked_load_reports_missing_and_extra_names(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    bigger = get_net()
    bigger.add(nn.Dense(1))
    bigger.initialize()
    with pytest.raises(ValueError, match="2.weight is missing from the file"):
        utils.load_params_checked(bigger, path)
    smaller = nn.Sequential()
    smaller.add(nn.Dense(10, activation="relu"))
    smaller.initialize()
    with pytest.raises(ValueError, match="1.weight in the file is not a parameter of the net"):
        utils.load_params_checked(smaller, path)


def test_checked_load_refuses_another_device(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    net = get_net()
    net.initialize(ctx=mx.cpu(1))
    net(nd.ones((2, 10), ctx=mx.cpu(1)))
    before = values(net)
    with pytest.raises(ValueError, match=r"is on \['cpu\(1\)'\], not on the \['cpu\(0\)'\]"):
        utils.load_params_checked(net, path, mx.cpu(0))
    assert_unchanged(net, before)


@pytest.mark.parametrize("how", sorted(SAVERS))
def test_a_file_truncated_anywhere_raises(tmp_path, how):
    x = nd.random.uniform(shape=(2, 10))
    path = save(trained_net(x), how, tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.params"
    net = trained_net(x)
    before = values(net)
    # Every 5th length and the last byte short: cuts in the header, the arrays and the names.
    for size in [*range(0, len(data), 5), len(data) - 1]:
        cut.write_bytes(data[:size])
        with pytest.raises(mx.base.MXNetError, match="Invalid NDArray file format"):
            nd.load(str(cut))
        with pytest.raises(ValueError, match="truncated or not an MXNet parameter file"):
            utils.load_params_checked(net, cut)
    assert_unchanged(net, before)


def test_checked_load_of_a_missing_file_or_a_list(tmp_path):
    with pytest.raises(FileNotFoundError, match="no parameter file"):
        utils.load_params_checked(get_net(), tmp_path / "none.params")
    nd.save(str(tmp_path / "list.params"), [nd.ones(3)])
    with pytest.raises(ValueError, match="list of arrays"):
        utils.load_params_checked(get_net(), tmp_path / "list.params")


def test_checked_load_does_not_rely_on_asserts(tmp_path):
    # MXNet checks shapes with `assert`, which `python -O` strips; ours must still refuse.
    path = str(tmp_path / "mlp.parameters")
    script = f"""
from mxnet import nd
from mxnet.gluon import nn
import utils
def get_net(outputs):
    net = nn.Sequential(); net.add(nn.Dense(10, activation="relu"), nn.Dense(outputs))
    net.initialize(); net(nd.ones((2, 10))); return net
get_net(2).save_parameters({path!r})
wrong = get_net(3)
before = wrong[0].weight.data().copy()
try:
    utils.load_params_checked(wrong, {path!r})
except ValueError:
    print("refused", bool((wrong[0].weight.data() == before).asnumpy().all()))
"""
    done = subprocess.run([sys.executable, "-O", "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused True"
