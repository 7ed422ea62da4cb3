"""Chapter 4, LeNet and batch norm: cnn_scratch, cnn_gluon, batch_norm_scratch, batch_norm_gluon."""
import re

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, nd

import utils
from gluon_tutorials import sections
from gluon_tutorials.chapter04_convolutional_neural_networks import (
    batch_norm_gluon, batch_norm_scratch, cnn_gluon, cnn_scratch)

SLUGS = ["cnn_scratch", "cnn_gluon", "batch_norm_scratch", "batch_norm_gluon"]


def correlate(data, w, b, stride=1, pad=0):
    """A plain loop over output positions: what a convolution layer computes (N, C, H, W)."""
    data = np.pad(data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = w.shape[2:]
    oh = (data.shape[2] - kh) // stride + 1
    ow = (data.shape[3] - kw) // stride + 1
    out = np.zeros((data.shape[0], w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = data[:, None, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = (window * w[None]).sum(axis=(2, 3, 4)) + b
    return out


# What the book's examples work out to by hand (sums of products in each window).
BOOK_CONVOLUTIONS = {
    "one channel": [[[[20, 26], [38, 44]]]],
    "stride 2, pad 1": [[[[1, 9], [22, 44]]]],
    "two input channels": [[[[269, 297], [353, 381]]]],
    "two output channels": [[[[269, 297], [353, 381]], [[686, 778], [962, 1054]]]],
}


def test_convolution_examples_give_the_books_numbers():
    examples = cnn_scratch.convolution_examples()
    assert set(examples) == set(BOOK_CONVOLUTIONS)
    for name, (data, w, b, out) in examples.items():
        np.testing.assert_array_equal(out.asnumpy(), BOOK_CONVOLUTIONS[name], err_msg=name)
        kwargs = {"stride": 2, "pad": 1} if name == "stride 2, pad 1" else {}
        np.testing.assert_allclose(out.asnumpy(),
                                   correlate(data.asnumpy(), w.asnumpy(), b.asnumpy(), **kwargs))


def test_pooling_examples():
    data, pooled = cnn_scratch.pooling_examples()
    np.testing.assert_array_equal(pooled["max"].asnumpy(),
                                  [[[[4, 5], [7, 8]], [[13, 14], [16, 17]]]])
    np.testing.assert_array_equal(pooled["avg"].asnumpy(),
                                  [[[[2, 3], [5, 6]], [[11, 12], [14, 15]]]])
    x = data.asnumpy()
    windows = np.stack([x[..., i:i + 2, j:j + 2] for i in range(2) for j in range(2)], axis=-1)
    np.testing.assert_array_equal(pooled["max"].asnumpy().reshape(1, 2, 4),
                                  windows.max(axis=(2, 3)))


def test_scratch_lenet_equals_gluon_lenet_with_the_same_weights():
    mx.random.seed(0)
    # a larger scale than the book's 0.01 so that the outputs are far from zero
    params = cnn_scratch.get_params(mx.cpu(), weight_scale=.1)
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    out = cnn_scratch.net(X, params)
    assert out.shape == (2, 10)
    assert np.abs(out.asnumpy()).max() > 1e-2

    gluon_net = cnn_gluon.build_net()
    gluon_net.initialize()
    gluon_net(X)  # shapes are inferred on the first call
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    # Dense stores its weight as (out, in); the scratch net multiplies by (in, out).
    for layer, weight, bias in ((gluon_net[0], W1, b1), (gluon_net[2], W2, b2),
                                (gluon_net[5], W3.T, b3), (gluon_net[6], W4.T, b4)):
        layer.weight.set_data(weight)
        layer.bias.set_data(bias)
    np.testing.assert_allclose(gluon_net(X).asnumpy(), out.asnumpy(), rtol=1e-4, atol=1e-6)


def _features(shape, seed=0):
    rng = np.random.RandomState(seed)
    # shifted and scaled so that normalising visibly changes the numbers
    return nd.array(3 + 2 * rng.randn(*shape))


def _bn_inputs(shape, seed):
    """Input, gamma and beta, and moving mean and variance (numpy) that differ per channel."""
    channels = shape[1]
    gamma, beta = nd.array(np.linspace(.5, 2, channels)), nd.array(np.linspace(-1, 1, channels))
    return (_features(shape, seed), gamma, beta,
            np.linspace(-1, 1, channels), np.linspace(.5, 3, channels))


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 6)])
def test_pure_batch_norm_equals_mxnet_batchnorm_in_training_mode(shape):
    X, gamma, beta, _, _ = _bn_inputs(shape, seed=0)
    channels = shape[1]
    ours = batch_norm_scratch.pure_batch_norm(X, gamma, beta)
    with autograd.train_mode():
        theirs = nd.BatchNorm(X, gamma, beta, nd.zeros(channels), nd.ones(channels), eps=1e-5,
                              fix_gamma=False, use_global_stats=False)
    np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), atol=1e-4)


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 6)])
def test_pure_batch_norm_gives_zero_mean_unit_variance_per_channel(shape):
    channels = shape[1]
    out = batch_norm_scratch.pure_batch_norm(_features(shape), nd.ones(channels),
                                             nd.zeros(channels)).asnumpy()
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    np.testing.assert_allclose(out.mean(axis=axes), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=axes), 1, atol=1e-3)


def test_pure_batch_norm_on_the_books_dense_example():
    A = nd.arange(6).reshape((3, 2))
    out = batch_norm_scratch.pure_batch_norm(A, nd.array([1, 1]), nd.array([0, 0]))
    # columns (0, 2, 4) and (1, 3, 5): deviations -2, 0, 2 over sqrt(8/3)
    expected = np.array([-2, 0, 2]) / np.sqrt(8 / 3 + 1e-5)
    np.testing.assert_allclose(out.asnumpy(), np.stack([expected, expected], axis=1), rtol=1e-5)


def test_batch_norm_rejects_other_ranks():
    with pytest.raises(AssertionError, match="2D"):
        batch_norm_scratch.pure_batch_norm(nd.ones((2, 3, 4)), nd.ones(3), nd.zeros(3))


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 6)])
def test_batch_norm_training_step_updates_moving_statistics(shape):
    X, gamma, beta, old_mean, old_var = _bn_inputs(shape, seed=1)
    moving_mean, moving_var = nd.array(old_mean), nd.array(old_var)

    out = batch_norm_scratch.batch_norm(X, gamma, beta, True, moving_mean, moving_var)

    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    x = X.asnumpy()
    np.testing.assert_allclose(moving_mean.asnumpy(), .9 * old_mean + .1 * x.mean(axis=axes),
                               rtol=1e-5)
    np.testing.assert_allclose(moving_var.asnumpy(), .9 * old_var + .1 * x.var(axis=axes),
                               rtol=1e-5)
    np.testing.assert_allclose(out.asnumpy(),
                               batch_norm_scratch.pure_batch_norm(X, gamma, beta).asnumpy(),
                               atol=1e-5)


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 6)])
def test_batch_norm_prediction_uses_moving_statistics(shape):
    X, gamma, beta, mean, var = _bn_inputs(shape, seed=2)
    moving_mean, moving_var = nd.array(mean), nd.array(var)

    out = batch_norm_scratch.batch_norm(X, gamma, beta, False, moving_mean, moving_var)

    bshape = (1, shape[1]) + (1,) * (len(shape) - 2)
    expected = ((X.asnumpy() - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5)
                * gamma.asnumpy().reshape(bshape) + beta.asnumpy().reshape(bshape))
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(moving_mean.asnumpy(), np.float32(mean))
    np.testing.assert_array_equal(moving_var.asnumpy(), np.float32(var))


def test_scratch_bn_lenet_trains_in_record_and_predicts_outside():
    mx.random.seed(0)
    params, moving = batch_norm_scratch.get_params(mx.cpu())
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    before = [m.asnumpy() for m in moving]
    batch_norm_scratch.net(X, params, moving)
    for m, b in zip(moving, before):
        np.testing.assert_array_equal(m.asnumpy(), b)
    with autograd.record():
        out = batch_norm_scratch.net(X, params, moving)
    out.backward()
    assert out.shape == (4, 10)
    assert all(np.abs(m.asnumpy() - b).max() > 0 for m, b in zip(moving, before))
    # every trained parameter, gamma and beta included, gets a gradient
    assert all(np.abs(p.grad.asnumpy()).max() > 0 for p in params)


def test_gluon_bn_lenet_normalises_each_conv_output_per_channel():
    net = batch_norm_gluon.build_net()
    net.initialize()
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    with autograd.train_mode():
        h = net[1](net[0](X)).asnumpy()
    # gamma 1 and beta 0 at initialisation: the output is the normalised conv output
    np.testing.assert_allclose(h.mean(axis=(0, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(h.var(axis=(0, 2, 3)), 1, atol=1e-2)
    assert net(X).shape == (4, 10)


def test_show_predictions_titles_true_then_predicted_label(monkeypatch, tmp_path):
    drawn = {}
    monkeypatch.setattr(utils, "show_images", lambda images, titles, path, ncols:
                        drawn.update(n=len(images), titles=titles))
    batches = [(nd.zeros((12, 1, 28, 28)), nd.array([1, 9] * 6))]

    def always_bag(X):
        return nd.one_hot(nd.full((X.shape[0],), 8), 10)

    utils.show_predictions(always_bag, batches, mx.cpu(), tmp_path / "p.png")
    assert drawn["n"] == 9
    assert drawn["titles"][:2] == ["trouser\npred: bag", "ankle boot\npred: bag"]


MODULES = {"cnn_scratch": cnn_scratch, "cnn_gluon": cnn_gluon,
           "batch_norm_scratch": batch_norm_scratch, "batch_norm_gluon": batch_norm_gluon}


def test_registry_has_the_four_sections_in_book_order():
    slugs = [s.slug for s in sections.SECTIONS]
    assert [s for s in slugs if s in SLUGS] == SLUGS
    for slug in SLUGS:
        assert sections.get(slug).load() is MODULES[slug]
        assert 0.8 < sections.get(slug).book["test_acc"] < 1


@pytest.mark.parametrize("slug", SLUGS)
def test_main_runs_with_tiny_settings(slug, tiny_fashion_mnist, tmp_path, capsys):
    result = MODULES[slug].main(["--epochs", "1", "--subset", "256", "--ctx", "cpu",
                                 "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "first 256 training and 256 test examples" in printed
    assert re.search(r"^Epoch 0\. Loss: [\d.]+, Train acc [\d.]+, Test acc [\d.]+$",
                     printed, re.M)
    assert set(result) >= {"test_acc", "train_acc", "loss", "epoch_seconds"}
    assert 0 <= result["test_acc"] <= 1 and len(result["epoch_seconds"]) == 1
    assert (tmp_path / "predictions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_numbers(tiny_fashion_mnist, tmp_path):
    args = ["--epochs", "1", "--subset", "64", "--batch-size", "32", "--out", str(tmp_path)]
    first = cnn_scratch.main(args)
    assert cnn_scratch.main(args)["loss"] == first["loss"]


@pytest.mark.parametrize("bad", [["--subset", "0"], ["--lr", "-1"], ["--ctx", "tpu"]])
def test_bad_arguments_are_argparse_errors(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cnn_gluon.main(bad)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("slug", ["cnn_gluon", "batch_norm_gluon"])
def test_gluon_lenets_learn_the_tiny_data(slug, tiny_fashion_mnist, tmp_path):
    result = MODULES[slug].main(["--epochs", "3", "--batch-size", "32", "--ctx", "cpu",
                                 "--out", str(tmp_path)])
    assert result["test_acc"] > 0.6  # ten classes: chance is 0.1


@pytest.mark.slow
def test_gluon_lenet_reaches_the_books_accuracy_on_fashion_mnist(real_data, tmp_path):
    result = cnn_gluon.main(["--ctx", "cpu", "--out", str(tmp_path)])  # the book's settings
    assert result["test_acc"] >= 0.85
