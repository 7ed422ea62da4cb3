"""Chapter 3, serialization: nd.save/nd.load, save_params/load_params as in the book,
save_parameters/load_parameters, and utils.load_params_checked for files that do not fit."""
import subprocess
import sys
import warnings

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import utils
from gluon_tutorials.chapter03_gluon_basics import serialization

SAVERS = {"save_params": "mlp.params", "save_parameters": "mlp.parameters"}


def trained_net(x):
    net = serialization.get_net()
    net.initialize()
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
def section_run(tmp_path_factory):
    """One run of the section: its result and its --out folder."""
    out = tmp_path_factory.mktemp("serialization")
    return serialization.main(["--out", str(out)]), out


def test_list_and_dict_round_trip(section_run):
    result, out = section_run
    assert result["list_roundtrip"] and result["dict_roundtrip"]
    a, b = nd.load(str(out / "test1.params"))
    np.testing.assert_array_equal(a.asnumpy(), np.ones(3))
    np.testing.assert_array_equal(b.asnumpy(), np.zeros(4))
    loaded = nd.load(str(out / "test2.params"))
    assert sorted(loaded) == ["x", "y"]
    np.testing.assert_array_equal(loaded["y"].asnumpy(), np.zeros(4))


def test_book_save_params_load_params_with_the_deprecation_warning(tmp_path):
    x = nd.random.uniform(shape=(2, 10))
    net = trained_net(x)
    filename = str(tmp_path / "mlp.params")
    with pytest.warns(UserWarning, match="save_params is deprecated"):
        net.save_params(filename)
    net2 = serialization.get_net()
    with pytest.warns(UserWarning, match="load_params is deprecated"):
        net2.load_params(filename, mx.cpu())
    np.testing.assert_array_equal(net2(x).asnumpy(), net(x).asnumpy())


def test_save_parameters_load_parameters(tmp_path):
    x = nd.random.uniform(shape=(2, 10))
    net = trained_net(x)
    path = save(net, "save_parameters", tmp_path)
    net2 = serialization.get_net()
    net2.load_parameters(str(path), ctx=mx.cpu())
    np.testing.assert_array_equal(net2(x).asnumpy(), net(x).asnumpy())


def test_main_runs_when_warnings_are_errors(tmp_path, capsys):
    # `-W error::UserWarning` turns MXNet's deprecation warning into an exception; the
    # section must still run the book's save_params/load_params.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = serialization.main(["--out", str(tmp_path)])
    assert result["save_params_identical"] and result["save_parameters_identical"]
    assert result["deprecation_warnings"] == ["save_params is deprecated",
                                              "load_params is deprecated"]
    assert "note: MXNet 1.9.1 says save_params is deprecated" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mlp.parameters", "mlp.params", "test1.params", "test2.params"]  # no temporary left


def test_main_shows_the_half_load_and_the_checked_load(section_run):
    result, _ = section_run
    assert result["mxnet_half_loaded"] is True
    assert result["checked_load_unchanged"] is True
    assert "1.weight has shape (3, 10) in the net but (2, 10) in the file" in result["wrong_shape_error"]
    assert "truncated" in result["truncated_error"]


def test_save_atomically_keeps_the_old_file_when_saving_fails(tmp_path):
    target = tmp_path / "mlp.params"
    target.write_bytes(b"old")

    def fails_midway(path):
        with open(path, "wb") as f:
            f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        serialization.save_atomically(fails_midway, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["mlp.params"]


@pytest.mark.parametrize("how", sorted(SAVERS))
def test_checked_load_loads_both_formats(tmp_path, how):
    x = nd.random.uniform(shape=(2, 10))
    net = trained_net(x)
    path = save(net, how, tmp_path)
    net2 = serialization.get_net()
    utils.load_params_checked(net2, path, mx.cpu())
    np.testing.assert_array_equal(net2(x).asnumpy(), net(x).asnumpy())


@pytest.mark.parametrize("how", sorted(SAVERS))
def test_mxnet_alone_half_loads_a_net_of_the_wrong_shape(tmp_path, how):
    # Why utils.load_params_checked exists: MXNet stops at the first misfit,
    # after it has overwritten the parameters before it.
    x = nd.random.uniform(shape=(2, 10))
    path = save(trained_net(x), how, tmp_path)
    wrong = serialization.get_net(outputs=3)
    wrong.initialize()
    wrong(x)
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
    wrong = serialization.get_net(outputs=3)
    wrong.initialize()
    wrong(x)
    before = values(wrong)
    with pytest.raises(ValueError, match=rf"{key} has shape \(3, 10\) in the net but \(2, 10\)"):
        utils.load_params_checked(wrong, path)
    assert_unchanged(wrong, before)


def test_checked_load_leaves_a_deferred_net_deferred(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    wrong = serialization.get_net(outputs=3)
    wrong.initialize()
    with pytest.raises(ValueError, match="nothing was loaded"):
        utils.load_params_checked(wrong, path)
    # Still waiting for data: MXNet alone would have fixed the first layer's shape.
    assert [p.shape for p in wrong.collect_params().values()] == [(10, 0), (10,), (3, 0), (3,)]


def test_checked_load_reports_missing_and_extra_names(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    bigger = serialization.get_net()
    bigger.add(mx.gluon.nn.Dense(1))
    bigger.initialize()
    with pytest.raises(ValueError, match="2.weight is missing from the file"):
        utils.load_params_checked(bigger, path)
    smaller = mx.gluon.nn.Sequential()
    smaller.add(mx.gluon.nn.Dense(10, activation="relu"))
    smaller.initialize()
    with pytest.raises(ValueError, match="1.weight in the file is not a parameter of the net"):
        utils.load_params_checked(smaller, path)


def test_checked_load_refuses_another_device(tmp_path):
    path = save(trained_net(nd.ones((2, 10))), "save_parameters", tmp_path)
    net = serialization.get_net()
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
        utils.load_params_checked(serialization.get_net(), tmp_path / "none.params")
    nd.save(str(tmp_path / "list.params"), [nd.ones(3)])
    with pytest.raises(ValueError, match="list of arrays"):
        utils.load_params_checked(serialization.get_net(), tmp_path / "list.params")


def test_checked_load_does_not_rely_on_asserts(tmp_path):
    # MXNet checks shapes with `assert`, which `python -O` strips; ours must still refuse.
    path = str(tmp_path / "mlp.parameters")
    script = f"""
from mxnet import nd
import utils
from gluon_tutorials.chapter03_gluon_basics.serialization import get_net
net = get_net(); net.initialize(); net(nd.ones((2, 10))); net.save_parameters({path!r})
wrong = get_net(outputs=3); wrong.initialize(); wrong(nd.ones((2, 10)))
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
