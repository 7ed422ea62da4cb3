"""Chapter 2: linear regression from scratch and with Gluon recover the true model."""
import numpy as np
import pytest

from conftest import section_defaults

from gluon_tutorials.chapter02_supervised_learning import linear_regression_gluon as lr_gluon
from gluon_tutorials.chapter02_supervised_learning import linear_regression_scratch as lr_scratch


@pytest.mark.parametrize("section", [lr_scratch, lr_gluon], ids=["scratch", "gluon"])
@pytest.mark.parametrize("seed", [1, 7, 2017])
def test_recovers_true_weights(section, seed, tmp_path, capsys):
    result = section.main(["--seed", str(seed), "--out", str(tmp_path)])
    np.testing.assert_allclose(result["w"], [2, -3.4], atol=0.01)
    assert result["b"] == pytest.approx(4.2, abs=0.01)
    assert result["loss"] < 2e-4  # the noise alone gives about 1e-4 (scratch) / 5e-5 (L2Loss halves it)
    out = capsys.readouterr().out
    assert out.count(", average loss: ") == 5 and "learned w" in out


def test_same_seed_same_numbers(tmp_path):
    first = lr_scratch.main(["--seed", "3", "--epochs", "1", "--out", str(tmp_path)])
    second = lr_scratch.main(["--seed", "3", "--epochs", "1", "--out", str(tmp_path)])
    other = lr_scratch.main(["--seed", "4", "--epochs", "1", "--out", str(tmp_path)])
    assert first["w"] == second["w"] and first["losses"] == second["losses"]
    assert first["w"] != other["w"]


def test_data_iter_covers_every_example_once():
    X, y = lr_scratch.make_data(95)
    seen = []
    for data, label in lr_scratch.data_iter(10, X, y):
        assert data.shape[0] == label.shape[0] <= 10
        seen += data[:, 0].asnumpy().tolist()
    assert sorted(seen) == sorted(X[:, 0].asnumpy().tolist())


def test_square_loss_does_not_broadcast():
    from mxnet import nd
    yhat, y = nd.array([[1.0], [2.0]]), nd.array([0.0, 4.0])
    np.testing.assert_array_equal(lr_scratch.square_loss(yhat, y).asnumpy(), [[1.0], [4.0]])


def test_defaults_are_the_books():
    scratch = section_defaults(lr_scratch)
    gluon = section_defaults(lr_gluon)
    assert (scratch.epochs, scratch.batch_size, scratch.lr) == (5, 10, 0.001)
    assert (gluon.epochs, gluon.batch_size, gluon.lr) == (5, 10, 0.1)
