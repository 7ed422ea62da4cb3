"""Chapter 4, LeNet and batch normalization: cnn_scratch, cnn_gluon, batch_norm_scratch,
batch_norm_gluon. Each section runs once on tiny data (module-scoped) and the tests read its
namespace and printout. The helpers at the top also serve the AlexNet/VGG and RNN tests."""
import contextlib
import io
import re
from collections import namedtuple

import mxnet as mx
import numpy as np
import pytest
from d2l import mxnet as d2l
from mxnet import autograd, nd

import utils
from conftest import run_section, write_fashion_mnist
from gluon_tutorials import data, notebook, runtime, sections

# --- helpers shared with test_chapter04_alexnet_vgg and test_chapter05_rnn ----------------

Run = namedtuple("Run", "ns out seconds dir")
LOG_LINE = re.compile(r"^Epoch (\d+)\. Loss: (\d+\.\d{6}), Train acc (\d\.\d{6}), "
                      r"Test acc (\d\.\d{6})$", re.MULTILINE)


def execute(slug, out, **overrides):
    """Run a section in this process, capturing what it prints; `seconds` are this run's
    epoch times (runtime adds to them, reproduce empties them before each run)."""
    runtime.epoch_seconds.clear()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ns = run_section(slug, out, **overrides)
    return Run(ns, printed.getvalue(), list(runtime.epoch_seconds), out)


def log_lines(text):
    """[(epoch, loss, train acc, test acc)] of the book's epoch lines in `text`."""
    return [(int(e), float(loss), float(tr), float(te)) for e, loss, tr, te in LOG_LINE.findall(text)]


def is_png(path):
    return path.is_file() and path.read_bytes().startswith(b"\x89PNG")


@contextlib.contextmanager
def tiny_data(tmp_path_factory, write):
    """conftest's data_dir for a whole module (its fixtures are per test), filled by
    write(folder, monkeypatch); yields (root folder, what write returned)."""
    root = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(data.ENV_OFFLINE, "1")
        mp.setenv(data.ENV_DATA, str(root / "data"))
        mp.delenv(data.ENV_FASHION_COPY, raising=False)
        for name in ("MXNET_DIR", "DEBIAN_DIR", "_PROJECT_ROOT", "UNPACK_DIR"):
            mp.setattr(data, name, root / f"no-{name}")
        (root / "data").mkdir()
        yield root, write(root / "data", mp)


def check_is_a_notebook(slug):
    """The section contract: a notebook whose first cell is the book's title, whose first
    code cell holds the parameters and whose second sets up device and seeds; no main, no
    argparse, no import of another section, no IPython magic."""
    path = sections.get(slug).path
    source = path.read_text()
    assert "def main" not in source and "argparse" not in source
    assert not re.search(r"^from gluon_tutorials\.chapter|^import gluon_tutorials\.chapter",
                         source, re.MULTILINE)
    assert not re.search(r"^\s*%", source, re.MULTILINE)
    nb = notebook.read(path)
    chinese = sections.get(slug).title.split(" (")[0]
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith(f"# {chinese} (")
    index = notebook.parameters_index(nb, path)  # raises unless the first code cell is tagged
    setup = next(c for c in nb.cells[index + 1:] if c.cell_type == "code")
    assert "ctx = runtime.setup(ctx, seed)" in setup.source


def defaults(slug):
    return {p.name: p.default for p in notebook.parameters(sections.get(slug).path)}


# --- this module's runs ----------------------------------------------------------------------

SLUGS = ["cnn_scratch", "cnn_gluon", "batch_norm_scratch", "batch_norm_gluon"]
BOOK = {  # slug -> (epochs, batch_size, learning_rate), the book's last test accuracy
    "cnn_scratch": ((5, 256, 0.2), 0.8453),
    "cnn_gluon": ((5, 256, 0.5), 0.8819),
    "batch_norm_scratch": ((5, 256, 0.2), 0.8846),
    "batch_norm_gluon": ((5, 256, 0.2), 0.9063),
}
# A few seconds each on the tiny data (300 train, 100 test images). The scratch sections
# keep the book's batch of 256, so the shapes they print are the book's; the Gluon ones
# run three epochs of small batches, enough to learn the tiny classes.
TINY = {
    "cnn_scratch": {"epochs": 1, "subset": 256, "ctx": "cpu"},
    "cnn_gluon": {"epochs": 3, "batch_size": 32, "ctx": "cpu"},
    "batch_norm_scratch": {"epochs": 1, "subset": 256, "ctx": "cpu"},
    "batch_norm_gluon": {"epochs": 3, "batch_size": 32, "ctx": "cpu"},
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory,
                   lambda folder, mp: write_fashion_mnist(folder / "fashion-mnist", mp)) as t:
        yield t


@pytest.fixture(scope="module")
def ran(tiny):
    """ran(slug): the section's run on the tiny data (TINY), executed on first use."""
    root, _ = tiny
    cache = {}

    def get(slug):
        if slug not in cache:
            cache[slug] = execute(slug, root / "out" / slug, **TINY[slug])
        return cache[slug]
    return get


# --- every section ----------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_is_a_notebook_with_the_books_defaults(slug):
    check_is_a_notebook(slug)
    (epochs, batch_size, learning_rate), test_acc = BOOK[slug]
    params = defaults(slug)
    assert (params["epochs"], params["batch_size"], params["learning_rate"]) == (
        epochs, batch_size, learning_rate)
    assert (params["ctx"], params["seed"], params["subset"]) == ("auto", 1, None)
    assert params["out"] == f"out/{slug}"
    assert params.get("hybridize", True) is True
    assert ("hybridize" in params) == slug.endswith("_gluon")
    assert sections.get(slug).book == {"test_acc": test_acc}


def test_registered_in_book_order():
    slugs = [s.slug for s in sections.SECTIONS]
    start = slugs.index("cnn_scratch")
    assert slugs[start:start + 4] == SLUGS
    assert all(sections.get(slug).path.is_file() for slug in SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_runs_and_prints_the_books_log_line(slug, ran):
    run = ran(slug)
    lines = log_lines(run.out)
    assert [epoch for epoch, *_ in lines] == list(range(TINY[slug]["epochs"]))
    _, loss, train_acc, test_acc = lines[-1]
    assert loss > 0 and 0 <= train_acc <= 1
    assert run.ns[sections.get(slug).variable("test_acc")] == pytest.approx(test_acc, abs=5e-7)
    assert len(run.seconds) == TINY[slug]["epochs"]
    assert is_png(run.dir / "predictions.png")
    if "subset" in TINY[slug]:
        assert run.out.count(f"first {TINY[slug]['subset']} training and") == 1


@pytest.mark.parametrize("slug", ["cnn_gluon", "batch_norm_gluon"])
def test_gluon_lenets_learn_the_tiny_classes(slug, ran):
    run = ran(slug)
    losses = [loss for _, loss, _, _ in log_lines(run.out)]
    assert losses[-1] < losses[0]
    assert run.ns["test_acc"] > 0.6  # ten classes: chance is 0.1
    assert "Conv2D(" in run.out and "Dense(" in run.out  # print(net)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_diverging_run_stops_before_writing(slug, tiny, tmp_path):
    with pytest.raises(runtime.Diverged, match="learning_rate = 1e\\+09"):
        execute(slug, tmp_path, epochs=1, subset=96, batch_size=32, ctx="cpu",
                learning_rate=1e9)
    assert not (tmp_path / "predictions.png").exists()


def test_same_seed_same_numbers(ran, tiny, tmp_path):
    first = log_lines(ran("cnn_scratch").out)
    again = log_lines(execute("cnn_scratch", tmp_path / "again", **TINY["cnn_scratch"]).out)
    other = log_lines(execute("cnn_scratch", tmp_path / "other", **TINY["cnn_scratch"],
                              seed=2).out)
    assert first == again
    assert first[0][1] != other[0][1]


# --- 5.1 convolution and pooling ------------------------------------------------------------

ARRAY = re.compile(r"(input|weight|bias|output|data|max pooling|avg pooling): \n"
                   r"(\[[^<]*\])\n<NDArray ([\dx]+) @")
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


def printed_arrays(text):
    """[(name, array)] of the `name: <NDArray>` blocks the section printed in full, in order."""
    return [(name, as_array(body, shape)) for name, body, shape in ARRAY.findall(text)
            if "..." not in body]


def as_array(body, shape):
    """A printed NDArray's numbers in its printed shape ('1x2x3x3')."""
    return np.array(NUMBER.findall(body), dtype=float).reshape([int(n) for n in shape.split("x")])


def printed_arrays_unnamed(text):
    """The NDArrays printed on their own (`print(A)`) in full, in order."""
    blocks = re.findall(r"^(\[[^<]*\])\n<NDArray ([\dx]+) @", text, re.MULTILINE)
    return [as_array(body, shape) for body, shape in blocks if "..." not in body]


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


# The book's four convolutions, worked out by hand, and the stride and padding of each.
BOOK_CONVOLUTIONS = [
    ([[[[20, 26], [38, 44]]]], {}),
    ([[[[1, 9], [22, 44]]]], {"stride": 2, "pad": 1}),
    ([[[[269, 297], [353, 381]]]], {}),
    ([[[[269, 297], [353, 381]], [[686, 778], [962, 1054]]]], {}),
]


def test_convolutions_print_the_books_numbers(ran):
    arrays = printed_arrays(ran("cnn_scratch").out)
    names = [name for name, _ in arrays]
    assert names[:16] == ["input", "weight", "bias", "output"] * 4
    for k, (expected, kwargs) in enumerate(BOOK_CONVOLUTIONS):
        (_, x), (_, w), (_, b), (_, out) = arrays[4 * k:4 * k + 4]
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(out, correlate(x, w, b, **kwargs))
    # d2l's cross-correlation, on the first example's single channel; d2l needs MXNet's
    # numpy semantics (0-d results), switched on here only for the call
    (_, x), (_, w), (_, b), (_, out) = arrays[:4]
    with mx.util.np_shape(True), mx.util.np_array(True):
        theirs = d2l.corr2d(mx.np.array(x[0, 0]), mx.np.array(w[0, 0])).asnumpy() + b
    np.testing.assert_array_equal(out[0, 0], theirs)


def test_pooling_prints_the_books_numbers(ran):
    arrays = dict(printed_arrays(ran("cnn_scratch").out)[16:])
    np.testing.assert_array_equal(arrays["max pooling"], [[[[4, 5], [7, 8]], [[13, 14], [16, 17]]]])
    np.testing.assert_array_equal(arrays["avg pooling"], [[[[2, 3], [5, 6]], [[11, 12], [14, 15]]]])
    x = arrays["data"]
    windows = np.stack([x[..., i:i + 2, j:j + 2] for i in range(2) for j in range(2)], axis=-1)
    np.testing.assert_array_equal(arrays["max pooling"].reshape(1, 2, 4), windows.max(axis=(2, 3)))
    np.testing.assert_array_equal(arrays["avg pooling"].reshape(1, 2, 4), windows.mean(axis=(2, 3)))


# --- 5.1 and 5.2 LeNet ----------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["cnn_scratch", "batch_norm_scratch"])
def test_first_batch_prints_the_books_shapes(slug, ran):
    out = ran(slug).out
    for line in ("1st conv block: (256, 20, 12, 12)", "2nd conv block: (256, 1250)",
                 "1st dense: (256, 128)", "2nd dense: (256, 10)"):
        assert out.count(line) == 1
    assert "output: \n[[" in out


def test_scratch_lenet_equals_gluon_lenet_with_the_same_weights(ran):
    scratch, gluon_net = ran("cnn_scratch").ns, ran("cnn_gluon").ns["net"]
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    W1, b1, W2, b2, W3, b3, W4, b4 = scratch["params"]
    out = scratch["net"](X)
    assert out.shape == (2, 10) and np.abs(out.asnumpy()).max() > 1e-3
    # Dense stores its weight as (out, in); the scratch net multiplies by (in, out).
    for layer, weight, bias in ((gluon_net[0], W1, b1), (gluon_net[2], W2, b2),
                                (gluon_net[5], W3.T, b3), (gluon_net[6], W4.T, b4)):
        layer.weight.set_data(weight)
        layer.bias.set_data(bias)
    np.testing.assert_allclose(gluon_net(X).asnumpy(), out.asnumpy(), rtol=1e-4, atol=1e-6)


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


# --- 5.3 batch normalization from scratch -------------------------------------------------

@pytest.fixture(scope="module")
def bn(ran):
    return ran("batch_norm_scratch").ns


def _features(shape, seed=0):
    rng = np.random.RandomState(seed)
    # shifted and scaled so that normalizing visibly changes the numbers
    return nd.array(3 + 2 * rng.randn(*shape))


def _bn_inputs(shape, seed):
    """Input, gamma and beta, and moving mean and variance (numpy) that differ per channel."""
    channels = shape[1]
    gamma, beta = nd.array(np.linspace(.5, 2, channels)), nd.array(np.linspace(-1, 1, channels))
    return (_features(shape, seed), gamma, beta,
            np.linspace(-1, 1, channels), np.linspace(.5, 3, channels))


SHAPES = [(8, 5), (4, 3, 6, 6)]


@pytest.mark.parametrize("shape", SHAPES)
def test_pure_batch_norm_equals_mxnet_batchnorm_in_training_mode(bn, shape):
    X, gamma, beta, _, _ = _bn_inputs(shape, seed=0)
    channels = shape[1]
    ours = bn["pure_batch_norm"](X, gamma, beta)
    with autograd.train_mode():
        theirs = nd.BatchNorm(X, gamma, beta, nd.zeros(channels), nd.ones(channels), eps=1e-5,
                              fix_gamma=False, use_global_stats=False)
    np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), atol=1e-4)


@pytest.mark.parametrize("shape", SHAPES)
def test_pure_batch_norm_gives_zero_mean_unit_variance_per_channel(bn, shape):
    channels = shape[1]
    out = bn["pure_batch_norm"](_features(shape), nd.ones(channels), nd.zeros(channels)).asnumpy()
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    np.testing.assert_allclose(out.mean(axis=axes), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=axes), 1, atol=1e-3)


def test_pure_batch_norm_prints_the_books_examples(bn, ran):
    # columns (0, 2, 4) and (1, 3, 5): deviations -2, 0, 2 over sqrt(8/3), the book's 1.2247
    column = np.array([-2, 0, 2]) / np.sqrt(8 / 3 + 1e-5)
    # each channel of B: 0..8 (or 9..17) less its mean, over sqrt(60/9), the book's 1.5492
    channel = (np.arange(9) - 4).reshape(3, 3) / np.sqrt(60 / 9 + 1e-5)
    A_out = bn["pure_batch_norm"](bn["A"], nd.array([1, 1]), nd.array([0, 0]))
    np.testing.assert_allclose(A_out.asnumpy(), np.stack([column, column], axis=1), rtol=1e-5)
    arrays = printed_arrays_unnamed(ran("batch_norm_scratch").out)
    np.testing.assert_allclose(arrays[1], np.stack([column, column], axis=1), rtol=1e-5)
    np.testing.assert_allclose(arrays[3], [[channel, channel]], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("fn", ["pure_batch_norm", "batch_norm"])
def test_batch_norm_rejects_other_ranks(bn, fn):
    args = (nd.ones((2, 3, 4)), nd.ones(3), nd.zeros(3))
    if fn == "batch_norm":
        args += (True, nd.zeros(3), nd.zeros(3))
    with pytest.raises(AssertionError, match="2D"):
        bn[fn](*args)


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_training_step_updates_moving_statistics(bn, shape):
    X, gamma, beta, old_mean, old_var = _bn_inputs(shape, seed=1)
    moving_mean, moving_var = nd.array(old_mean), nd.array(old_var)

    out = bn["batch_norm"](X, gamma, beta, True, moving_mean, moving_var)

    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    x = X.asnumpy()
    np.testing.assert_allclose(moving_mean.asnumpy(), .9 * old_mean + .1 * x.mean(axis=axes),
                               rtol=1e-5)
    np.testing.assert_allclose(moving_var.asnumpy(), .9 * old_var + .1 * x.var(axis=axes),
                               rtol=1e-5)
    np.testing.assert_allclose(out.asnumpy(), bn["pure_batch_norm"](X, gamma, beta).asnumpy(),
                               atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_prediction_uses_moving_statistics(bn, shape):
    X, gamma, beta, mean, var = _bn_inputs(shape, seed=2)
    moving_mean, moving_var = nd.array(mean), nd.array(var)

    out = bn["batch_norm"](X, gamma, beta, False, moving_mean, moving_var)

    bshape = (1, shape[1]) + (1,) * (len(shape) - 2)
    expected = ((X.asnumpy() - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5)
                * gamma.asnumpy().reshape(bshape) + beta.asnumpy().reshape(bshape))
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(moving_mean.asnumpy(), np.float32(mean))
    np.testing.assert_array_equal(moving_var.asnumpy(), np.float32(var))


def test_scratch_bn_lenet_trains_with_is_training_and_predicts_without(bn):
    moving = [bn[name] for name in ("moving_mean1", "moving_variance1",
                                    "moving_mean2", "moving_variance2")]
    # training moved the statistics away from the zeros they started at
    assert all(np.abs(m.asnumpy()).max() > 0 for m in moving)
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    before = [m.asnumpy() for m in moving]
    bn["net"](X)
    for m, b in zip(moving, before):
        np.testing.assert_array_equal(m.asnumpy(), b)
    with autograd.record():
        out = bn["net"](X, is_training=True)
    out.backward()
    assert out.shape == (4, 10)
    assert all(np.abs(m.asnumpy() - b).max() > 0 for m, b in zip(moving, before))
    # every learned parameter, gamma and beta included, gets a gradient
    assert all(np.abs(p.grad.asnumpy()).max() > 0 for p in bn["params"])


# --- 5.4 batch normalization with Gluon -----------------------------------------------------

def test_gluon_bn_normalizes_each_conv_output_per_channel(ran):
    net = ran("batch_norm_gluon").ns["net"]
    assert [type(b).__name__ for b in net] == [
        "Conv2D", "BatchNorm", "Activation", "MaxPool2D", "Conv2D", "BatchNorm", "Activation",
        "MaxPool2D", "Flatten", "Dense", "Dense"]
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    conv = net[0](X).asnumpy()
    with autograd.train_mode():
        h = net[1](net[0](X)).asnumpy()
    mean, var = conv.mean(axis=(0, 2, 3), keepdims=True), conv.var(axis=(0, 2, 3), keepdims=True)
    gamma = net[1].gamma.data().asnumpy().reshape(1, -1, 1, 1)
    beta = net[1].beta.data().asnumpy().reshape(1, -1, 1, 1)
    np.testing.assert_allclose(h, (conv - mean) / np.sqrt(var + 1e-5) * gamma + beta,
                               rtol=1e-3, atol=1e-4)


# --- the real data --------------------------------------------------------------------------

@pytest.mark.slow
def test_gluon_lenet_reaches_the_books_accuracy_on_fashion_mnist(real_data, tmp_path):
    run = execute("cnn_gluon", tmp_path, ctx="cpu")  # the book's settings
    assert len(log_lines(run.out)) == 5
    assert run.ns["test_acc"] >= 0.85
