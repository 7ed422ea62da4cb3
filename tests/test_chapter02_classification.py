"""Chapter 2, classification: softmax regression, multilayer perceptrons and dropout,
from scratch and with Gluon, on Fashion-MNIST."""
import ast
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli, sections
from gluon_tutorials.chapter02_supervised_learning import (
    dropout_gluon, dropout_scratch, mlp_gluon, mlp_scratch, softmax_regression_gluon,
    softmax_regression_scratch)

ROOT = Path(__file__).resolve().parents[1]

# slug, module, the book's defaults (epochs, batch size, lr), the book's last test accuracy
BOOK = [
    ("softmax_regression_scratch", softmax_regression_scratch, (5, 256, 0.1), 0.7217),
    ("softmax_regression_gluon", softmax_regression_gluon, (5, 256, 0.1), 0.8385),
    ("mlp_scratch", mlp_scratch, (5, 256, 0.5), 0.8717),
    ("mlp_gluon", mlp_gluon, (5, 256, 0.5), 0.8789),
    ("dropout_scratch", dropout_scratch, (5, 256, 0.5), 0.8464),
    ("dropout_gluon", dropout_gluon, (5, 256, 0.5), 0.8743),
]
MODULES = [module for _, module, _, _ in BOOK]
SLUGS = [slug for slug, _, _, _ in BOOK]
LOG_LINE = re.compile(r"^Epoch (\d+)\. Loss: \d+\.\d{6}, Train acc \d\.\d{6}, Test acc \d\.\d{6}$",
                      re.MULTILINE)


# --- softmax regression from scratch -------------------------------------------------

def test_softmax_rows_are_probabilities():
    X = nd.random.normal(scale=5, shape=(6, 10))
    probs = softmax_regression_scratch.softmax(X).asnumpy()
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), np.ones(6), rtol=1e-6)
    expected = np.exp(X.asnumpy()) / np.exp(X.asnumpy()).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-5)


def test_cross_entropy_equals_gluon_softmax_cross_entropy():
    logits = nd.random.normal(scale=3, shape=(32, 10))
    labels = nd.array(np.random.RandomState(0).randint(0, 10, 32))
    section = softmax_regression_scratch
    ours = section.cross_entropy(section.softmax(logits), labels)
    gluons = gluon.loss.SoftmaxCrossEntropyLoss()(logits, labels)  # from_logits=False
    np.testing.assert_allclose(ours.asnumpy(), gluons.asnumpy(), atol=1e-5)


def test_accuracy_matches_numpy():
    rng = np.random.RandomState(3)
    output, label = rng.normal(size=(50, 10)), rng.randint(0, 10, 50)
    label[:20] = output[:20].argmax(axis=1)  # make sure some predictions are right
    expected = np.mean(output.argmax(axis=1) == label)
    got = softmax_regression_scratch.accuracy(nd.array(output), nd.array(label))
    assert got == pytest.approx(expected, abs=1e-7)


def test_scratch_net_outputs_class_probabilities():
    params = softmax_regression_scratch.init_params()
    assert [p.shape for p in params] == [(784, 10), (10,)]
    images = nd.random.uniform(shape=(4, 28, 28, 1))  # the book's HWC examples
    probs = softmax_regression_scratch.net(images, params).asnumpy()
    assert probs.shape == (4, 10)
    np.testing.assert_allclose(probs.sum(axis=1), np.ones(4), rtol=1e-5)


# --- dropout ---------------------------------------------------------------------------

def test_dropout_keeps_everything_at_p0_and_nothing_at_p1():
    X = nd.arange(20).reshape((5, 4))
    np.testing.assert_array_equal(dropout_scratch.dropout(X, 0).asnumpy(), X.asnumpy())
    np.testing.assert_array_equal(dropout_scratch.dropout(X, 1).asnumpy(), np.zeros((5, 4)))
    with pytest.raises(ValueError):
        dropout_scratch.dropout(X, 1.5)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_is_unbiased(p):
    mx.random.seed(0)
    X = nd.arange(1, 21).reshape((1, 20))
    draws = dropout_scratch.dropout(nd.tile(X, (40000, 1)), p).asnumpy()
    # each element is either dropped or scaled by 1 / (1 - p)
    assert set(np.unique(draws / X.asnumpy()).round(5)) == {0, round(1 / (1 - p), 5)}
    assert (draws == 0).mean() == pytest.approx(p, abs=0.01)
    np.testing.assert_allclose(draws.mean(axis=0), X.asnumpy()[0], rtol=0.02)


def test_gluon_dropout_is_identity_outside_training_only():
    layer = gluon.nn.Dropout(0.5)
    X = nd.ones((100, 50))
    np.testing.assert_array_equal(layer(X).asnumpy(), X.asnumpy())
    with autograd.record():
        dropped = layer(X).asnumpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}
    assert (dropped == 0).mean() == pytest.approx(0.5, abs=0.05)


def test_scratch_dropout_net_drops_at_test_time_only_as_asked():
    params = mlp_scratch.init_params([784, 256, 256, 10], .01)
    X = nd.random.uniform(shape=(8, 1, 28, 28))
    plain = dropout_scratch.net(X, params, 0, 0).asnumpy()

    def forward(drop_at_test):
        return dropout_scratch.net(X, params, .2, .5, drop_at_test).asnumpy()

    # the book's net drops in every forward pass, evaluation included
    assert not np.allclose(forward(True), forward(True))
    # the later editions' net is the plain network outside training ...
    np.testing.assert_allclose(forward(False), plain, rtol=1e-6)
    # ... and still drops while training
    with autograd.record():
        assert not np.allclose(forward(False), plain)


# --- the sections ---------------------------------------------------------------------

@pytest.mark.parametrize("section", MODULES, ids=SLUGS)
def test_main_runs_one_epoch_on_tiny_data(section, tiny_fashion_mnist, tmp_path, capsys):
    result = section.main(["--epochs", "1", "--batch-size", "32", "--ctx", "cpu",
                           "--out", str(tmp_path)])
    assert {"loss", "train_acc", "test_acc", "epoch_seconds"} <= set(result)
    assert math.isfinite(result["loss"]) and result["loss"] > 0
    assert 0 <= result["train_acc"] <= 1 and 0 <= result["test_acc"] <= 1
    assert len(result["epoch_seconds"]) == 1
    lines = LOG_LINE.findall(capsys.readouterr().out)
    assert lines == ["0"]
    assert (tmp_path / "predictions.png").read_bytes().startswith(b"\x89PNG")


def test_softmax_scratch_prints_and_draws_the_books_examples(tiny_fashion_mnist, tmp_path, capsys):
    softmax_regression_scratch.main(["--epochs", "1", "--ctx", "cpu", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    text = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
            'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    train_labels = tiny_fashion_mnist["train-labels-idx1-ubyte.gz"][:9]
    test_labels = tiny_fashion_mnist["t10k-labels-idx1-ubyte.gz"][:9]
    assert "example shape:  (28, 28, 1)" in out
    assert str([text[i] for i in train_labels]) in out
    assert "true labels\n" + str([text[i] for i in test_labels]) in out
    predicted = out.split("predicted labels\n")[1].splitlines()[0]
    assert all(name in text for name in ast.literal_eval(predicted))
    assert (tmp_path / "train_images.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("section", [mlp_gluon, dropout_scratch], ids=["gluon", "scratch"])
def test_training_learns_the_tiny_classes(section, tiny_fashion_mnist, tmp_path, capsys):
    result = section.main(["--epochs", "5", "--batch-size", "30", "--ctx", "cpu",
                           "--out", str(tmp_path)])
    assert result["test_acc"] > 0.9  # chance is 0.1


def test_same_seed_same_numbers(tiny_fashion_mnist, tmp_path, capsys):
    def run(seed):
        return dropout_gluon.main(["--epochs", "1", "--batch-size", "64", "--ctx", "cpu",
                                   "--seed", str(seed), "--out", str(tmp_path)])
    first, again, other = run(5), run(5), run(6)
    keys = ("loss", "train_acc", "test_acc")
    assert [first[k] for k in keys] == [again[k] for k in keys]
    assert first["loss"] != other["loss"]


@pytest.mark.parametrize("section", [softmax_regression_scratch, mlp_gluon],
                         ids=["per-example", "arrays"])
def test_missing_data_is_the_data_layers_message(section, data_dir, tmp_path, capsys):
    assert cli.run(section.main, ["--ctx", "cpu", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("error: missing data file(s):")


@pytest.mark.parametrize("argv", [["--drop-prob1", "1.5"], ["--drop-prob2", "-0.1"]])
def test_bad_drop_probability_is_an_argparse_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        dropout_gluon.parse_args(argv)
    assert exit_.value.code == 2
    assert "probability in [0, 1]" in capsys.readouterr().err


def test_runs_as_a_file_path():
    path = ROOT / "gluon_tutorials/chapter02_supervised_learning/dropout_gluon.py"
    result = subprocess.run([sys.executable, str(path), "--help"], capture_output=True,
                            text=True, timeout=120, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    assert "run dropout_gluon" in result.stdout and "--drop-prob2" in result.stdout


# --- the book's settings -----------------------------------------------------------------

@pytest.mark.parametrize("slug, section, defaults, test_acc", BOOK, ids=SLUGS)
def test_defaults_and_registry_are_the_books(slug, section, defaults, test_acc):
    args = section.parse_args([])
    assert (args.epochs, args.batch_size, args.lr) == defaults
    assert args.out == Path("out") / slug
    entry = sections.get(slug)
    assert entry.load() is section
    assert entry.book == {"test_acc": test_acc}


def test_section_specific_defaults_are_the_books():
    assert mlp_scratch.parse_args([]).num_hidden == mlp_gluon.parse_args([]).num_hidden == 256
    assert mlp_scratch.parse_args([]).weight_scale == 0.01
    for section in (dropout_scratch, dropout_gluon):
        args = section.parse_args([])
        assert (args.drop_prob1, args.drop_prob2) == (0.2, 0.5)
    assert dropout_scratch.parse_args([]).drop_at_test is True


def test_registered_in_book_order_after_linear_regression():
    slugs = [s.slug for s in sections.SECTIONS]
    start = slugs.index("linear_regression_gluon") + 1
    assert slugs[start:start + len(SLUGS)] == SLUGS


def test_gluon_nets_have_the_books_layers():
    X = nd.ones((2, 1, 28, 28))
    shapes = {
        softmax_regression_gluon: [(10, 784), (10,)],
        mlp_gluon: [(256, 784), (256,), (10, 256), (10,)],
        dropout_gluon: [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)],
    }
    for section, expected in shapes.items():
        net = section.build_net()
        assert net(X).shape == (2, 10)
        assert [p.shape for p in net.collect_params().values()] == expected
    assert [type(b).__name__ for b in dropout_gluon.build_net()] == [
        "Flatten", "Dense", "Dropout", "Dense", "Dropout", "Dense"]


# --- cross-check with d2l, the book's successor ----------------------------------------

def test_text_labels_and_accuracy_agree_with_d2l():
    d2l = pytest.importorskip("d2l.mxnet")
    assert utils.get_text_labels(range(10)) == d2l.get_fashion_mnist_labels(range(10))
    rng = np.random.RandomState(1)
    output, label = rng.normal(size=(40, 10)), rng.randint(0, 10, 40)
    label[:15] = output[:15].argmax(axis=1)
    output, label = nd.array(output), nd.array(label)
    # d2l works on mxnet.np arrays, and counts where the book averages
    correct = d2l.accuracy(output.as_np_ndarray(), label.as_np_ndarray())
    assert utils.accuracy(output, label) == pytest.approx(correct / 40)


# --- real data (slow) ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("section, at_least", [(softmax_regression_gluon, 0.80), (mlp_gluon, 0.85)],
                         ids=["softmax_gluon", "mlp_gluon"])
def test_book_settings_reach_the_books_accuracy(section, at_least, real_data, tmp_path, capsys):
    result = section.main(["--ctx", "cpu", "--out", str(tmp_path)])
    assert result["test_acc"] >= at_least
    assert len(LOG_LINE.findall(capsys.readouterr().out)) == 5
