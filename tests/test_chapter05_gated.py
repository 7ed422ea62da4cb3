"""The gated RNNs from scratch (gru_scratch, lstm_scratch, release 0.6) on tiny lyrics that the
tests zip up: the corpus, the cells against MXNet's own GRU and LSTM cells, the book's
prediction lines, a falling perplexity, and bad input."""
import re

import numpy as np
import pytest
from mxnet import gluon, nd

from conftest import JAYCHOU, write_release06_corpora
from gluon_tutorials import cli, sections
from test_chapter04_lenet_bn import check_is_a_notebook, defaults, execute, is_png, tiny_data

SLUGS = ("gru_scratch", "lstm_scratch")
PREFIXES = ("分开", "不分开", "战争中部队")
# Four epochs of 32 hidden units over short sequences: seconds, and the perplexity falls a lot.
TINY = {"epochs": 4, "hidden_dim": 32, "batch_size": 4, "num_steps": 10, "learning_rate": 0.5,
        "pred_period": 2, "pred_len": 12, "ctx": "cpu"}
PPL_LINE = re.compile(r"^Epoch (\d+)\. Training perplexity (\d+\.\d{6})$", re.MULTILINE)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory, write_release06_corpora) as t:
        yield t


@pytest.fixture(scope="module")
def runs(tiny):
    root, _ = tiny
    return {slug: execute(slug, root / slug, **TINY) for slug in SLUGS}


@pytest.fixture(params=SLUGS)
def run(request, runs):
    return runs[request.param]


@pytest.mark.parametrize("slug", SLUGS)
def test_is_a_notebook_with_the_books_defaults(slug):
    check_is_a_notebook(slug)
    assert defaults(slug) == {
        "epochs": 200, "num_steps": 35, "batch_size": 32, "learning_rate": 0.2,
        "hidden_dim": 256, "clipping_norm": 5.0, "corpus_len": 20000, "is_random_iter": False,
        "pred_period": 20, "pred_len": 100, "ctx": "auto", "seed": 1, "out": f"out/{slug}"}
    section = sections.get(slug)
    assert section.book == {} and section.metrics == ["perplexity"] and section.dataset == "jaychou"


def test_the_corpus_is_the_lyrics_with_spaces_for_line_breaks(run):
    ns = run.ns
    assert ns["corpus_chars"] == JAYCHOU.replace("\n", " ")[:20000]
    assert ns["idx_to_char"] == sorted(set(ns["corpus_chars"]))
    assert "".join(ns["idx_to_char"][i] for i in ns["corpus_indices"]) == ns["corpus_chars"]
    assert f"vocab size: {len(set(ns['corpus_chars']))}\n" in run.out
    assert "Will use cpu(0)" in run.out


def test_prints_the_books_lines_at_a_falling_perplexity(run):
    ppl = run.ns["perplexities"]
    assert len(ppl) == 4 and run.ns["perplexity"] == ppl[-1] and len(run.seconds) == 4
    # untrained: about as good as a uniform guess over the characters; then far better
    assert ppl[0] > 0.5 * len(run.ns["idx_to_char"])
    assert ppl[-1] < 0.2 * ppl[0]
    assert PPL_LINE.findall(run.out) == [("2", "%f" % ppl[1]), ("4", "%f" % ppl[3])]
    predictions = re.findall(r"^ -  (.*)$", run.out, re.MULTILINE)
    assert len(predictions) == 6
    for line, prefix in zip(predictions, PREFIXES * 2):
        assert line.startswith(prefix) and len(line) == len(prefix) + 12
    # learned: the last continuations are lines of the lyrics
    corpus = run.ns["corpus_chars"]
    assert sum(line in corpus for line in predictions[3:]) >= 2, predictions[3:]
    assert is_png(run.dir / "perplexity.png")


def _random(shape, rng):
    return nd.array(rng.normal(scale=0.5, size=shape))


def test_gru_rnn_equals_mxnets_gru_cell(runs):
    ns = runs["gru_scratch"].ns
    rng = np.random.RandomState(0)
    x, h = ns["vocab_size"], TINY["hidden_dim"]
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hy, b_y = params = [
        _random(p.shape, rng) for p in ns["get_params"]()]
    cell = gluon.rnn.GRUCell(h, input_size=x)
    cell.initialize()
    # MXNet's gates in the order reset, update, new; its n = tanh(x W + b_in + r * (h W + b_hn))
    cell.i2h_weight.set_data(nd.concat(W_xr.T, W_xz.T, W_xh.T, dim=0))
    cell.h2h_weight.set_data(nd.concat(W_hr.T, W_hz.T, W_hh.T, dim=0))
    cell.i2h_bias.set_data(nd.concat(b_r, b_z, b_h, dim=0))
    cell.h2h_bias.set_data(nd.zeros(3 * h))
    data = nd.array([[1, 4, 2], [0, 3, 3]])
    H0 = _random((2, h), rng)
    outputs, H = ns["gru_rnn"](ns["get_inputs"](data), H0, *params)
    state = [H0]
    for t, X in enumerate(ns["get_inputs"](data)):
        theirs, state = cell(X, state)
        np.testing.assert_allclose(outputs[t].asnumpy(), (nd.dot(theirs, W_hy) + b_y).asnumpy(),
                                   rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(H.asnumpy(), state[0].asnumpy(), rtol=1e-4, atol=1e-5)


def test_lstm_rnn_equals_mxnets_lstm_cell(runs):
    ns = runs["lstm_scratch"].ns
    rng = np.random.RandomState(0)
    x, h = ns["vocab_size"], TINY["hidden_dim"]
    (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c,
     W_hy, b_y) = params = [_random(p.shape, rng) for p in ns["get_params"]()]
    cell = gluon.rnn.LSTMCell(h, input_size=x)
    cell.initialize()
    # MXNet's gates in the order input, forget, candidate, output
    cell.i2h_weight.set_data(nd.concat(W_xi.T, W_xf.T, W_xc.T, W_xo.T, dim=0))
    cell.h2h_weight.set_data(nd.concat(W_hi.T, W_hf.T, W_hc.T, W_ho.T, dim=0))
    cell.i2h_bias.set_data(nd.concat(b_i, b_f, b_c, b_o, dim=0))
    cell.h2h_bias.set_data(nd.zeros(4 * h))
    data = nd.array([[1, 4, 2], [0, 3, 3]])
    H0, C0 = _random((2, h), rng), _random((2, h), rng)
    outputs, H, C = ns["lstm_rnn"](ns["get_inputs"](data), H0, C0, *params)
    state = [H0, C0]
    for t, X in enumerate(ns["get_inputs"](data)):
        theirs, state = cell(X, state)
        np.testing.assert_allclose(outputs[t].asnumpy(), (nd.dot(theirs, W_hy) + b_y).asnumpy(),
                                   rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(H.asnumpy(), state[0].asnumpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(C.asnumpy(), state[1].asnumpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("slug", SLUGS)
def test_same_seed_same_numbers(slug, tiny, tmp_path):
    quick = {**TINY, "epochs": 1, "hidden_dim": 8}
    first = execute(slug, tmp_path, **quick).ns["perplexities"]
    assert execute(slug, tmp_path, **quick).ns["perplexities"] == first
    assert execute(slug, tmp_path, **quick, seed=2).ns["perplexities"] != first


@pytest.mark.parametrize("slug", SLUGS)
def test_a_corpus_without_the_prefixes_characters_is_one_line_before_training(slug, tiny, tmp_path, capsys):
    # the first 20 characters hold 分开 and 不分开 but not 战争中部队
    argv = ["--corpus-len", "20", "--batch-size", "2", "--num-steps", "3",
            "--ctx", "cpu", "--out", str(tmp_path)]
    assert cli.run(sections.get(slug), argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the prefixes to predict from")
    assert f"not in it: {''.join(sorted('战争中部队'))!r}" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "perplexity.png").exists()


def test_a_corpus_too_short_for_a_batch_is_one_line(tiny, tmp_path, capsys):
    argv = ["--corpus-len", "100", "--ctx", "cpu", "--out", str(tmp_path)]  # 100 // 32 = 3 per row
    assert cli.run(sections.get("gru_scratch"), argv) == 2
    assert "makes no batch of 32 x 35" in capsys.readouterr().err


def test_missing_lyrics_is_one_clear_message(data_dir, tmp_path, capsys):
    assert cli.run(sections.get("lstm_scratch"), ["--epochs", "1", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: missing data file(s): jaychou_lyrics.txt.zip")
    assert str(data_dir / "v0.6") in err


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_real_lyrics(slug, real_data, tmp_path):
    """Two epochs on the real lyrics at a quarter of the book's hidden units (a minute or two)."""
    run = execute(slug, tmp_path, epochs=2, hidden_dim=64, pred_period=1, ctx="cpu")
    assert "vocab size: 1465\n" in run.out
    ppl = run.ns["perplexities"]
    assert ppl[1] < ppl[0] < 1465
    assert len(re.findall(r"^ -  (分开|不分开|战争中部队)", run.out, re.MULTILINE)) == 6
