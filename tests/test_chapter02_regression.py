"""Chapter 2, regression sections: underfit_overfit, reg_scratch, reg_gluon, kaggle_gluon_kfold."""
import math
import subprocess
import sys
from pathlib import Path

import mxnet as mx
import numpy as np
import pandas as pd
import pytest
from mxnet import autograd, gluon, nd

from gluon_tutorials import cli, sections
from gluon_tutorials.chapter02_supervised_learning import (
    kaggle_gluon_kfold, reg_gluon, reg_scratch, underfit_overfit)

REPO = Path(__file__).resolve().parents[1]


# --- underfit_overfit -------------------------------------------------------------

def test_third_order_fit_recovers_the_cubic():
    cli.seed_everything(cli.DEFAULT_SEED)
    x, X, y = underfit_overfit.make_data()
    n = underfit_overfit.num_train
    net, train_loss, test_loss = underfit_overfit.train(X[:n], X[n:], y[:n], y[n:])
    w, b = underfit_overfit.learned_params(net)
    np.testing.assert_allclose(w, underfit_overfit.true_w, atol=0.1)
    assert abs(b - underfit_overfit.true_b) < 0.1
    assert len(train_loss) == len(test_loss) == 100


def test_two_example_fit_overfits_and_linear_fit_underfits():
    cli.seed_everything(cli.DEFAULT_SEED)
    x, X, y = underfit_overfit.make_data()
    n = underfit_overfit.num_train
    _, few_train, few_test = underfit_overfit.train(X[:2], X[n:], y[:2], y[n:], epochs=30)
    assert few_test[-1] > 10 * few_train[-1]
    _, linear_train, _ = underfit_overfit.train(x[:n], x[n:], y[:n], y[n:], epochs=30)
    _, cubic_train, _ = underfit_overfit.train(X[:n], X[n:], y[:n], y[n:], epochs=30)
    assert linear_train[-1] > 10 * cubic_train[-1]


# --- L2 regularisation ------------------------------------------------------------

def test_l2_penalty_of_a_known_tensor():
    w = nd.array([[1.], [2.], [-3.]])
    b = nd.array([0.5])
    assert reg_scratch.L2_penalty(w, b).asscalar() == pytest.approx(1 + 4 + 9 + 0.25)


def test_l2_penalty_gradient_is_twice_the_parameter():
    w, b = nd.array([[1.], [-2.]]), nd.array([3.])
    for param in (w, b):
        param.attach_grad()
    with autograd.record():
        penalty = reg_scratch.L2_penalty(w, b)
    penalty.backward()
    np.testing.assert_allclose(w.grad.asnumpy(), 2 * w.asnumpy())
    np.testing.assert_allclose(b.grad.asnumpy(), 2 * b.asnumpy())


@pytest.mark.parametrize("train, strength", [(reg_scratch.train, 2), (reg_gluon.train, 5)],
                         ids=["reg_scratch", "reg_gluon"])
def test_overfits_without_regularisation_and_regularisation_lowers_test_loss(train, strength):
    cli.seed_everything(cli.DEFAULT_SEED)
    data = reg_scratch.make_data()
    _, train0, test0 = train(0, *data)
    _, _, test_reg = train(strength, *data)
    assert test0[-1] >= 5 * train0[-1]
    # Over seeds 1-8 the penalty cuts the test loss more than tenfold; a fourfold cut
    # does not happen by chance between two unregularised runs.
    assert test_reg[-1] < test0[-1] / 4


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


# --- Kaggle house prices ----------------------------------------------------------

def test_preprocess_tiny_kaggle(tiny_kaggle):
    train, test = tiny_kaggle
    X_train, y_train, X_test = kaggle_gluon_kfold.preprocess(train, test)
    # 3 numeric columns, then one column per category plus one for NaN.
    columns = 3 + sum(pd.concat((train[c], test[c])).nunique() + 1
                      for c in ("MSZoning", "SaleCondition"))
    assert X_train.shape == (len(train), columns)
    assert X_test.shape == (len(test), columns)
    assert X_train.dtype == X_test.dtype == np.float32
    assert not np.isnan(X_train).any() and not np.isnan(X_test).any()
    np.testing.assert_allclose(y_train, train.SalePrice)
    # LotArea (no NaN) is the third column: standardised over train and test together.
    area = np.concatenate((X_train[:, 2], X_test[:, 2]))
    assert abs(area.mean()) < 1e-5 and area.std(ddof=1) == pytest.approx(1, rel=1e-4)
    raw = pd.concat((train.LotArea, test.LotArea))
    np.testing.assert_allclose(area, (raw - raw.mean()) / raw.std(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n, k", [(1460, 5), (60, 5), (23, 5), (7, 7)])
def test_k_folds_are_disjoint_and_cover_every_row(n, k):
    folds = kaggle_gluon_kfold.k_fold_indices(n, k)
    assert len(folds) == k
    rows = np.concatenate(folds)
    assert len(rows) == n and sorted(rows) == list(range(n))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1


def test_k_folds_are_the_books_slices_when_k_divides_the_rows():
    folds = kaggle_gluon_kfold.k_fold_indices(1460, 5)
    for i, fold in enumerate(folds):
        assert list(fold) == list(range(i * 292, (i + 1) * 292))


def test_get_rmse_log_against_numpy():
    preds = np.array([[0.5], [120000.], [95000.], [310000.]], dtype=np.float32)
    prices = np.array([50000., 100000., 99000., 250000.], dtype=np.float32)
    expected = math.sqrt(np.mean((np.log(np.maximum(preds[:, 0], 1)) - np.log(prices)) ** 2))
    got = kaggle_gluon_kfold.get_rmse_log(lambda X: X, nd.array(preds), nd.array(prices))
    assert got == pytest.approx(expected, rel=1e-5)


def test_kaggle_main_on_tiny_data_writes_a_submission(tiny_kaggle, tmp_path, capsys):
    train, test = tiny_kaggle
    result = kaggle_gluon_kfold.main(["--epochs", "2", "--verbose-epoch", "0",
                                      "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert out.count("Test loss:") == 5
    assert "5-fold validation: Avg train loss: %f, Avg test loss: %f" % (
        result["avg_train_loss"], result["avg_test_loss"]) in out
    assert "Epoch 1, train loss:" in out and "Epoch 0," not in out
    assert result["avg_test_loss"] == pytest.approx(np.mean(result["fold_test_loss"]))
    submission = pd.read_csv(tmp_path / "submission.csv")
    assert list(submission.columns) == ["Id", "SalePrice"]
    assert list(submission.Id) == list(test.Id)
    assert np.isfinite(submission.SalePrice).all()
    assert (tmp_path / "kfold.png").stat().st_size > 0
    assert (tmp_path / "train.png").stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("argv", [["--k", "1"], ["--k", "61"], ["--wd", "-1"], ["--lr", "0"]])
def test_kaggle_bad_arguments_are_argparse_errors(tiny_kaggle, tmp_path, argv):
    with pytest.raises(SystemExit) as e:
        kaggle_gluon_kfold.main(argv + ["--out", str(tmp_path)])
    assert e.value.code == 2


def test_kaggle_missing_data_is_one_clear_message(data_dir, tmp_path, capsys):
    assert cli.run(kaggle_gluon_kfold.main, ["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "kaggle_house_pred_train.csv" in err


# --- every section: main, defaults, registry --------------------------------------

BOOK_DEFAULTS = {
    underfit_overfit: {"epochs": 100, "batch_size": 10, "lr": 0.01, "num_train": 100,
                       "num_test": 100, "few": 2},
    reg_scratch: {"epochs": 10, "batch_size": 1, "lr": 0.002, "lambd": 2},
    reg_gluon: {"epochs": 10, "batch_size": 1, "lr": 0.005, "wd": 5},
    kaggle_gluon_kfold: {"epochs": 100, "batch_size": 100, "lr": 5, "k": 5, "wd": 0,
                         "verbose_epoch": 95},
}


@pytest.mark.parametrize("module", BOOK_DEFAULTS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_defaults_are_the_books(module):
    args = vars(module.parser().parse_args([]))
    assert {key: args[key] for key in BOOK_DEFAULTS[module]} == BOOK_DEFAULTS[module]
    assert args["seed"] == cli.DEFAULT_SEED


@pytest.mark.parametrize("module", [underfit_overfit, reg_scratch, reg_gluon],
                         ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_main_runs_one_epoch_and_returns_its_metrics(module, tmp_path, capsys):
    result = module.main(["--epochs", "1", "--out", str(tmp_path)])
    assert {"w", "b", "train_loss", "test_loss"} <= set(result)
    assert all(math.isfinite(result[k]) for k in ("b", "train_loss", "test_loss"))
    assert (tmp_path / "losses.png").stat().st_size > 0
    assert "learned" in capsys.readouterr().out


def test_registry_holds_the_four_sections_in_book_order():
    slugs = [s.slug for s in sections.SECTIONS]
    ours = ["underfit_overfit", "reg_scratch", "reg_gluon", "kaggle_gluon_kfold"]
    assert [slugs.index(s) for s in ours] == sorted(slugs.index(s) for s in ours)
    assert slugs.index("mlp_gluon") < slugs.index("underfit_overfit")
    for slug in ours:
        section = sections.get(slug)
        assert section.chapter == "chapter02_supervised_learning"
        assert section.load().main is not None


@pytest.mark.parametrize("module, argv", [
    (underfit_overfit, ["--epochs", "1"]),
    (kaggle_gluon_kfold, ["--epochs", "1"]),
], ids=["underfit_overfit", "kaggle_gluon_kfold"])
def test_main_returns_the_metrics_the_book_printed(module, argv, tmp_path, tiny_kaggle):
    # The registry's book numbers are compared with main's result by key.
    result = module.main(argv + ["--out", str(tmp_path)])
    book = sections.get(module.__name__.rsplit(".", 1)[-1]).book
    assert book and set(book) <= set(result)
    for key, value in book.items():
        assert np.shape(result[key]) == np.shape(value)


def test_section_runs_as_a_file_and_through_the_runner(tmp_path):
    path = REPO / "gluon_tutorials" / "chapter02_supervised_learning" / "reg_gluon.py"
    as_file = subprocess.run([sys.executable, str(path), "--epochs", "1", "--out", str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
    assert as_file.returncode == 0, as_file.stderr
    assert "wd=5: train loss" in as_file.stdout
    runner = subprocess.run([sys.executable, "-m", "gluon_tutorials", "run", "reg_scratch",
                             "--help"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert runner.returncode == 0, runner.stderr
    assert "--lambd" in runner.stdout and "run reg_scratch" in runner.stdout


# --- real data --------------------------------------------------------------------

@pytest.mark.slow
def test_preprocess_real_kaggle(real_data):
    from gluon_tutorials.data import read_kaggle_house

    X_train, y_train, X_test = kaggle_gluon_kfold.preprocess(*read_kaggle_house())
    assert X_train.shape[0] == 1460 and X_test.shape[0] == 1459
    assert X_train.shape[1] == X_test.shape[1]
    assert not np.isnan(X_train).any() and not np.isnan(X_test).any()
    assert len(y_train) == 1460 and (y_train > 0).all()


@pytest.mark.slow
def test_kaggle_book_settings_on_real_data(real_data, tmp_path):
    result = kaggle_gluon_kfold.main(["--out", str(tmp_path)])
    assert result["avg_test_loss"] <= 0.25
    submission = pd.read_csv(tmp_path / "submission.csv")
    assert len(submission) == 1459
    assert list(submission.Id) == list(range(1461, 1461 + 1459))
    assert (submission.SalePrice > 0).all()
