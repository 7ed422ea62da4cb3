"""Chapter 2, classification: softmax regression, multilayer perceptrons and dropout,
from scratch and with Gluon, on Fashion-MNIST. Each section runs once on tiny data
(module-scoped) and the tests read its namespace and printout."""
import contextlib
import io
import math
import re
from collections import namedtuple

import numpy as np
import pytest
from d2l import mxnet as d2l
from mxnet import autograd, gluon, nd

import utils
from conftest import run_section, write_fashion_mnist
from gluon_tutorials import cli, data, notebook, runtime, sections

# slug -> the book's last test accuracy
BOOK_ACC = {
    "softmax_regression_scratch": 0.7217,
    "softmax_regression_gluon": 0.8385,
    "mlp_scratch": 0.8717,
    "mlp_gluon": 0.8789,
    "dropout_scratch": 0.8464,
    "dropout_gluon": 0.8743,
}
SLUGS = list(BOOK_ACC)
TEXT = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
        'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
LOG_LINE = re.compile(r"^Epoch (\d+)\. Loss: (\d+\.\d{6}), Train acc (\d\.\d{6}), "
                      r"Test acc (\d\.\d{6})$", re.MULTILINE)
# A few seconds per section on the tiny data (300 train and 100 test images).
TINY = {"epochs": 1, "batch_size": 32, "subset": 200, "ctx": "cpu"}

Run = namedtuple("Run", "ns out seconds dir")


def execute(slug, out, **overrides):
    """Run a section in this process, capturing what it prints."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ns = run_section(slug, out, **overrides)
    return Run(ns, printed.getvalue(), list(runtime.epoch_seconds), out)


def log_lines(text):
    """[(epoch, loss, train acc, test acc)] of the book's epoch lines in `text`."""
    return [(int(epoch), *map(float, numbers)) for epoch, *numbers in LOG_LINE.findall(text)]


def is_png(path):
    return path.read_bytes().startswith(b"\x89PNG")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """conftest's tiny_fashion_mnist for the whole module, so each section runs once for
    all the tests that read it; returns (root folder, {file name: array})."""
    root = tmp_path_factory.mktemp("classification")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(data.ENV_OFFLINE, "1")
        mp.setenv(data.ENV_DATA, str(root / "data"))
        mp.delenv(data.ENV_FASHION_COPY, raising=False)
        for name in ("MXNET_DIR", "DEBIAN_DIR", "_PROJECT_ROOT"):
            mp.setattr(data, name, root / f"no-{name}")
        yield root, write_fashion_mnist(root / "data" / "fashion-mnist", mp)


@pytest.fixture(scope="module")
def ran(tiny):
    """ran(slug): the section's one-epoch run on the tiny data, executed on first use."""
    root, _ = tiny
    cache = {}

    def get(slug):
        if slug not in cache:
            cache[slug] = execute(slug, root / "out" / slug, **TINY)
        return cache[slug]
    return get


@pytest.fixture
def labels(tiny):
    """The tiny data's (train labels, test labels)."""
    arrays = tiny[1]
    return arrays["train-labels-idx1-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]


# --- every section ------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_one_epoch_prints_the_books_log_line(slug, ran):
    run = ran(slug)
    [(epoch, loss, train_acc, test_acc)] = log_lines(run.out)
    assert epoch == 0 and math.isfinite(loss) and loss > 0
    assert 0 <= train_acc <= 1
    # the book's figure is the last epoch's test accuracy, left in the namespace
    entry = sections.get(slug)
    assert entry.book == {"test_acc": BOOK_ACC[slug]}
    assert run.ns[entry.variable("test_acc")] == pytest.approx(test_acc, abs=5e-7)
    assert len(run.seconds) == 1
    assert is_png(run.dir / "predictions.png")


@pytest.mark.parametrize("slug", SLUGS)
def test_is_a_notebook_with_the_parameters_cell_first(slug):
    path = sections.get(slug).path
    source = path.read_text()
    assert "def main" not in source and "argparse" not in source
    assert "chapter02_supervised_learning" not in source  # no section imports another
    assert not re.search(r"^\s*%", source, re.MULTILINE)  # no IPython magics
    nb = notebook.read(path)
    first = nb.cells[0]
    chinese = sections.get(slug).title.split(" (")[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {chinese} (")
    index = notebook.parameters_index(nb, path)  # raises unless the first code cell is tagged
    setup = next(c for c in nb.cells[index + 1:] if c.cell_type == "code")
    assert "ctx = runtime.setup(ctx, seed)" in setup.source


# the book's values; every section also has ctx "auto", seed 1, subset None, out out/<slug>
DEFAULTS = {
    "softmax_regression_scratch": dict(epochs=5, batch_size=256, learning_rate=0.1),
    "softmax_regression_gluon": dict(epochs=5, batch_size=256, learning_rate=0.1, hybridize=True),
    "mlp_scratch": dict(epochs=5, batch_size=256, learning_rate=0.5, num_hidden=256,
                        weight_scale=0.01),
    "mlp_gluon": dict(epochs=5, batch_size=256, learning_rate=0.5, num_hidden=256,
                      hybridize=True),
    "dropout_scratch": dict(epochs=5, batch_size=256, learning_rate=0.5, drop_prob1=0.2,
                            drop_prob2=0.5, drop_at_test=True),
    "dropout_gluon": dict(epochs=5, batch_size=256, learning_rate=0.5, drop_prob1=0.2,
                          drop_prob2=0.5, hybridize=True),
}


@pytest.mark.parametrize("slug", SLUGS)
def test_defaults_are_the_books(slug):
    params = {p.name: p.default for p in notebook.parameters(sections.get(slug).path)}
    assert params == {**DEFAULTS[slug], "ctx": "auto", "seed": 1, "subset": None,
                      "out": f"out/{slug}"}


def test_registered_in_book_order_after_linear_regression():
    slugs = [s.slug for s in sections.SECTIONS]
    start = slugs.index("linear_regression_gluon") + 1
    assert slugs[start:start + len(SLUGS)] == SLUGS


# A rate that overflows the float32 weights within the tiny run's few batches: the linear
# Gluon model's gradients are small and bounded, so it needs a far larger rate.
DIVERGING_RATE = {slug: 1e9 for slug in SLUGS}
DIVERGING_RATE["softmax_regression_gluon"] = 1e38


@pytest.mark.parametrize("slug", SLUGS)
def test_a_diverging_run_stops_before_anything_is_written(slug, tiny, tmp_path):
    with pytest.raises(runtime.Diverged, match="training diverged"):
        execute(slug, tmp_path, **{**TINY, "learning_rate": DIVERGING_RATE[slug]})
    assert not (tmp_path / "predictions.png").exists()


def test_a_wrecked_but_finite_run_stops_with_exit_3(tiny, tmp_path, capsys):
    # On the tiny data at 10 (on the real data at 1e9) the loss is huge after one epoch but finite.
    code = cli.run(sections.get("mlp_gluon"), ["--lr", "10", "--epochs", "1", "--batch-size", "32",
                                               "--ctx", "cpu", "--out", str(tmp_path)])
    printed = capsys.readouterr()
    [(_, loss, _, _)] = log_lines(printed.out)
    assert math.isfinite(loss) and loss > 1000
    assert code == 3 and "far above the untrained model's 2.30259" in printed.err
    assert len(printed.err.splitlines()) == 1 and not (tmp_path / "predictions.png").exists()


@pytest.mark.parametrize("slug", ["mlp_gluon", "dropout_scratch"])
def test_training_learns_the_tiny_classes(slug, tiny, tmp_path):
    run = execute(slug, tmp_path, epochs=5, batch_size=30, ctx="cpu")
    lines = log_lines(run.out)
    assert [line[0] for line in lines] == [0, 1, 2, 3, 4]
    assert lines[-1][1] < lines[0][1] / 2  # the loss falls
    assert run.ns["test_acc"] > 0.9  # chance is 0.1


def test_same_seed_same_numbers(ran, tiny, tmp_path):
    first = log_lines(ran("dropout_gluon").out)
    assert log_lines(execute("dropout_gluon", tmp_path, **TINY).out) == first
    assert log_lines(execute("dropout_gluon", tmp_path, **TINY, seed=2).out) != first


@pytest.mark.parametrize("slug", ["softmax_regression_scratch", "mlp_gluon"])
def test_missing_data_is_the_data_layers_message(slug, data_dir, tmp_path, capsys):
    assert cli.run(sections.get(slug), ["--ctx", "cpu", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("error: missing data file(s):")


def test_command_line_has_the_sections_knobs(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.parse(sections.get("dropout_scratch"), ["--help"])
    assert exit_.value.code == 0
    help_ = capsys.readouterr().out
    assert all(flag in help_ for flag in ("--drop-prob1", "--drop-prob2", "--no-drop-at-test"))
    assert cli.parse(sections.get("dropout_scratch"), ["--no-drop-at-test"]) == {
        "drop_at_test": False}
    assert cli.parse(sections.get("mlp_scratch"), ["--weight-scale", "0.1"]) == {
        "weight_scale": 0.1}


@pytest.mark.parametrize("argv, message", [
    (["--drop-prob1", "1"], "expected a probability in [0, 1), got 1"),
    (["--drop-prob2", "-0.1"], "expected a finite number >= 0, got -0.1"),
])
def test_bad_drop_probability_is_a_command_line_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.parse(sections.get("dropout_gluon"), argv)
    assert exit_.value.code == 2
    assert f"argument {argv[0]}: {message}" in capsys.readouterr().err


# --- softmax regression from scratch ------------------------------------------------------

def test_softmax_rows_are_probabilities(ran):
    ns = ran("softmax_regression_scratch").ns
    X = nd.random.normal(scale=5, shape=(6, 10))
    probs = ns["softmax"](X).asnumpy()
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), np.ones(6), rtol=1e-6)
    expected = np.exp(X.asnumpy()) / np.exp(X.asnumpy()).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-5)
    # the section's own example
    np.testing.assert_allclose(ns["X_prob"].sum(axis=1).asnumpy(), [1, 1], rtol=1e-6)


def test_cross_entropy_equals_gluon_softmax_cross_entropy(ran):
    ns = ran("softmax_regression_scratch").ns
    logits = nd.random.normal(scale=3, shape=(32, 10))
    labels = nd.array(np.random.RandomState(0).randint(0, 10, 32))
    ours = ns["cross_entropy"](ns["softmax"](logits), labels)
    gluons = gluon.loss.SoftmaxCrossEntropyLoss()(logits, labels)  # from_logits=False
    np.testing.assert_allclose(ours.asnumpy(), gluons.asnumpy(), atol=1e-5)


def test_accuracy_matches_numpy(ran):
    accuracy = ran("softmax_regression_scratch").ns["accuracy"]
    rng = np.random.RandomState(3)
    output, label = rng.normal(size=(50, 10)), rng.randint(0, 10, 50)
    label[:20] = output[:20].argmax(axis=1)  # make sure some predictions are right
    expected = np.mean(output.argmax(axis=1) == label)
    assert accuracy(nd.array(output), nd.array(label)) == pytest.approx(expected, abs=1e-7)


def test_scratch_net_outputs_class_probabilities(ran):
    ns = ran("softmax_regression_scratch").ns
    assert ns["params"][0] is ns["W"] and ns["params"][1] is ns["b"]
    assert [p.shape for p in ns["params"]] == [(784, 10), (10,)]
    images = nd.random.uniform(shape=(4, 28, 28, 1))  # the book's HWC examples
    probs = ns["net"](images).asnumpy()
    assert probs.shape == (4, 10)
    np.testing.assert_allclose(probs.sum(axis=1), np.ones(4), rtol=1e-5)


def test_softmax_scratch_prints_and_draws_the_books_examples(ran, labels):
    run = ran("softmax_regression_scratch")
    train_labels, test_labels = labels
    assert f"example shape:  (28, 28, 1) label: {float(train_labels[0])}\n" in run.out
    assert str([TEXT[i] for i in train_labels[:9]]) in run.out
    accuracy = float(re.search(r"^test acc before training: (\d\.\d{6})$", run.out,
                               re.MULTILINE).group(1))
    assert 0 <= accuracy <= 1
    assert "true labels\n" + str([TEXT[i] for i in test_labels[:9]]) + "\n" in run.out
    # the printed guesses are the trained model's arg-max on the first test images
    images, _ = run.ns["mnist_test"][0:9]
    guesses = [TEXT[int(i)] for i in run.ns["net"](images).argmax(axis=1).asnumpy()]
    assert "predicted labels\n" + str(guesses) + "\n" in run.out
    assert is_png(run.dir / "train_images.png")


# --- multilayer perceptron from scratch ---------------------------------------------------

def test_mlp_scratch_equals_gluons_dense_layers(ran):
    ns = ran("mlp_scratch").ns
    assert [p.shape for p in ns["params"]] == [(784, 256), (256,), (256, 10), (10,)]
    X = nd.random.normal(shape=(5, 7))
    np.testing.assert_array_equal(ns["relu"](X).asnumpy(), np.maximum(X.asnumpy(), 0))
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(256, activation="relu", in_units=784), gluon.nn.Dense(10, in_units=256))
    net.initialize()
    W1, b1, W2, b2 = ns["params"]
    for layer, W, b in ((net[0], W1, b1), (net[1], W2, b2)):
        layer.weight.set_data(W.T)  # Dense keeps (out, in)
        layer.bias.set_data(b)
    images = nd.random.uniform(shape=(4, 1, 28, 28))
    np.testing.assert_allclose(ns["net"](images).asnumpy(), net(images).asnumpy(),
                               rtol=1e-5, atol=1e-6)


# --- dropout ------------------------------------------------------------------------------

def test_dropout_keeps_everything_at_p0_and_nothing_at_p1(ran):
    run = ran("dropout_scratch")
    dropout, A = run.ns["dropout"], run.ns["A"]
    np.testing.assert_array_equal(dropout(A, 0).asnumpy(), A.asnumpy())
    np.testing.assert_array_equal(dropout(A, 1).asnumpy(), np.zeros((5, 4)))
    with pytest.raises(ValueError):
        dropout(A, 1.5)
    # the section printed the same two cases
    assert str(A) in run.out and str(nd.zeros((5, 4))) in run.out


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_is_unbiased(p, ran):
    dropout = ran("dropout_scratch").ns["dropout"]
    X = nd.arange(1, 21).reshape((1, 20))
    draws = dropout(nd.tile(X, (40000, 1)), p).asnumpy()
    # each element is either dropped or scaled by 1 / (1 - p)
    assert set(np.unique(draws / X.asnumpy()).round(5)) == {0, round(1 / (1 - p), 5)}
    assert (draws == 0).mean() == pytest.approx(p, abs=0.01)
    np.testing.assert_allclose(draws.mean(axis=0), X.asnumpy()[0], rtol=0.02)


def plain_forward(X, weights):
    """The dropout sections' 784-256-256-10 network without dropout, in numpy;
    `weights` are (W, b) pairs with W as (in, out)."""
    h = X.reshape((X.shape[0], -1))
    for i, (W, b) in enumerate(weights):
        h = h @ W + b
        if i < len(weights) - 1:
            h = np.maximum(h, 0)
    return h


def test_scratch_dropout_net_drops_at_test_time_only_as_asked(ran, monkeypatch):
    ns = ran("dropout_scratch").ns
    X = nd.random.uniform(shape=(8, 1, 28, 28))
    p = [param.asnumpy() for param in ns["params"]]
    plain = plain_forward(X.asnumpy(), list(zip(p[::2], p[1::2])))
    # the book's net drops in every forward pass, evaluation included
    assert ns["drop_at_test"] is True
    assert not np.allclose(ns["net"](X).asnumpy(), ns["net"](X).asnumpy())
    # the later editions' net is the plain network outside training ...
    monkeypatch.setitem(ns, "drop_at_test", False)
    np.testing.assert_allclose(ns["net"](X).asnumpy(), plain, rtol=1e-4, atol=1e-6)
    # ... and still drops while training
    with autograd.record():
        assert not np.allclose(ns["net"](X).asnumpy(), plain, rtol=1e-4, atol=1e-6)


def test_gluon_dropout_drops_only_while_training(ran):
    net = ran("dropout_gluon").ns["net"]
    assert [type(b).__name__ for b in net] == [
        "Flatten", "Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert (net[2]._rate, net[4]._rate) == (0.2, 0.5)
    X = nd.random.uniform(shape=(8, 1, 28, 28))
    weights = [(d.weight.data().asnumpy().T, d.bias.data().asnumpy()) for d in net[1::2]]
    np.testing.assert_allclose(net(X).asnumpy(), plain_forward(X.asnumpy(), weights),
                               rtol=1e-4, atol=1e-6)
    with autograd.record():
        dropped = net[4](nd.ones((100, 50))).asnumpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}
    assert (dropped == 0).mean() == pytest.approx(0.5, abs=0.05)


def test_gluon_nets_have_the_books_layers(ran):
    shapes = {
        "softmax_regression_gluon": [(10, 784), (10,)],
        "mlp_gluon": [(256, 784), (256,), (10, 256), (10,)],
        "dropout_gluon": [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)],
    }
    for slug, expected in shapes.items():
        net = ran(slug).ns["net"]
        assert net(nd.ones((2, 1, 28, 28))).shape == (2, 10)
        assert [p.shape for p in net.collect_params().values()] == expected


# --- cross-check with d2l, the book's successor -------------------------------------------

def test_accuracy_sgd_and_text_labels_agree_with_d2l(ran, labels):
    run = ran("softmax_regression_scratch")
    ns = run.ns
    # text labels: the helper, and the names the section printed for its first images
    assert ns["get_text_labels"](range(10)) == d2l.get_fashion_mnist_labels(range(10))
    assert str(d2l.get_fashion_mnist_labels(labels[0][:9])) in run.out
    # accuracy: d2l works on mxnet.np arrays, and counts where the book averages
    rng = np.random.RandomState(1)
    output, label = rng.normal(size=(40, 10)), rng.randint(0, 10, 40)
    label[:15] = output[:15].argmax(axis=1)
    output, label = nd.array(output), nd.array(label)
    correct = d2l.accuracy(output.as_np_ndarray(), label.as_np_ndarray())
    assert ns["accuracy"](output, label) == pytest.approx(correct / 40)
    # sgd: the scratch sections' step, utils.SGD(params, lr / batch_size), is d2l's
    lr, batch_size = 0.1, 256
    X, y = nd.random.uniform(shape=(8, 784)), nd.arange(8)
    stepped = []
    for step in (lambda ps: utils.SGD(ps, lr / batch_size), lambda ps: d2l.sgd(ps, lr, batch_size)):
        params = [ns["W"].copy(), ns["b"].copy()]
        for param in params:
            param.attach_grad()
        with autograd.record():
            loss = ns["cross_entropy"](ns["softmax"](nd.dot(X, params[0]) + params[1]), y)
        loss.backward()
        before = params[0].asnumpy()
        step(params)
        assert not np.allclose(params[0].asnumpy(), before)
        stepped.append([param.asnumpy() for param in params])
    for ours, theirs in zip(*stepped):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


# --- real data (slow) ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("slug, at_least", [
    ("softmax_regression_scratch", 0.70), ("softmax_regression_gluon", 0.80),
    ("mlp_scratch", 0.85), ("mlp_gluon", 0.85), ("dropout_scratch", 0.82), ("dropout_gluon", 0.85),
])
def test_book_settings_reach_the_books_accuracy(slug, at_least, real_data, tmp_path):
    run = execute(slug, tmp_path, ctx="cpu")
    assert [line[0] for line in log_lines(run.out)] == [0, 1, 2, 3, 4]
    assert run.ns["test_acc"] >= at_least
