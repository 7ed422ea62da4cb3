"""Chapter 2: linear regression from scratch (3.1) and with Gluon (3.2) recover the true
model; both sections are executed as notebooks."""
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

from gluon_tutorials import notebook, runtime, sections
from test_chapter01 import assert_holds_the_book_figures, assert_is_a_notebook, run_captured

SLUGS = ["linear_regression_scratch", "linear_regression_gluon"]
SEEDS = [1, 7, 2017]


@pytest.fixture(scope="module")
def book_runs(tmp_path_factory):
    """{(slug, seed): (namespace, printed text)} of full runs with the book's settings."""
    out = tmp_path_factory.mktemp("linear_regression")
    return {(slug, seed): run_captured(slug, out / f"{slug}-{seed}", seed=seed)
            for slug in SLUGS for seed in SEEDS}


@pytest.fixture(scope="module")
def short_runs(tmp_path_factory):
    """One-epoch runs on 95 examples (not a multiple of the batch): seeds 3, 3 and 4."""
    out = tmp_path_factory.mktemp("short")
    return {slug: [run_captured(slug, out / slug, seed=seed, epochs=1, num_examples=95)[0]
                   for seed in (3, 3, 4)]
            for slug in SLUGS}


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("seed", SEEDS)
def test_recovers_true_weights(book_runs, slug, seed):
    ns, out = book_runs[slug, seed]
    np.testing.assert_allclose(ns["w"].asnumpy().reshape(-1), [2, -3.4], atol=0.01)
    assert ns["b"].asscalar() == pytest.approx(4.2, abs=0.01)
    # the noise alone gives about 1e-4 (scratch) or 5e-5 (L2Loss halves the square)
    assert ns["average_loss"] < 2e-4
    assert out.count(", average loss: ") == 5 and "learned w" in out


@pytest.mark.parametrize("slug", SLUGS)
def test_namespace_holds_the_figures_the_book_printed(book_runs, slug):
    assert_holds_the_book_figures(slug, book_runs[slug, 1][0])


@pytest.mark.parametrize("slug", SLUGS)
def test_loss_falls_from_epoch_to_epoch(book_runs, slug):
    _, out = book_runs[slug, 1]
    losses = [float(line.rsplit(" ", 1)[1]) for line in out.splitlines()
              if ", average loss: " in line]
    assert losses[0] > 100 * losses[-1]
    assert losses[-1] == pytest.approx(book_runs[slug, 1][0]["average_loss"], abs=1e-6)


def test_scratch_draws_the_data(book_runs):
    _, out = book_runs["linear_regression_scratch", 1]
    path = out.split("wrote ", 1)[1].split("\n", 1)[0]
    assert path.endswith("data.png") and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("slug", SLUGS)
def test_same_seed_same_numbers(short_runs, slug):
    first, second, other = short_runs[slug]
    np.testing.assert_array_equal(first["w"].asnumpy(), second["w"].asnumpy())
    assert first["average_loss"] == second["average_loss"]
    assert not np.array_equal(first["w"].asnumpy(), other["w"].asnumpy())


def test_data_iter_covers_every_example_once(short_runs):
    ns = short_runs["linear_regression_scratch"][0]
    seen = []
    for data, label in ns["data_iter"]():
        assert data.shape[0] == label.shape[0] <= 10
        seen += data[:, 0].asnumpy().tolist()
    assert sorted(seen) == sorted(ns["X"][:, 0].asnumpy().tolist())


def test_gluon_reads_every_example_once_an_epoch(short_runs):
    ns = short_runs["linear_regression_gluon"][0]
    labels = np.concatenate([label.asnumpy() for _, label in ns["data_iter"]])
    np.testing.assert_array_equal(np.sort(labels), np.sort(ns["y"].asnumpy()))


def test_square_loss_does_not_broadcast(short_runs):
    square_loss = short_runs["linear_regression_scratch"][0]["square_loss"]
    yhat, y = nd.array([[1.0], [2.0]]), nd.array([0.0, 4.0])
    np.testing.assert_array_equal(square_loss(yhat, y).asnumpy(), [[1.0], [4.0]])


def test_losses_and_sgd_agree_with_d2l(short_runs):
    from d2l import mxnet as d2l

    ns = short_runs["linear_regression_scratch"][0]
    yhat, y = nd.array([[1.5], [-2.0], [3.0]]), nd.array([1.0, 0.5, 3.0])
    # d2l's squared loss is the book's halved, which is what Gluon's L2Loss computes
    np.testing.assert_allclose(ns["square_loss"](yhat, y).asnumpy(),
                               2 * d2l.squared_loss(yhat, y).asnumpy())
    np.testing.assert_allclose(gluon.loss.L2Loss()(yhat, y).asnumpy(),
                               d2l.squared_loss(yhat, y).asnumpy().reshape(-1))
    # the book's SGD is d2l's sgd with the batch size folded into the rate
    ours, theirs = nd.array([1.0, -2.0]), nd.array([1.0, -2.0])
    for param in (ours, theirs):
        param.attach_grad()
        with autograd.record():
            loss = (param * param * nd.array([3.0, 0.5])).sum()
        loss.backward()
    ns["SGD"]([ours], 0.1 / 4)
    d2l.sgd([theirs], 0.1, 4)
    np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), rtol=1e-6)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_diverging_rate_stops_the_run(slug, tmp_path):
    with pytest.raises(runtime.Diverged, match="learning_rate = 1e\\+09"):
        run_captured(slug, tmp_path, learning_rate=1e9)


@pytest.mark.parametrize("slug", SLUGS)
def test_section_is_a_notebook(slug):
    assert_is_a_notebook(slug)


def test_defaults_are_the_books():
    def defaults(slug):
        return {p.name: p.default for p in notebook.parameters(sections.get(slug).path)}

    scratch, gluon_ = defaults("linear_regression_scratch"), defaults("linear_regression_gluon")
    for params, rate in ((scratch, 0.001), (gluon_, 0.1)):
        assert (params["epochs"], params["batch_size"], params["learning_rate"]) == (5, 10, rate)
        assert (params["num_examples"], params["seed"]) == (1000, 1)
    assert gluon_["hybridize"] is True
