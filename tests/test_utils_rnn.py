"""Release 0.6's recurrent-network helpers in utils: the two samplers, gradient clipping,
prediction and the training loop of gru_scratch and lstm_scratch."""
import contextlib
import io
import random
import re

import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import utils
from gluon_tutorials import runtime
from test_chapter05_rnn import _params_with_grads as _params

# Every index differs from its neighbours, so a window tells where it was taken from.
CORPUS = list(range(100))


def _rows(array):
    return array.asnumpy().astype(int).tolist()


def test_data_iter_random_gives_each_window_once_in_a_random_order():
    random.seed(0)
    batches = list(utils.data_iter_random(CORPUS, 4, 7))
    assert len(batches) == (100 - 1) // 7 // 4 == 3
    starts = []
    for data, label in batches:
        assert data.shape == label.shape == (4, 7) and data.dtype == np.float32
        for row, label_row in zip(_rows(data), _rows(label)):
            assert row[0] % 7 == 0 and row == CORPUS[row[0]:row[0] + 7]
            assert label_row == [i + 1 for i in row]  # the same window one step on
            starts.append(row[0])
    assert len(set(starts)) == 12 and starts != sorted(starts)
    random.seed(0)
    assert [_rows(d) for d, _ in utils.data_iter_random(CORPUS, 4, 7)] == [_rows(d) for d, _ in batches]
    random.seed(1)
    assert [_rows(d) for d, _ in utils.data_iter_random(CORPUS, 4, 7)] != [_rows(d) for d, _ in batches]


def test_data_iter_random_overlapping_is_release_03s_data_iter():
    random.seed(0)
    batches = [[row[0] for row in _rows(d)] for d, _ in
               utils.data_iter_random(CORPUS, 4, 7, overlapping=True)]
    assert len(batches) == 3
    for first, second in zip(batches, batches[1:]):
        assert first[1:] == second[:-1]


def test_data_iter_random_places_batches_on_ctx():
    data, label = next(utils.data_iter_random(CORPUS, 2, 5, ctx=mx.cpu(1)))
    assert data.context == label.context == mx.cpu(1)


def test_data_iter_consecutive_rows_continue_from_batch_to_batch():
    batches = list(utils.data_iter_consecutive(CORPUS, 4, 6))
    batch_len = 100 // 4
    assert len(batches) == (batch_len - 1) // 6 == 4
    for i, (data, label) in enumerate(batches):
        assert data.shape == label.shape == (4, 6)
        for r, (row, label_row) in enumerate(zip(_rows(data), _rows(label))):
            start = r * batch_len + i * 6  # row r is the r-th quarter of the corpus
            assert row == CORPUS[start:start + 6]
            assert label_row == CORPUS[start + 1:start + 7]
    for (first, _), (second, _) in zip(batches, batches[1:]):
        np.testing.assert_array_equal(second.asnumpy()[:, 0], first.asnumpy()[:, -1] + 1)


def _norm(params):
    return np.sqrt(sum((p.grad.asnumpy() ** 2).sum() for p in params))


@pytest.mark.parametrize("theta", [0.5, 5, 12.9])
def test_grad_clipping_bounds_the_global_norm(theta):
    rng = np.random.RandomState(0)
    grads = [nd.array(rng.normal(size=s)) for s in ((3, 4), (4,), (2, 2, 2))]
    before = _norm(_params(grads))
    params = _params(grads)
    utils.grad_clipping(params, theta, mx.cpu())  # release 0.6's call form
    assert _norm(params) == pytest.approx(min(theta, before), rel=1e-5)
    for p, g in zip(params, grads):  # one factor for all: the direction is kept
        np.testing.assert_allclose(p.grad.asnumpy(), g.asnumpy() * min(1, theta / before), rtol=1e-5)


def test_grad_clipping_leaves_small_gradients_and_none_alone():
    grads = [nd.array([[3., -4.]]), nd.array([12.])]  # joint norm 13
    for theta in (13.5, None):
        params = _params(grads)
        utils.grad_clipping(params, theta)
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad.asnumpy(), g.asnumpy())


CHARS = ["a", "b", "c", "分", "开"]
CHAR_TO_IDX = {c: i for i, c in enumerate(CHARS)}


def _get_inputs(data):
    return [nd.one_hot(X, len(CHARS)) for X in data.T]


class _Recorder:
    """An 'rnn' that always predicts the character after its input, and records the inputs
    and the states it is given."""

    def __init__(self, is_lstm=False):
        self.inputs, self.states, self.is_lstm = [], [], is_lstm

    def __call__(self, inputs, *state_and_params):
        states = state_and_params[:2 if self.is_lstm else 1]
        self.states.append(len(states))
        outputs = []
        for X in inputs:
            idx = int(X.argmax(axis=1).asscalar())
            self.inputs.append(idx)
            outputs.append(nd.one_hot(nd.array([(idx + 1) % len(CHARS)]), len(CHARS)))
        new = [s + 1 for s in states]
        return (outputs, *new)


@pytest.mark.parametrize("is_lstm", [False, True])
def test_predict_rnn_feeds_the_prefix_then_its_own_predictions(is_lstm):
    rnn = _Recorder(is_lstm)
    text = utils.predict_rnn(rnn, "AB", 4, [], 3, mx.cpu(), CHARS, CHAR_TO_IDX, _get_inputs, is_lstm)
    assert text == "ab" + "c分开a"  # lower-cased prefix, then 4 predicted characters
    # the prefix's characters go in one by one, then each prediction
    assert rnn.inputs == [CHAR_TO_IDX[c] for c in "abc分开"]
    assert rnn.states == [2 if is_lstm else 1] * 5


def test_predict_rnn_on_chinese_and_a_bad_prefix():
    assert utils.predict_rnn(_Recorder(), "分", 2, [], 3, mx.cpu(), CHARS, CHAR_TO_IDX,
                             _get_inputs) == "分开a"
    with pytest.raises(ValueError, match="'x'"):
        utils.predict_rnn(_Recorder(), "ax", 2, [], 3, mx.cpu(), CHARS, CHAR_TO_IDX, _get_inputs)
    with pytest.raises(ValueError, match="non-empty prefix"):
        utils.predict_rnn(_Recorder(), "", 2, [], 3, mx.cpu(), CHARS, CHAR_TO_IDX, _get_inputs)


# --- the training loop, on a plain tanh RNN and a repeating text ------------------------------

HIDDEN = 16
PATTERN = "abcab分开ca" * 60


def _rnn(inputs, H, *params):
    W_xh, W_hh, b_h, W_hy, b_y = params
    outputs = []
    for X in inputs:
        H = nd.tanh(nd.dot(X, W_xh) + nd.dot(H, W_hh) + b_h)
        outputs.append(nd.dot(H, W_hy) + b_y)
    return outputs, H


def _get_params():
    shapes = [(len(CHARS), HIDDEN), (HIDDEN, HIDDEN), (HIDDEN,), (HIDDEN, len(CHARS)), (len(CHARS),)]
    params = [nd.random_normal(scale=.1, shape=s) if len(s) == 2 else nd.zeros(s) for s in shapes]
    for p in params:
        p.attach_grad()
    return params


def _train(is_random_iter, epochs=6, learning_rate=0.3, corpus=PATTERN, **kwargs):
    runtime.seed_everything(0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ppl = utils.train_and_predict_rnn(
            rnn=_rnn, is_random_iter=is_random_iter, epochs=epochs, num_steps=8,
            hidden_dim=HIDDEN, learning_rate=learning_rate, clipping_norm=5, batch_size=4,
            pred_period=4, pred_len=10, seqs=["ab", "分开"], get_params=_get_params,
            get_inputs=_get_inputs, ctx=mx.cpu(), corpus_indices=[CHAR_TO_IDX[c] for c in corpus],
            idx_to_char=CHARS, char_to_idx=CHAR_TO_IDX, **kwargs)
    return ppl, printed.getvalue()


@pytest.mark.parametrize("is_random_iter", [True, False])
def test_training_lowers_the_perplexity_and_prints_the_books_lines(is_random_iter):
    ppl, out = _train(is_random_iter)
    assert len(ppl) == 6
    assert ppl[0] > 1.5 and ppl[-1] < 1.3  # the pattern is learned: nearly no surprise left
    lines = re.findall(r"^Epoch (\d+)\. Training perplexity (\d+\.\d{6})$", out, re.MULTILINE)
    assert lines == [("4", "%f" % ppl[3]), ("6", "%f" % ppl[5])]  # every pred_period, and the last
    predictions = re.findall(r"^ -  (.*)$", out, re.MULTILINE)
    assert len(predictions) == 4
    assert predictions[-2].startswith("ab") and predictions[-1].startswith("分开")
    # learned: the continuation follows the repeating pattern
    assert predictions[-2] in PATTERN and len(predictions[-2]) == 12


def test_consecutive_sampling_carries_the_state_and_random_does_not():
    states = []

    def spy(inputs, H, *params):
        states.append(float(nd.abs(H).sum().asscalar()))
        return _rnn(inputs, H, *params)

    for is_random_iter in (True, False):
        states.clear()
        runtime.seed_everything(0)
        with contextlib.redirect_stdout(io.StringIO()):
            utils.train_and_predict_rnn(spy, is_random_iter, 1, 8, HIDDEN, 0.5, 5, 4, 10, 5, [],
                                        _get_params, _get_inputs, mx.cpu(),
                                        [CHAR_TO_IDX[c] for c in PATTERN], CHARS, CHAR_TO_IDX)
        assert states[0] == 0
        if is_random_iter:
            assert all(s == 0 for s in states)
        else:
            assert all(s > 0 for s in states[1:])


def test_lstm_call_form_gets_two_states():
    cells = []

    def lstm(inputs, H, C, *params):
        cells.append(float(C.mean().asscalar()))
        outputs, H = _rnn(inputs, H, *params)
        return outputs, H, C + 1

    runtime.seed_everything(0)
    with contextlib.redirect_stdout(io.StringIO()):
        ppl = utils.train_and_predict_rnn(lstm, False, 2, 8, HIDDEN, 0.3, 5, 4, 1, 3, ["a"],
                                          _get_params, _get_inputs, mx.cpu(),
                                          [CHAR_TO_IDX[c] for c in PATTERN], CHARS, CHAR_TO_IDX,
                                          is_lstm=True)
    assert len(ppl) == 2 and ppl[1] < ppl[0]
    # the cell runs on through the epoch's batches (then prediction starts it at zero)
    batches = (len(PATTERN) // 4 - 1) // 8
    assert cells[:batches] == list(range(batches))


def test_a_corpus_too_short_for_one_batch_is_refused():
    for is_random_iter in (True, False):
        with pytest.raises(ValueError, match="a corpus of 20 indices makes no batch of 4 x 8"):
            _train(is_random_iter, corpus=PATTERN[:20])


def test_a_diverging_run_stops_with_the_projects_message():
    runtime.seed_everything(0)
    with pytest.raises(runtime.Diverged, match=r"perplexity is .*learning_rate = 1e\+10"):
        with contextlib.redirect_stdout(io.StringIO()):  # no clipping: the steps blow up
            utils.train_and_predict_rnn(_rnn, True, 2, 8, HIDDEN, 1e10, None, 4, 1, 3, [],
                                        _get_params, _get_inputs, mx.cpu(),
                                        [CHAR_TO_IDX[c] for c in PATTERN], CHARS, CHAR_TO_IDX)


def test_a_prefix_with_characters_not_in_the_corpus_is_refused_before_training():
    calls = []

    def get_params():
        calls.append(1)
        return _get_params()

    with pytest.raises(ValueError, match="not in it: 'xy'"):
        utils.train_and_predict_rnn(_rnn, True, 2, 8, HIDDEN, 0.3, 5, 4, 1, 3, ["ab", "xy"],
                                    get_params, _get_inputs, mx.cpu(),
                                    [CHAR_TO_IDX[c] for c in PATTERN], CHARS, CHAR_TO_IDX)
    assert calls == []  # nothing was set up, let alone trained
