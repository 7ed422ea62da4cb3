"""Bad input from the Python API (issue 17, items 15-19): one clear error, raised before
MXNet fails somewhere deep inside or quietly does the wrong thing."""
import os

import mxnet as mx
import pytest
from mxnet import gluon, nd

import utils
from gluon_tutorials import data


@pytest.mark.parametrize("batch_size", [0, -5, "abc", 2.5, None, True])
def test_batch_size_must_be_a_positive_integer(tiny_fashion_mnist, batch_size):
    with pytest.raises(ValueError, match=r"^batch_size must be a positive integer, got "):
        utils.load_data_fashion_mnist(batch_size)


def test_a_whole_float_batch_size_still_works(tiny_fashion_mnist):
    train_data, _ = utils.load_data_fashion_mnist(100.0)
    assert [d.shape[0] for d, _ in train_data] == [100, 100, 100]


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -float("inf"), "0.1", None])
def test_sgd_refuses_a_learning_rate_that_is_not_a_finite_number(lr):
    param = nd.ones(3)
    param.attach_grad()
    param.grad[:] = 1
    with pytest.raises(ValueError, match="learning rate must be a finite number"):
        utils.SGD([param], lr)
    assert param.asnumpy().tolist() == [1, 1, 1]  # untouched


def test_an_explicit_root_that_does_not_exist_is_an_error(tiny_fashion_mnist, tmp_path):
    # The tiny data sit in $GLUON_TUTORIALS_DATA: an explicit root must not fall back to them.
    for root in (tmp_path / "nonexistent", "/nonexistent"):
        with pytest.raises(data.DataError, match=r"root='?.*nonexistent'? does not exist"):
            utils.load_data_fashion_mnist(32, root=root)
    plain = tmp_path / "a-file"
    plain.write_text("")
    with pytest.raises(data.DataError, match="is not a folder"):
        data.read_time_machine(root=plain)


def test_an_explicit_root_that_exists_is_read(tiny_fashion_mnist, data_dir):
    images, _ = data.load_fashion_mnist(train=False, root=data_dir / "fashion-mnist")
    assert images.shape == (100, 28, 28)


@pytest.mark.parametrize("kind, message", [
    ("folder", "is a folder, not the data file"),
    ("loop", "is a symbolic link loop"),
    ("broken", "is a broken symbolic link to "),
])
def test_a_data_file_that_is_not_a_file_says_what_it_is(tiny_fashion_mnist, data_dir, kind, message):
    for path in (data_dir / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz",
                 data_dir / "timemachine.txt"):
        if path.exists():
            path.unlink()
        if kind == "folder":
            path.mkdir()
        elif kind == "loop":
            os.symlink(path.name, path)
        else:
            os.symlink(path.parent / "gone", path)
    with pytest.raises(data.DataError, match=message) as error:
        data.load_fashion_mnist(train=False)
    assert "missing" not in str(error.value)
    with pytest.raises(data.DataError, match=message):
        data.read_time_machine()


def _net():
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize()
    return net


@pytest.mark.parametrize("saved, message", [
    ({}, "holds no arrays at all"),
    ([], "holds no arrays at all"),
    ([nd.ones(3), nd.ones(2)], r"holds a list of arrays \(2 of them"),
])
def test_checked_load_says_what_the_file_holds(tmp_path, saved, message):
    path = tmp_path / "x.params"
    nd.save(str(path), saved)
    net = _net()
    before = net.weight.data().copy()
    with pytest.raises(ValueError, match=message):
        utils.load_params_checked(net, path, mx.cpu())
    assert (net.weight.data() == before).asnumpy().all()
