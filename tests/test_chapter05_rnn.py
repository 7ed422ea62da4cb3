"""The character RNN from scratch (rnn_scratch): the section runs once on a tiny Time Machine
(module-scoped) and the tests read its namespace and printout: text preparation, batches,
one-hot inputs, the recurrence, gradient clipping, prediction and training."""
import re
from types import SimpleNamespace

import mxnet as mx
import numpy as np
import pytest
from d2l import mxnet as d2l
from mxnet import autograd, nd

from conftest import TIME_MACHINE, register, run_section
from gluon_tutorials import cli, data, runtime, sections
from test_chapter04_lenet_bn import check_is_a_notebook, defaults, execute, is_png, tiny_data

SLUG = "rnn_scratch"
# Five epochs (0 to 4) of 64 hidden units on the tiny text, every sequence once an epoch:
# a few seconds, and enough to lower the perplexity clearly.
TINY = {"epochs": 4, "num_hidden": 64, "disjoint_batches": True, "ctx": "cpu"}
# For runs that only need to finish: two epochs of 32 hidden units.
QUICK = {"epochs": 1, "num_hidden": 32, "ctx": "cpu"}
PREFIXES = ("The Time Ma", "The Medical Man rose, came to the lamp,")
PPL_LINE = re.compile(r"^Epoch (\d+)\. PPL (\d+\.\d{6})$", re.MULTILINE)


def write_time_machine(folder, mp):
    """conftest's tiny_time_machine: the opening repeated, registered as the real file."""
    text = TIME_MACHINE * 40
    (folder / "timemachine.txt").write_bytes(text.encode())
    register(mp, "timemachine.txt", text.encode())
    return text


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory, write_time_machine) as t:
        yield t


@pytest.fixture(scope="module")
def run(tiny):
    root, _ = tiny
    return execute(SLUG, root / "out", **TINY)


@pytest.fixture(scope="module")
def ns(run):
    return run.ns


# --- the notebook and its parameters ----------------------------------------------------------

def test_is_a_notebook_with_the_books_defaults():
    check_is_a_notebook(SLUG)
    assert defaults(SLUG) == {
        "epochs": 200, "seq_len": 35, "batch_size": 32, "learning_rate": 0.1,
        "num_hidden": 256, "clipping_theta": 5.0, "text_len": 10000,
        "disjoint_batches": False, "ctx": "auto", "seed": 1, "out": f"out/{SLUG}"}
    assert sections.get(SLUG).book == {"perplexity": 2.30}


# --- the text -----------------------------------------------------------------------------------

def test_text_is_lower_cased_without_newlines_and_cut(ns, run, tiny):
    _, raw = tiny
    assert run.out.startswith(raw[:500])
    assert ns["time_machine"] == raw.lower().replace("\n", "")[:10000]
    assert len(ns["time_machine"]) == 10000


def test_character_dictionary_is_sorted_and_round_trips(ns, run):
    text = ns["time_machine"]
    assert ns["character_list"] == sorted(set(text))
    assert ns["vocab_size"] == len(set(text))
    assert f"vocab size: {ns['vocab_size']}" in run.out
    assert "".join(ns["character_list"][i] for i in ns["time_numerical"]) == text
    assert all(ns["character_dict"][c] == i for i, c in enumerate(ns["character_list"]))
    assert "chars: \n " + text[:40] in run.out


# --- batches --------------------------------------------------------------------------------

@pytest.fixture
def random_letters(ns, monkeypatch):
    """The section's data_iter over 300 random letters: every stretch of a few letters
    occurs once, so each row tells where in the text it was taken from."""
    rng = np.random.RandomState(0)
    numerical = rng.randint(0, 10, 300).tolist()
    monkeypatch.setitem(ns, "time_numerical", numerical)
    return np.array(numerical)


def _batch_starts(ns, numerical, batch_size, seq_len):
    """Check shapes and labels of one epoch; return each batch's sequence start positions."""
    batches = list(ns["data_iter"](batch_size, seq_len))
    assert len(batches) == (len(numerical) - 1) // seq_len // batch_size
    starts = []
    for data, label in batches:
        assert data.shape == label.shape == (batch_size, seq_len)
        data, label = data.asnumpy().astype(int), label.asnumpy().astype(int)
        starts.append([])
        for row, label_row in zip(data, label):
            # each sequence starts on a multiple of seq_len and its label is the same
            # stretch of text one character further on
            start = _find_start(numerical, row, seq_len)
            np.testing.assert_array_equal(label_row, numerical[start + 1:start + 1 + seq_len])
            starts[-1].append(start)
        assert len(set(starts[-1])) == batch_size
    return starts


def _find_start(numerical, row, seq_len):
    for start in range(0, len(numerical) - seq_len, seq_len):
        if np.array_equal(numerical[start:start + seq_len], row):
            return start
    raise AssertionError(f"{row} is not a sequence starting at a multiple of {seq_len}")


def test_data_iter_as_the_book_repeats_most_of_each_batch(ns, random_letters, monkeypatch):
    monkeypatch.setitem(ns, "disjoint_batches", False)
    starts = _batch_starts(ns, random_letters, 4, 7)
    for first, second in zip(starts, starts[1:]):
        assert first[1:] == second[:-1]


def test_data_iter_disjoint_shows_each_sequence_once(ns, random_letters, monkeypatch):
    monkeypatch.setitem(ns, "disjoint_batches", True)
    starts = np.concatenate(_batch_starts(ns, random_letters, 4, 7))
    assert len(set(starts)) == len(starts)


def test_book_demo_batch_and_shapes_are_printed(run):
    assert re.search(r"data:  \n\[\[[\d. \n\[\]]+\]\]\n<NDArray 3x8 @cpu\(0\)> \n\n"
                     r"label: \n\[\[[\d. \n\[\]]+\]\]\n<NDArray 3x8 @cpu\(0\)>", run.out)
    for line in ("input length:  8", f"input[0] shape:  (3, {run.ns['vocab_size']})",
                 "output length:  8", f"output[0] shape:  (3, {run.ns['vocab_size']})",
                 f"state shape:  (3, {TINY['num_hidden']})", "Will use cpu(0)"):
        assert line in run.out


# --- the model --------------------------------------------------------------------------------

def test_get_inputs_is_one_hot_per_time_step(ns):
    data = nd.array([[0, 2, 1], [3, 3, 0]])
    inputs = ns["get_inputs"](data)
    vocab_size = ns["vocab_size"]
    assert len(inputs) == 3 and all(x.shape == (2, vocab_size) for x in inputs)
    for t, x in enumerate(inputs):
        np.testing.assert_array_equal(x.asnumpy(),
                                      np.eye(vocab_size)[data.asnumpy()[:, t].astype(int)])


def test_rnn_matches_the_formula(ns):
    data = nd.array([[1, 4, 2], [0, 3, 3]])
    H0 = nd.random.normal(shape=(2, TINY["num_hidden"]))
    outputs, H = ns["rnn"](ns["get_inputs"](data), H0)
    Wxh, Whh, bh, Why, by = (p.asnumpy() for p in ns["params"])
    h = H0.asnumpy()
    for t in range(3):
        x = np.eye(ns["vocab_size"])[data.asnumpy()[:, t].astype(int)]
        h = np.tanh(x @ Wxh + h @ Whh + bh)
        np.testing.assert_allclose(outputs[t].asnumpy(), h @ Why + by, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(H.asnumpy(), h, rtol=1e-4, atol=1e-5)


def test_gradients_flow_through_time(ns):
    """The output at the last step depends on the first input through Whh."""
    rnn, get_inputs = ns["rnn"], ns["get_inputs"]
    H0 = nd.zeros((1, TINY["num_hidden"]))
    with autograd.record():
        outputs, _ = rnn(get_inputs(nd.array([[1, 2, 3]])), H0)
        last = outputs[-1].sum()
    last.backward()
    with_history = ns["Whh"].grad.asnumpy().copy()
    assert np.abs(with_history).sum() > 0
    # the same last input with no history before it: a different gradient
    with autograd.record():
        outputs, _ = rnn(get_inputs(nd.array([[3]])), H0)
        last = outputs[-1].sum()
    last.backward()
    assert np.abs(ns["Whh"].grad.asnumpy() - with_history).max() > 0


def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nd.zeros(g.shape)
        p.attach_grad()
        p.grad[:] = g
        params.append(p)
    return params


def test_grad_clipping_scales_a_large_gradient_to_theta(ns):
    grads = [nd.array([[3., -4.]]), nd.array([12.])]          # joint norm 13
    params = _params_with_grads(grads)
    ns["grad_clipping"](params, 5)
    norm = np.sqrt(sum((p.grad.asnumpy() ** 2).sum() for p in params))
    assert norm == pytest.approx(5, rel=1e-6)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.asnumpy(), g.asnumpy() * 5 / 13, rtol=1e-6)
    # d2l's grad_clipping (on a model with .params) does the same; d2l works on
    # mxnet.np arrays, with MXNet's numpy semantics switched on only for the call
    with mx.util.np_shape(True), mx.util.np_array(True):
        theirs = [g.as_np_ndarray().copy() for g in grads]
        for p, g in zip(theirs, grads):
            p.attach_grad()
            p.grad[:] = g.as_np_ndarray()
        d2l.grad_clipping(SimpleNamespace(params=theirs), 5)
        theirs = [p.grad.asnumpy() for p in theirs]
    for ours, other in zip(params, theirs):
        np.testing.assert_allclose(ours.grad.asnumpy(), other, rtol=1e-6)


def test_grad_clipping_leaves_a_small_gradient_alone(ns):
    grads = [nd.array([[.3, -.4]]), nd.array([1.2])]          # joint norm 1.3
    params = _params_with_grads(grads)
    ns["grad_clipping"](params, 5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.asnumpy(), g.asnumpy())


def test_predict_starts_with_the_prefix_and_has_the_requested_length(ns):
    for prefix in PREFIXES:
        text = ns["predict"](prefix, 25)
        assert text.startswith(prefix.lower())
        assert len(text) == len(prefix) + 25
        assert set(text) <= set(ns["character_list"])
    with pytest.raises(ValueError, match="'#'"):
        ns["predict"]("The #", 5)


# --- training -------------------------------------------------------------------------------

def test_a_few_epochs_lower_the_perplexity(run):
    ppl = run.ns["perplexities"]
    assert len(ppl) == 5 and run.ns["perplexity"] == ppl[-1]
    assert len(run.seconds) == 5
    # an untrained model is about as good as a uniform guess over the characters
    assert ppl[0] == pytest.approx(run.ns["vocab_size"], rel=0.25)
    assert ppl[-1] < ppl[0] * 0.75
    # the book's line every 20 epochs and after the last, each with two predictions
    assert PPL_LINE.findall(run.out) == [("0", "%f" % ppl[0]), ("4", "%f" % ppl[4])]
    for prefix in PREFIXES:
        assert run.out.count(" -  " + prefix.lower()) == 2
    assert is_png(run.dir / "perplexity.png")


def test_same_seed_same_run_and_disjoint_batches_differ(tiny, tmp_path):
    first = execute(SLUG, tmp_path, **QUICK).ns["perplexities"]
    again = execute(SLUG, tmp_path, **QUICK).ns["perplexities"]
    disjoint = execute(SLUG, tmp_path, **QUICK, disjoint_batches=True).ns["perplexities"]
    assert first == again
    assert disjoint[0] != first[0]


def test_a_diverging_run_stops_before_writing(tiny, tmp_path):
    with pytest.raises(runtime.Diverged, match=r"perplexity is .*learning_rate = 1e\+09"):
        execute(SLUG, tmp_path, **QUICK, learning_rate=1e9)
    assert not (tmp_path / "perplexity.png").exists()


def test_text_too_short_for_a_batch_is_refused(tiny, tmp_path):
    with pytest.raises(ValueError, match="200 characters make 5 sequences of 35: "
                                         "fewer than one batch of 32"):
        execute(SLUG, tmp_path, text_len=200)


def test_missing_text_is_one_clear_message(data_dir, tmp_path, capsys):
    assert cli.run(sections.get(SLUG), ["--epochs", "1", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "timemachine.txt" in err
    with pytest.raises(data.DataError):
        run_section(SLUG, tmp_path)


@pytest.mark.slow
def test_book_settings_reach_a_low_perplexity(real_data, tmp_path):
    """The book's full run (201 epochs); about 3-4 minutes on two CPU cores."""
    run = execute(SLUG, tmp_path)
    assert len(run.ns["perplexities"]) == 201
    assert run.ns["perplexity"] < 4
    assert [e for e, _ in PPL_LINE.findall(run.out)] == [str(e) for e in range(0, 201, 20)]
