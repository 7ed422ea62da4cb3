"""Chapter 2, regression sections executed as notebooks: underfit_overfit (3.7),
reg_scratch (3.8), reg_gluon (3.9) and kaggle_gluon_kfold (3.12)."""
import math
from pathlib import Path

import mxnet as mx
import numpy as np
import pandas as pd
import pytest
from mxnet import autograd, gluon, nd

from conftest import kaggle_frames, register
from gluon_tutorials import cli, data, notebook, runtime, sections
from test_chapter01 import assert_holds_the_book_figures, assert_is_a_notebook, run_captured

SLUGS = ["underfit_overfit", "reg_scratch", "reg_gluon", "kaggle_gluon_kfold"]
PNG = b"\x89PNG\r\n\x1a\n"


def is_png(path):
    return Path(path).read_bytes()[:8] == PNG


@pytest.fixture(scope="module")
def book_runs(tmp_path_factory):
    """Runs of the three synthetic-data sections with the book's settings:
    {slug: (namespace, printed text, out folder)}."""
    runs = {}
    for slug in SLUGS[:3]:
        out = tmp_path_factory.mktemp(slug)
        runs[slug] = (*run_captured(slug, out), out)
    return runs


# --- underfit_overfit -------------------------------------------------------------

def test_third_order_fit_recovers_the_cubic(book_runs):
    ns, out, _ = book_runs["underfit_overfit"]
    np.testing.assert_allclose(ns["w"].asnumpy().reshape(-1), [1.2, -3.4, 5.6], atol=0.1)
    assert ns["b"].asscalar() == pytest.approx(5.0, abs=0.1)
    (cubic_train, cubic_test), _, _ = ns["losses"]
    assert len(cubic_train) == len(cubic_test) == 100
    assert cubic_test[-1] < 0.05  # the noise (sd 0.1) alone gives 0.005 under L2Loss
    assert out.count("train loss") == 3


def test_linear_fit_underfits_and_two_examples_overfit(book_runs):
    ns, _, out_dir = book_runs["underfit_overfit"]
    (cubic_train, _), (linear_train, _), (few_train, few_test) = ns["losses"]
    assert linear_train[-1] > 100 * cubic_train[-1]
    assert few_test[-1] > 10 * few_train[-1]
    assert is_png(out_dir / "losses.png")


def test_few_may_not_exceed_the_training_set(tmp_path):
    with pytest.raises(ValueError, match="few"):
        run_captured("underfit_overfit", tmp_path, epochs=1, num_train=1)


# --- L2 regularisation ------------------------------------------------------------

@pytest.mark.parametrize("slug, strength, label", [("reg_scratch", 2, "lambda"),
                                                   ("reg_gluon", 5, "wd")])
def test_overfits_without_regularisation_and_regularisation_lowers_test_loss(
        book_runs, slug, strength, label):
    ns, out, out_dir = book_runs[slug]
    (none, train0, test0), (penalty, train_reg, test_reg) = ns["losses"]
    assert (none, penalty) == (0, strength) and len(train0) == len(test_reg) == 10
    assert test0[-1] >= 5 * train0[-1]
    # Over seeds 1-8 the penalty cuts the test loss more than tenfold; a fourfold cut
    # does not happen by chance between two unregularised runs.
    assert test_reg[-1] < test0[-1] / 4
    assert train_reg[-1] > train0[-1]  # the penalty costs some fit on the training set
    assert f"{label} 0: train loss" in out and f"{label} {strength}: train loss" in out
    assert out.count("learned w[:10]") == 2
    assert is_png(out_dir / "losses.png")


@pytest.mark.parametrize("slug", ["reg_scratch", "reg_gluon"])
def test_labels_leave_out_the_bias_as_the_books_code_does(book_runs, slug):
    ns = book_runs[slug][0]
    residual = (ns["y"] - nd.dot(ns["X"], ns["true_w"])).asnumpy()
    assert abs(residual.mean()) < 0.005 and residual.std() == pytest.approx(0.01, rel=0.2)


def test_l2_penalty_of_a_known_tensor(book_runs):
    L2_penalty = book_runs["reg_scratch"][0]["L2_penalty"]
    w, b = nd.array([[1.], [2.], [-3.]]), nd.array([0.5])
    assert L2_penalty(w, b).asscalar() == pytest.approx(1 + 4 + 9 + 0.25)


def test_l2_penalty_gradient_is_twice_the_parameter(book_runs):
    L2_penalty = book_runs["reg_scratch"][0]["L2_penalty"]
    w, b = nd.array([[1.], [-2.]]), nd.array([3.])
    for param in (w, b):
        param.attach_grad()
    with autograd.record():
        penalty = L2_penalty(w, b)
    penalty.backward()
    np.testing.assert_allclose(w.grad.asnumpy(), 2 * w.asnumpy())
    np.testing.assert_allclose(b.grad.asnumpy(), 2 * b.asnumpy())


def test_trainer_weight_decay_is_the_gradient_of_an_l2_penalty():
    # sgd with wd: w <- w - lr * (grad + wd * w), the gradient of loss + wd/2 * ||w||^2.
    lr, wd = 0.1, 0.5
    w = gluon.Parameter("w", shape=(3,))
    w.initialize(mx.init.Constant(2.))
    trainer = gluon.Trainer([w], 'sgd', {'learning_rate': lr, 'wd': wd})
    x = nd.array([1., -1., 3.])
    with autograd.record():
        loss = (w.data() * x).sum()
    loss.backward()
    trainer.step(1)
    np.testing.assert_allclose(w.data().asnumpy(), 2. - lr * (x.asnumpy() + wd * 2.), rtol=1e-6)


@pytest.mark.parametrize("slug", ["reg_scratch", "reg_gluon", "kaggle_gluon_kfold"])
def test_weight_decay_may_be_zero_but_not_negative(slug, capsys):
    section = sections.get(slug)
    assert cli.parse(section, ["--weight-decay", "0"]) == {"weight_decay": 0.0}
    with pytest.raises(SystemExit) as exit_:
        cli.parse(section, ["--weight-decay", "-1"])
    assert exit_.value.code == 2


def test_no_weight_decay_leaves_both_runs_unregularised(tmp_path):
    ns, out = run_captured("reg_gluon", tmp_path, weight_decay=0.0)
    (first, train0, _), (second, train1, _) = ns["losses"]
    assert first == second == 0
    assert max(train0[-1], train1[-1]) < 1e-4  # both fit the 20 examples almost exactly
    assert out.count("wd 0: train loss") == 2


# --- Kaggle house prices ----------------------------------------------------------

@pytest.fixture(scope="module")
def kaggle_run(tmp_path_factory):
    """Two epochs per fit on conftest's tiny tables, every epoch's train loss printed:
    (namespace, printed text, out folder, (train, test) frames). Run once for the module,
    so it sets up the data as conftest's tiny_kaggle does, with a module-wide MonkeyPatch."""
    frames = kaggle_frames()
    directory = tmp_path_factory.mktemp("kaggle-data")
    out = tmp_path_factory.mktemp("kaggle-out")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(data.ENV_DATA, str(directory))
        monkeypatch.setenv(data.ENV_OFFLINE, "1")
        for name, frame in zip(("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"),
                               frames):
            raw = frame.to_csv(index=False).encode()
            (directory / name).write_bytes(raw)
            register(monkeypatch, name, raw)
        ns, printed = run_captured("kaggle_gluon_kfold", out, epochs=2, verbose_epoch=0)
    return ns, printed, out, frames


def test_kaggle_cross_validates_and_writes_a_submission(kaggle_run):
    ns, out, out_dir, (_, test) = kaggle_run
    fold_test_losses = [float(line.split(": ")[1]) for line in out.splitlines()
                        if line.startswith("Test loss: ")]
    assert len(fold_test_losses) == 5
    assert ns["test_loss"] == pytest.approx(np.mean(fold_test_losses), abs=1e-6)
    assert "5-fold validation: Avg train loss: %f, Avg test loss: %f" % (
        ns["train_loss"], ns["test_loss"]) in out
    assert "Epoch 1, train loss:" in out and "Epoch 0," not in out
    submission = pd.read_csv(out_dir / "submission.csv")
    assert list(submission.columns) == ["Id", "SalePrice"]
    assert list(submission.Id) == list(test.Id)
    assert np.isfinite(submission.SalePrice).all()
    assert f"wrote {out_dir / 'submission.csv'}" in out
    assert is_png(out_dir / "kfold.png") and is_png(out_dir / "train.png")
    assert not list(out_dir.glob(".*.tmp"))


def test_kaggle_preprocessing(kaggle_run):
    ns, _, _, (train, test) = kaggle_run
    X_train, X_test = ns["X_train"].asnumpy(), ns["X_test"].asnumpy()
    # 3 numeric columns, then one column per category plus one for NaN.
    columns = 3 + sum(pd.concat((train[c], test[c])).nunique() + 1
                      for c in ("MSZoning", "SaleCondition"))
    assert X_train.shape == (len(train), columns) and X_test.shape == (len(test), columns)
    assert X_train.dtype == X_test.dtype == np.float32
    assert not np.isnan(X_train).any() and not np.isnan(X_test).any()
    np.testing.assert_allclose(ns["y_train"].asnumpy(), train.SalePrice)
    # LotArea (no NaN) is the third column: standardised over train and test together.
    area = np.concatenate((X_train[:, 2], X_test[:, 2]))
    raw = pd.concat((train.LotArea, test.LotArea))
    np.testing.assert_allclose(area, (raw - raw.mean()) / raw.std(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n, k", [(60, 5), (23, 5), (7, 7)])
def test_k_folds_are_the_books_contiguous_slices(kaggle_run, n, k, monkeypatch):
    ns = kaggle_run[0]
    calls = []

    def record(net, X_train, y_train, X_test, y_test, *rest):
        calls.append((X_train.asnumpy()[:, 0].tolist(), X_test.asnumpy()[:, 0].tolist()))
        return 0.0, 0.0

    # k_fold_cross_valid looks train up in the section's namespace
    monkeypatch.setitem(ns, "train", record)
    rows = nd.arange(n).reshape((n, 1))
    ns["k_fold_cross_valid"](k, 1, 0, rows, nd.arange(n), 1.0, 0.0)
    size = n // k
    assert len(calls) == k
    for i, (trained_on, held_out) in enumerate(calls):
        assert held_out == list(range(i * size, (i + 1) * size))
        assert trained_on == [r for r in range(k * size) if r not in held_out]
    # as in the book, the n % k rows after the last fold are never used
    assert sorted(calls[0][0] + calls[0][1]) == list(range(k * size))


def test_get_rmse_log_against_numpy(kaggle_run):
    get_rmse_log = kaggle_run[0]["get_rmse_log"]
    preds = np.array([[0.5], [120000.], [95000.], [310000.]], dtype=np.float32)
    prices = np.array([50000., 100000., 99000., 250000.], dtype=np.float32)
    expected = math.sqrt(np.mean((np.log(np.maximum(preds[:, 0], 1)) - np.log(prices)) ** 2))
    got = get_rmse_log(lambda X: X, nd.array(preds), nd.array(prices))
    assert got == pytest.approx(expected, rel=1e-5)


def test_kaggle_diverged_run_writes_nothing(tiny_kaggle, tmp_path):
    # Adam at this rate keeps every number finite (predictions of +-1e10), but the
    # squared error ends far above the untrained net's
    with pytest.raises(runtime.Diverged, match="above the untrained model's"):
        run_captured("kaggle_gluon_kfold", tmp_path / "out", learning_rate=1e9, epochs=3)
    assert not list(tmp_path.glob("out/*"))  # no submission, no figure


def test_kaggle_tiny_learning_rate_is_not_called_divergence(tiny_kaggle, tmp_path):
    # the fit barely moves, but it moves downhill: a submission, not an error
    run_captured("kaggle_gluon_kfold", tmp_path / "out", learning_rate=1e-6, epochs=1, k=2)
    assert len(pd.read_csv(tmp_path / "out" / "submission.csv")) == len(tiny_kaggle[1])


def test_kaggle_missing_data_is_one_clear_message(data_dir, tmp_path, capsys):
    assert cli.run(sections.get("kaggle_gluon_kfold"), ["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "kaggle_house_pred_train.csv" in err


@pytest.mark.parametrize("argv", [["--k", "0"], ["--k", "1"], ["--learning-rate", "0"],
                                  ["--epochs", "-1"], ["--weight-decay", "nan"]])
def test_kaggle_bad_arguments_are_argparse_errors(argv):
    with pytest.raises(SystemExit) as exit_:
        cli.parse(sections.get("kaggle_gluon_kfold"), argv)
    assert exit_.value.code == 2


# --- every section: contract, defaults, divergence, registry ------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_section_is_a_notebook(slug):
    assert_is_a_notebook(slug)


BOOK_DEFAULTS = {
    "underfit_overfit": {"epochs": 100, "batch_size": 10, "learning_rate": 0.01,
                         "num_train": 100, "num_test": 100, "few": 2},
    "reg_scratch": {"epochs": 10, "batch_size": 1, "learning_rate": 0.002, "weight_decay": 2},
    "reg_gluon": {"epochs": 10, "batch_size": 1, "learning_rate": 0.005, "weight_decay": 5},
    "kaggle_gluon_kfold": {"epochs": 100, "batch_size": 100, "learning_rate": 5, "k": 5,
                           "weight_decay": 0, "verbose_epoch": 95},
}


@pytest.mark.parametrize("slug", SLUGS)
def test_defaults_are_the_books(slug):
    params = {p.name: p.default for p in notebook.parameters(sections.get(slug).path)}
    assert {key: params[key] for key in BOOK_DEFAULTS[slug]} == BOOK_DEFAULTS[slug]
    assert params["seed"] == cli.DEFAULT_SEED and params["out"] == f"out/{slug}"


@pytest.mark.parametrize("slug", SLUGS[:3])
def test_a_diverging_rate_stops_the_run(slug, tmp_path):
    with pytest.raises(runtime.Diverged, match="learning_rate = 1e\\+09"):
        run_captured(slug, tmp_path, learning_rate=1e9, epochs=3)
    assert not list(tmp_path.glob("*.png"))


def test_registry_holds_the_four_sections_in_book_order():
    slugs = [s.slug for s in sections.SECTIONS]
    assert [slugs.index(s) for s in SLUGS] == sorted(slugs.index(s) for s in SLUGS)
    assert slugs.index("mlp_gluon") < slugs.index("underfit_overfit")
    for slug in SLUGS:
        section = sections.get(slug)
        assert section.chapter == "chapter02_supervised_learning" and section.path.is_file()


def test_namespace_holds_the_figures_the_book_printed(book_runs, kaggle_run):
    runs = {"underfit_overfit": book_runs["underfit_overfit"][0],
            "kaggle_gluon_kfold": kaggle_run[0]}
    for slug, ns in runs.items():
        assert_holds_the_book_figures(slug, ns)


def test_runner_takes_the_weight_decay(tmp_path, capsys):
    argv = ["--epochs", "1", "--weight-decay", "0.5", "--out", str(tmp_path)]
    assert cli.run(sections.get("reg_scratch"), argv) == 0
    assert "lambda 0.5: train loss" in capsys.readouterr().out
    assert is_png(tmp_path / "losses.png")


# --- real data --------------------------------------------------------------------

@pytest.mark.slow
def test_kaggle_book_settings_on_real_data(real_data, tmp_path):
    ns, out = run_captured("kaggle_gluon_kfold", tmp_path)
    assert ns["X_train"].shape[0] == 1460 and ns["X_test"].shape[0] == 1459
    assert ns["X_train"].shape[1] == ns["X_test"].shape[1]
    assert not np.isnan(ns["X_train"].asnumpy()).any()
    # the book: 0.193366 and 0.197304; seeds 1-3 spread by about 1e-4
    assert ns["train_loss"] == pytest.approx(0.1934, abs=0.005)
    assert ns["test_loss"] == pytest.approx(0.1973, abs=0.005)
    submission = pd.read_csv(tmp_path / "submission.csv")
    assert len(submission) == 1459
    assert list(submission.Id) == list(range(1461, 1461 + 1459))
    assert (submission.SalePrice > 0).all()
