"""utils.py: the book's helpers, in the book's call forms."""
import re

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


def test_evaluate_accuracy_ctx_list_counts_examples():
    # Release 0.6's form: a ctx list splits each batch and weighs every example once.
    seen = []

    def net(x):
        seen.append((x.context, x.shape[0]))
        return x

    assert utils.evaluate_accuracy(_batches(), net, [mx.cpu(0), mx.cpu(1)]) == pytest.approx(0.8)
    assert utils.evaluate_accuracy(_batches(), net, [mx.cpu(0)]) == pytest.approx(0.8)
    assert seen[:3] == [(mx.cpu(0), 2), (mx.cpu(1), 2), (mx.cpu(0), 1)]


def test_get_batch_splits_pairs_and_databatches():
    data, label = nd.arange(10).reshape((5, 2)), nd.arange(5)
    ctx = [mx.cpu(0), mx.cpu(1)]
    for batch in ((data, label), mx.io.DataBatch(data=[data], label=[label])):
        xs, ys, size = utils._get_batch(batch, ctx)
        assert size == 5 and [x.context for x in xs] == ctx and [y.context for y in ys] == ctx
        np.testing.assert_array_equal(np.concatenate([x.asnumpy() for x in xs]), data.asnumpy())
        np.testing.assert_array_equal(np.concatenate([y.asnumpy() for y in ys]), label.asnumpy())


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
                         trainer, mx.cpu(), 3, log=lines.append, style="0.3")
    assert len(lines) == 3
    assert re.fullmatch(r"Epoch 0\. Loss: \d\.\d{6}, Train acc \d\.\d{6}, Test acc \d\.\d{6}", lines[0])
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
                         num_epochs=2, batch_size=32, params=params, lr=0.5, log=lambda _: None,
                         style="0.3")
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


def _trained(ctx, seed=3, epochs=2, **kwargs):
    """An MLP trained by utils.train in 0.6's call form; returns (net, lines, result)."""
    mx.random.seed(seed)
    np.random.seed(seed)
    train_data, test_data = utils.load_data_fashion_mnist(30)
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Flatten(), gluon.nn.Dense(16, activation="relu"), gluon.nn.Dense(10))
    net.initialize(mx.init.Normal(0.05), ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.3})
    lines = []
    result = utils.train(train_data, test_data, net, gluon.loss.SoftmaxCrossEntropyLoss(),
                         trainer, ctx, epochs, log=lines.append, **kwargs)
    return net, lines, result, test_data


def _weights(net, ctx):
    return [p.data(ctx).asnumpy() for p in net.collect_params().values()]


def test_train_book_06_form_prints_its_lines(tiny_fashion_mnist):
    net, lines, result, test_data = _trained(mx.cpu(), print_batches=4)
    assert lines[0] == "Start training on  cpu(0)"
    epoch_line = r"Epoch %d\. Loss: \d\.\d{3}, Train acc \d\.\d{2}, Test acc \d\.\d{2}, Time \d+\.\d sec"
    batch_line = r"Batch %d\. Loss: \d\.\d{6}, Train acc \d\.\d{6}"
    # 300 examples in batches of 30: a batch line after 4 and 8 batches, then the epoch line
    for epoch in range(2):
        block = lines[1 + 3 * epoch: 4 + 3 * epoch]
        assert re.fullmatch(batch_line % 120, block[0]) and re.fullmatch(batch_line % 240, block[1])
        assert re.fullmatch(epoch_line % epoch, block[2]), block[2]
    assert len(lines) == 7 and result["test_acc"] > 0.6 and isinstance(result, utils.TrainResult)
    # 0.6 counts test examples (here 100 in 4 batches of 30 + one of 10)
    assert result["test_acc"] == pytest.approx(utils.evaluate_accuracy(test_data, net, [mx.cpu()]))
    assert repr(result).startswith("<train: 2 epoch(s), test acc ")


def test_train_on_a_device_list_keeps_copies_identical(tiny_fashion_mnist):
    ctx = [mx.cpu(0), mx.cpu(1)]
    net, lines, two, _ = _trained(ctx)
    assert lines[0] == "Start training on  [cpu(0), cpu(1)]"
    for a, b in zip(_weights(net, ctx[0]), _weights(net, ctx[1])):
        np.testing.assert_array_equal(a, b)
    # the same seed on one device: the same sums of gradients, up to float rounding
    single, _, one, _ = _trained(mx.cpu())
    for a, b in zip(_weights(net, ctx[0]), _weights(single, mx.cpu())):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert two["test_acc"] == pytest.approx(one["test_acc"], abs=0.02)


def test_train_on_a_one_device_list_equals_one_context(tiny_fashion_mnist):
    as_list, lines, result_list, _ = _trained([mx.cpu()])
    as_ctx, _, result_ctx, _ = _trained(mx.cpu())
    for a, b in zip(_weights(as_list, mx.cpu()), _weights(as_ctx, mx.cpu())):
        np.testing.assert_array_equal(a, b)
    assert result_list["loss"] == result_ctx["loss"]
    assert lines[0] == "Start training on  [cpu(0)]"


def test_train_refuses_bad_arguments_and_divergence(tiny_fashion_mnist):
    from gluon_tutorials import runtime

    with pytest.raises(ValueError, match="style"):
        _trained(mx.cpu(), style="0.4")
    with pytest.raises(ValueError, match="empty list"):
        _trained([])
    with pytest.raises(ValueError, match="one device"):
        utils.train([], [], lambda x: x, None, None, [mx.cpu(0), mx.cpu(1)], 1, params=[], lr=1)
    train_data, test_data = utils.load_data_fashion_mnist(30)
    net = _mlp()  # linear: its gradients are bounded, so only a huge rate overflows float32
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1e38})
    with pytest.raises(runtime.Diverged, match="learning_rate = 1e\\+38"):
        utils.train(train_data, test_data, net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer,
                    mx.cpu(), 1, log=lambda _: None)


def test_resnet18_shapes_and_hybridized_output():
    mx.random.seed(0)
    block = utils.Residual(8, same_shape=False)
    block.initialize()
    assert block(nd.ones((2, 3, 6, 6))).shape == (2, 8, 3, 3)
    net = utils.resnet18(10)
    net.initialize(mx.init.Xavier())
    x = nd.random.uniform(shape=(4, 1, 28, 28))
    imperative = net(x)
    assert imperative.shape == (4, 10)
    assert len(net) == 11 and isinstance(net[3], utils.Residual) and not net[5].same_shape
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), imperative.asnumpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("per_example", [False, True])
def test_shards_are_equal_disjoint_parts_of_the_training_set(tiny_fashion_mnist, per_example):
    transform = (lambda d, l: utils.transform_mnist(d, l)) if per_example else utils.transform_mnist
    labels = tiny_fashion_mnist["train-labels-idx1-ubyte.gz"]
    parts = []
    for k in range(3):
        train_data, test_data = utils.load_data_fashion_mnist(64, transform, subset=298,
                                                              shard=(k, 3))
        parts.append(np.concatenate([l.asnumpy() for _, l in train_data]))
        assert sum(d.shape[0] for d, _ in test_data) == 100  # every worker tests on all
    assert [len(p) for p in parts] == [99, 99, 99]
    for k, part in enumerate(parts):  # consecutive parts, shuffled within
        np.testing.assert_array_equal(np.sort(part), np.sort(labels[99 * k:99 * (k + 1)]))
    for bad in ((3, 3), (-1, 2)):
        with pytest.raises(ValueError, match="shard"):
            utils.load_data_fashion_mnist(64, shard=bad)
