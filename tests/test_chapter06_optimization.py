"""Chapter 7 of release 0.6, the optimisation algorithms: the 13 sections run in this process
on their own synthetic data, made small; each from-scratch update rule is held against MXNet's
optimizer of the same name, step by step."""
import math

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli, runtime, sections
from test_chapter01 import assert_is_a_notebook, run_captured
from test_chapter02_regression import is_png

CHAPTER = "chapter06_optimization"
SLUGS = [s.slug for s in sections.SECTIONS if s.chapter == CHAPTER]
TRAINED = [s for s in SLUGS if s != "optimization_intro"]
# Small runs that still end near the noise: mini-batches of 2 give the adaptive methods enough
# steps; momentum needs more examples at its batch size of 10.
SMALL = {"gd_sgd": {"num_examples": 200}, "momentum": {"num_examples": 500}}


def small(slug):
    if slug == "optimization_intro":
        return {}
    return SMALL.get(slug.rsplit("_", 1)[0], {"num_examples": 200, "batch_size": 2})


def test_the_chapter_in_the_books_order():
    assert SLUGS == ["optimization_intro"] + [
        f"{name}_{kind}" for name in ("gd_sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")
        for kind in ("scratch", "gluon")]
    assert sections.CHAPTER_NAMES[CHAPTER] == "7 优化算法"
    for slug in SLUGS:
        assert_is_a_notebook(slug)
        assert not sections.get(slug).book and sections.get(slug).ours  # no book figure


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{slug: (namespace, printed text, out folder)}, each on a few hundred examples."""
    result = {}
    for slug in SLUGS:
        out = tmp_path_factory.mktemp(slug)
        result[slug] = (*run_captured(slug, out, **small(slug)), out)
    return result


def test_intro_finds_the_local_and_the_global_minimum(runs):
    ns, out, folder = runs["optimization_intro"]
    assert ns["local_minima"] == pytest.approx([-0.2739, 1.0904], abs=1e-3)
    assert ns["global_minimum"] == pytest.approx(1.0904, abs=1e-3)
    assert "the global one at x = 1.0904" in out
    assert all(is_png(folder / f) for f in ("minima.png", "saddle_1d.png", "saddle_2d.png"))


@pytest.mark.parametrize("slug", TRAINED)
def test_the_loss_falls_to_the_noise_and_w_is_learned(runs, slug):
    ns, out, folder = runs[slug]
    # The noise (sd 0.01) alone leaves half its variance, 5e-5; the untrained loss is ~10.
    finals = np.atleast_1d(ns["final_loss"])
    if slug.startswith("gd_sgd"):
        finals = finals[:3]  # the fourth run, with a tiny rate, is meant to stay high
        assert ns["final_loss"][3] > 100 * max(finals)
    assert (finals < 2e-3).all(), finals
    assert ns["losses" if "losses" in ns else "minibatch_loss"][0] > 1
    learned = [line for line in out.splitlines() if line.startswith("w: [[")]
    w = [float(v) for v in learned[-1 if not slug.startswith("gd_sgd") else 2]
         .split("[[")[1].split("]]")[0].split()]
    assert w == pytest.approx([2, -3.4], abs=0.05)
    lr_shown = "adadelta" not in slug
    assert ("Learning rate" in out) == lr_shown
    assert "Epoch 3, loss" in out and "Epoch 4" not in out
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert pngs and all(is_png(folder / p) for p in pngs)
    assert any(p.endswith("_move.png") for p in pngs) or slug.startswith("gd_sgd")


def test_the_learning_rate_decays_tenfold_after_the_second_epoch(runs):
    for slug in ("gd_sgd_scratch", "gd_sgd_gluon", "momentum_scratch", "momentum_gluon"):
        out = runs[slug][1]
        assert "Learning rate 0.200000, Epoch 2," in out and "Learning rate 0.020000, Epoch 3," in out


@pytest.mark.parametrize("kind", ["scratch", "gluon"])
def test_a_too_large_rate_is_shown_diverging_and_the_section_goes_on(runs, kind):
    ns, out, folder = runs[f"gd_sgd_{kind}"]
    # 20 steps an epoch here: the loss is ~1e24 after the first and overflows in the second
    assert "Learning rate 5.000000, Epoch 1, loss" in out
    assert "training diverged: the loss is inf, as this run was meant to show" in out
    step, losses = ns["runs"][10, 5.0]
    assert step == 10 / 200 and not math.isfinite(losses[-1])
    assert losses[0] < losses[1] < losses[5] < losses[10] < 1e30  # growing, step after step
    assert is_png(folder / "loss_batch10_lr5.png") and is_png(folder / "comparison.png")
    assert is_png(folder / "gd.png") if kind == "scratch" else True


def test_gradient_descent_is_the_same_from_scratch_and_with_gluon(runs):
    """One batch of all the data takes no shuffle, and both draw the same initial w: the
    scratch `sgd` and Gluon's trainer must give the same losses."""
    scratch, gluon_ = runs["gd_sgd_scratch"][0], runs["gd_sgd_gluon"][0]
    assert scratch["gd_loss"] == pytest.approx(gluon_["gd_loss"], rel=1e-4)


def _scratch_rule(slug, runs):
    """The section's update rule as update(params, lr, batch_size, states, t)."""
    ns = runs[f"{slug}_scratch"][0]
    return {
        "gd_sgd": lambda p, lr, bs, s, t: ns["sgd"](p, lr, bs),
        "momentum": lambda p, lr, bs, s, t: ns["sgd_momentum"](p, s[0], lr, 0.9, bs),
        "adagrad": lambda p, lr, bs, s, t: ns["adagrad"](p, s[0], lr, bs),
        "rmsprop": lambda p, lr, bs, s, t: ns["rmsprop"](p, s[0], lr, 0.9, bs),
        "adadelta": lambda p, lr, bs, s, t: ns["adadelta"](p, s[0], s[1], 0.9, bs),
        "adam": lambda p, lr, bs, s, t: ns["adam"](p, s[0], s[1], lr, bs, t),
    }[slug]


MXNET = {"gd_sgd": ("sgd", {}), "momentum": ("sgd", {"momentum": 0.9}),
         "adagrad": ("adagrad", {}), "rmsprop": ("rmsprop", {"gamma1": 0.9}),
         "adadelta": ("adadelta", {"rho": 0.9}), "adam": ("adam", {})}


@pytest.mark.parametrize("slug", list(MXNET))
def test_the_scratch_update_is_mxnets_optimizer_step(runs, slug):
    rng = np.random.RandomState(0)
    lr, batch_size = 0.05, 4
    start = rng.normal(size=(3, 2)).astype(np.float32)
    grads = [rng.normal(scale=2.0, size=(3, 2)).astype(np.float32) for _ in range(6)]
    update = _scratch_rule(slug, runs)
    mine = nd.array(start)
    mine.attach_grad()
    states = [[nd.zeros((3, 2))], [nd.zeros((3, 2))]]
    name, hyper = MXNET[slug]
    theirs = gluon.Parameter("w", shape=(3, 2), init=mx.init.Constant(nd.array(start)))
    theirs.initialize()
    trainer = gluon.Trainer([theirs], name, {"learning_rate": lr, **hyper})
    for t, g in enumerate(grads, 1):
        g = nd.array(g)
        for weight in (mine, theirs.data()):
            with autograd.record():
                loss = (weight * g).sum()  # its gradient is g
            loss.backward()
        update([mine], lr, batch_size, states, t)
        trainer.step(batch_size)
        # Adam's eps sits at another place in MXNet (scaled by sqrt(1 - beta2^t)): ~1e-7 here
        np.testing.assert_allclose(mine.asnumpy(), theirs.data().asnumpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(mine.asnumpy(), start)  # it did move


@pytest.mark.parametrize("slug, name, hyper, update", [
    ("momentum", "sgd", {"learning_rate": 0.4, "momentum": 0.5},
     lambda ns, vs: lambda p: ns["sgd_momentum"](p, vs, 0.4, 0.5, 1)),
    ("adagrad", "adagrad", {"learning_rate": 0.4}, lambda ns, s: lambda p: ns["adagrad"](p, s, 0.4, 1)),
    ("rmsprop", "rmsprop", {"learning_rate": 0.4, "gamma1": 0.9},
     lambda ns, s: lambda p: ns["rmsprop"](p, s, 0.4, 0.9, 1)),
])
def test_the_drawn_trajectories_agree(runs, slug, name, hyper, update):
    ns = runs[f"{slug}_scratch"][0]
    scratch = utils.train_2d(update(ns, [nd.zeros((2,))]))
    np.testing.assert_allclose(scratch, utils.train_2d(name, hyper), atol=1e-4)
    assert len(scratch) == 21 and scratch[0] == (-5.0, -2.0)
    assert utils.f_2d(*scratch[-1]) < 0.1 * utils.f_2d(*scratch[0])


def test_train_2d_of_gradient_descent_by_hand():
    path = utils.train_2d(lambda params: utils.SGD(params, 0.4), steps=2)
    # x1 <- x1 - 0.4 * 0.2 x1, x2 <- x2 - 0.4 * 4 x2
    np.testing.assert_allclose(path, [(-5, -2), (-4.6, 1.2), (-4.232, -0.72)], rtol=1e-6)
    assert utils.train_1d(0.2, steps=2) == pytest.approx([10, 6, 3.6])


def test_optimize_checks_period_against_the_batch_size():
    X, y, _ = utils.linreg_data(20)
    with pytest.raises(ValueError, match="multiple of batch_size"):
        utils.optimize(10, 1, 15, None, None, utils.squared_loss, None, X, y, [])


def test_linreg_helpers():
    mx.random.seed(3)
    X, y, dataset = utils.linreg_data(500, [2, -3.4], 4.2)
    assert X.shape == (500, 2) and y.shape == (500,) and len(dataset) == 500
    residual = (y - nd.dot(X, nd.array([2, -3.4])) - 4.2).asnumpy()
    assert abs(residual.mean()) < 0.003 and residual.std() == pytest.approx(0.01, rel=0.15)
    batches = list(utils.linreg_data_iter(X, y, 64))
    assert [len(d) for d, _ in batches] == [64] * 7 + [52]
    seen = np.concatenate([d.asnumpy() for d, _ in batches])
    np.testing.assert_array_equal(np.sort(seen, axis=0), np.sort(X.asnumpy(), axis=0))
    (w, b), vs, sqrs = utils.linreg_params(2, num_states=2)
    assert w.shape == (2, 1) and b.asnumpy().tolist() == [0] and w.grad is not None
    assert [v.shape for v in vs] == [(2, 1), (1,)] and float(sqrs[0].sum().asscalar()) == 0
    assert utils.squared_loss(nd.array([[1.], [3.]]), nd.array([0., 1.])).asnumpy().ravel().tolist() == [0.5, 2]


@pytest.mark.parametrize("slug, argv", [
    ("momentum_scratch", ["--lr", "50"]), ("momentum_gluon", ["--lr", "50"]),
    ("adam_scratch", ["--lr", "1000"]),  # Adam stays finite: it ends above the untrained loss
])
def test_a_too_large_rate_from_the_shell_exits_3(slug, argv, tmp_path, capsys):
    code = cli.run(sections.get(slug), argv + ["--num-examples", "100", "--epochs", "1",
                                               "--out", str(tmp_path)])
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: training diverged")
    assert not list(tmp_path.glob("loss_*.png"))  # no figure of a failed run


@pytest.mark.parametrize("option", ["--mom=1", "--rho=1", "--gamma=1.5"])
def test_moving_average_weights_are_checked_before_training(option, capsys):
    slug = {"--mom": "momentum_gluon", "--rho": "adadelta_scratch", "--gamma": "rmsprop_gluon"}[
        option.split("=")[0]]
    with pytest.raises(SystemExit) as exit_:
        cli.parse(sections.get(slug), [option])
    assert exit_.value.code == 2 and "[0, 1)" in capsys.readouterr().err


def test_meant_to_diverge_only_catches_divergence(capsys):
    with runtime.meant_to_diverge():
        assert runtime.diverging_shown()
        runtime.check_finite(float("inf"), 5.0)
    assert not runtime.diverging_shown()
    assert capsys.readouterr().out == "training diverged: the loss is inf, as this run was meant to show\n"
    with pytest.raises(ZeroDivisionError), runtime.meant_to_diverge():
        1 / 0


def test_momentum_trajectory_matches_d2l(runs):
    """d2l's train_2d loop with its momentum update on plain floats (the gradient by hand)
    visits the same points as ours, with the section's sgd_momentum and autograd."""
    from d2l import mxnet as d2l

    def momentum_2d(x1, x2, v1, v2):  # d2l's update, on 0.1 x1^2 + 2 x2^2
        v1, v2 = 0.5 * v1 + 0.2 * x1, 0.5 * v2 + 4 * x2
        return x1 - 0.4 * v1, x2 - 0.4 * v2, v1, v2

    ns = runs["momentum_scratch"][0]
    vs = [nd.zeros((2,))]
    ours = utils.train_2d(lambda p: ns["sgd_momentum"](p, vs, 0.4, 0.5, 1))
    np.testing.assert_allclose(ours, d2l.train_2d(momentum_2d), rtol=1e-5, atol=1e-6)
