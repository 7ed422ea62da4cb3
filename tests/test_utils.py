"""utils.py: the book's helpers, in the book's call forms."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon, image, nd

import utils
from gluon_tutorials import runtime


def test_accuracy_on_hand_made_outputs():
    output = nd.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    label = nd.array([1, 0, 0, 0])
    assert utils.accuracy(output, label) == pytest.approx(0.75)
    assert isinstance(utils.accuracy(output, label), (float, np.floating))


def test_sgd_moves_by_lr_times_grad():
    w = nd.array([1.0, -2.0, 3.0])
    w.attach_grad()
    with autograd.record():
        loss = (w * nd.array([2.0, 4.0, -1.0])).sum()
    loss.backward()
    utils.SGD([w], 0.5)
    np.testing.assert_allclose(w.asnumpy(), [1.0 - 1.0, -2.0 - 2.0, 3.0 + 0.5])


def _batches():
    # 4 right, then 1 wrong: the book averages per batch, (1 + 0) / 2.
    right = (nd.array(np.eye(4)), nd.arange(4))
    wrong = (nd.array([[1, 0, 0, 0]]), nd.array([3]))
    return [right, wrong]


def test_evaluate_accuracy_book_forms():
    def net(x):
        return x * 1

    assert utils.evaluate_accuracy(_batches(), net) == pytest.approx(0.5)
    assert utils.evaluate_accuracy(_batches(), net, mx.cpu()) == pytest.approx(0.5)
    assert utils.evaluate_accuracy(_batches(), net, ctx=mx.cpu(1)) == pytest.approx(0.5)


def test_evaluate_accuracy_moves_data_to_ctx():
    seen = []

    def net(x):
        seen.append(x.context)
        return x

    utils.evaluate_accuracy(_batches(), net, mx.cpu(1))
    assert seen == [mx.cpu(1), mx.cpu(1)]


def test_transform_mnist_shape_dtype_range():
    img = nd.array(np.arange(784).reshape(28, 28, 1) % 256, dtype="uint8")
    data, label = utils.transform_mnist(img, np.int32(7))
    assert data.shape == (1, 28, 28) and data.dtype == np.float32
    assert data.min().asscalar() == 0.0 and data.max().asscalar() == 1.0
    assert data[0, 0, 5].asscalar() == pytest.approx(5 / 255)
    assert label.dtype == np.float32 and label == 7


def test_try_gpu_here():
    expected = mx.gpu(0) if utils.num_gpus() else mx.cpu(0)
    assert utils.try_gpu() == expected
    if not utils.num_gpus():
        assert utils.try_all_gpus() == [mx.cpu(0)]


def test_fashion_mnist_dataset_items(tiny_fashion_mnist):
    dataset = utils.FashionMNIST(train=False)
    data, label = dataset[3]
    assert len(dataset) == 100
    assert data.shape == (28, 28, 1) and data.dtype == np.uint8
    assert label == tiny_fashion_mnist["t10k-labels-idx1-ubyte.gz"][3]
    np.testing.assert_array_equal(data.asnumpy()[..., 0], tiny_fashion_mnist["t10k-images-idx3-ubyte.gz"][3])


def test_load_data_batches(tiny_fashion_mnist):
    train_data, test_data = utils.load_data_fashion_mnist(256)
    assert isinstance(train_data, gluon.data.DataLoader)
    data, label = next(iter(train_data))
    assert data.shape == (256, 1, 28, 28) and data.dtype == np.float32
    assert label.shape == (256,) and label.dtype == np.float32
    assert [d.shape[0] for d, _ in train_data] == [256, 44] and len(train_data) == 2
    # test data keep the file's order, train data are shuffled
    labels = tiny_fashion_mnist["t10k-labels-idx1-ubyte.gz"]
    np.testing.assert_array_equal(next(iter(test_data))[1].asnumpy(), labels[:100])
    first = np.concatenate([l.asnumpy() for _, l in train_data])
    second = np.concatenate([l.asnumpy() for _, l in train_data])
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(first), np.sort(tiny_fashion_mnist["train-labels-idx1-ubyte.gz"]))


def _all_batches(loaders):
    return [[(d.asnumpy(), l.asnumpy()) for d, l in loader] for loader in loaders]


@pytest.mark.parametrize("resize", [None, 36])
def test_default_and_custom_transforms_give_identical_batches(tiny_fashion_mnist, resize):
    def custom(data, label):  # the book's transform, run per example
        return nd.transpose(data.astype("float32"), (2, 0, 1)) / 255, label.astype("float32")

    np.random.seed(7)
    fast = _all_batches(utils.load_data_fashion_mnist(64, resize=resize))
    np.random.seed(7)
    slow = _all_batches(utils.load_data_fashion_mnist(64, custom, resize=resize))
    assert len(fast[0]) == len(slow[0]) == 5
    for fast_loader, slow_loader in zip(fast, slow):
        for (fd, fl), (sd, sl) in zip(fast_loader, slow_loader):
            assert fd.shape == sd.shape == (fd.shape[0], 1, resize or 28, resize or 28)
            np.testing.assert_array_equal(fd, sd)
            np.testing.assert_array_equal(fl, sl)


def test_book_alexnet_style_transform(tiny_fashion_mnist):
    def transform(data, label):
        data = image.imresize(data, 64, 64)
        return utils.transform_mnist(data, label)

    train_data, _ = utils.load_data_fashion_mnist(32, transform)
    data, label = next(iter(train_data))
    assert data.shape == (32, 1, 64, 64) and label.dtype == np.float32


def test_subset_and_bad_arguments(tiny_fashion_mnist):
    train_data, test_data = utils.load_data_fashion_mnist(16, subset=40)
    assert sum(d.shape[0] for d, _ in train_data) == 40
    assert sum(d.shape[0] for d, _ in test_data) == 40
    for bad in ({"resize": 0}, {"resize": 2.5}, {"subset": -1}):
        with pytest.raises(ValueError):
            utils.load_data_fashion_mnist(16, **bad)


def _mlp():
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Flatten(), gluon.nn.Dense(10))
    net.initialize(mx.init.Normal(0.01))
    return net


def _seeded_mlp_and_data(learning_rate):
    """(train_data, test_data, net, trainer) for a run of utils.train on the tiny data."""
    mx.random.seed(0)
    np.random.seed(0)
    train_data, test_data = utils.load_data_fashion_mnist(32)
    net = _mlp()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": learning_rate})
    return train_data, test_data, net, trainer


def test_train_with_trainer_learns(tiny_fashion_mnist):
    train_data, test_data, net, trainer = _seeded_mlp_and_data(0.5)
    lines = []
    result = utils.train(train_data, test_data, net, gluon.loss.SoftmaxCrossEntropyLoss(),
                         trainer, mx.cpu(), 3, log=lines.append)
    assert len(lines) == 3 and lines[0].startswith("Epoch 0. Loss: ")
    assert result["test_acc"] > 0.9 and len(result["epoch_seconds"]) == 3
    assert result["test_acc"] == pytest.approx(utils.evaluate_accuracy(test_data, net))


def test_train_from_scratch_sgd(tiny_fashion_mnist):
    mx.random.seed(0)
    np.random.seed(0)
    train_data, test_data = utils.load_data_fashion_mnist(32)
    W = nd.random_normal(scale=0.01, shape=(784, 10))
    b = nd.zeros(10)
    params = [W, b]
    for p in params:
        p.attach_grad()

    def net(X):
        return nd.dot(X.reshape((-1, 784)), W) + b

    before = utils.evaluate_accuracy(test_data, net)
    result = utils.train(train_data, test_data, net, gluon.loss.SoftmaxCrossEntropyLoss(), None,
                         num_epochs=2, batch_size=32, params=params, lr=0.5, log=lambda _: None)
    assert result["test_acc"] > max(before, 0.8)
    with pytest.raises(ValueError):
        utils.train(train_data, test_data, net, None, None, num_epochs=1)


def test_train_stops_a_wrecked_but_finite_run(tiny_fashion_mnist):
    train_data, test_data, net, trainer = _seeded_mlp_and_data(1e9)
    with pytest.raises(runtime.Diverged, match="far above the untrained model's 2.3"):
        utils.train(train_data, test_data, net, gluon.loss.SoftmaxCrossEntropyLoss(),
                    trainer, mx.cpu(), 1, log=lambda _: None)
    assert all(np.isfinite(p.data().asnumpy()).all() for p in net.collect_params().values())


def test_show_images_writes_png(tmp_path):
    path = utils.show_images([np.zeros((28, 28)), nd.ones((1, 28, 28))], ["a", "b"], tmp_path / "g.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert utils.get_text_labels([0, 9]) == ["t-shirt", "ankle boot"]
