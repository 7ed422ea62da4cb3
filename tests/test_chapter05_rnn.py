"""The character RNN from scratch: text preparation, batches, one-hot inputs, the
recurrence, gradient clipping, prediction, training and main."""
import re

import numpy as np
import pytest
from mxnet import autograd, nd

from gluon_tutorials import cli
from gluon_tutorials.chapter05_recurrent_neural_networks import rnn_scratch


@pytest.fixture
def corpus(tiny_time_machine):
    return rnn_scratch.Corpus(rnn_scratch.load_time_machine())


def test_text_is_lower_cased_without_newlines_and_cut(tiny_time_machine):
    text = rnn_scratch.load_time_machine(num_chars=500)
    expected = tiny_time_machine.lower().replace("\n", "")[:500]
    assert text == expected and len(text) == 500
    assert "\n" not in text and text == text.lower()


def test_character_dictionary_round_trips(corpus):
    assert corpus.vocab_size == len(set(corpus.text))
    assert "".join(corpus.character_list[i] for i in corpus.time_numerical) == corpus.text
    assert all(corpus.character_dict[c] == i for i, c in enumerate(corpus.character_list))


def _batch_starts(corpus, batch_size, seq_len, disjoint):
    """Check shapes and labels of one epoch; return each batch's sequence start positions."""
    numerical = np.array(corpus.time_numerical)
    batches = list(corpus.data_iter(batch_size, seq_len, disjoint=disjoint))
    assert len(batches) == corpus.num_examples(seq_len) // batch_size
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


@pytest.fixture
def random_letters():
    # every stretch of a few random letters occurs once, so each row tells where in
    # the text it was taken from
    rng = np.random.RandomState(0)
    return rnn_scratch.Corpus("".join(rng.choice(list("abcdefghij"), 300)))


def test_data_iter_as_the_book_repeats_most_of_each_batch(random_letters):
    starts = _batch_starts(random_letters, 4, 7, disjoint=False)
    for first, second in zip(starts, starts[1:]):
        assert first[1:] == second[:-1]


def test_data_iter_disjoint_shows_each_sequence_once(random_letters):
    starts = np.concatenate(_batch_starts(random_letters, 4, 7, disjoint=True))
    assert len(set(starts)) == len(starts)


def _find_start(numerical, row, seq_len):
    for start in range(0, len(numerical) - seq_len, seq_len):
        if np.array_equal(numerical[start:start + seq_len], row):
            return start
    raise AssertionError(f"{row} is not a sequence starting at a multiple of {seq_len}")


def test_get_inputs_is_one_hot_per_time_step():
    data = nd.array([[0, 2, 1], [3, 3, 0]])
    inputs = rnn_scratch.get_inputs(data, 4)
    assert len(inputs) == 3 and all(x.shape == (2, 4) for x in inputs)
    for t, x in enumerate(inputs):
        np.testing.assert_array_equal(x.asnumpy(), np.eye(4)[data.asnumpy()[:, t].astype(int)])


def test_rnn_matches_the_formula(corpus):
    model = rnn_scratch.CharRNN(corpus, num_hidden=5)
    for param in model.params:
        param[:] = nd.random.normal(shape=param.shape)
    data = nd.array([[1, 4, 2], [0, 3, 3]])
    H0 = nd.random.normal(shape=(2, 5))
    outputs, H = model.rnn(model.get_inputs(data), H0)
    Wxh, Whh, bh, Why, by = (p.asnumpy() for p in model.params)
    h = H0.asnumpy()
    for t in range(3):
        x = np.eye(corpus.vocab_size)[data.asnumpy()[:, t].astype(int)]
        h = np.tanh(x @ Wxh + h @ Whh + bh)
        np.testing.assert_allclose(outputs[t].asnumpy(), h @ Why + by, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(H.asnumpy(), h, rtol=1e-4, atol=1e-5)


def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nd.zeros(g.shape)
        p.attach_grad()
        p.grad[:] = g
        params.append(p)
    return params


def test_grad_clipping_scales_a_large_gradient_to_theta():
    grads = [nd.array([[3., -4.]]), nd.array([12.])]          # joint norm 13
    params = _params_with_grads(grads)
    rnn_scratch.grad_clipping(params, 5)
    norm = np.sqrt(sum((p.grad.asnumpy() ** 2).sum() for p in params))
    assert norm == pytest.approx(5, rel=1e-6)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.asnumpy(), g.asnumpy() * 5 / 13, rtol=1e-6)


def test_grad_clipping_leaves_a_small_gradient_alone():
    grads = [nd.array([[.3, -.4]]), nd.array([1.2])]          # joint norm 1.3
    params = _params_with_grads(grads)
    rnn_scratch.grad_clipping(params, 5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.asnumpy(), g.asnumpy())


def test_predict_starts_with_the_prefix_and_has_the_requested_length(corpus):
    model = rnn_scratch.CharRNN(corpus, num_hidden=16)
    for prefix in rnn_scratch.PREFIXES:
        text = model.predict(prefix, 25)
        assert text.startswith(prefix.lower())
        assert len(text) == len(prefix) + 25
        assert set(text) <= set(corpus.character_list)
    with pytest.raises(ValueError, match="'#'"):
        model.predict("The #", 5)


def test_gradients_flow_through_time(corpus):
    """The loss at the last step depends on the first input through Whh."""
    model = rnn_scratch.CharRNN(corpus, num_hidden=8)
    data = nd.array([[1, 2, 3]])
    with autograd.record():
        outputs, _ = model.rnn(model.get_inputs(data), nd.zeros((1, 8)))
        outputs[-1].sum().backward()
    assert np.abs(model.Whh.grad.asnumpy()).sum() > 0


def test_a_few_epochs_lower_the_perplexity(corpus):
    model = rnn_scratch.CharRNN(corpus, num_hidden=64)
    lines = []
    result = rnn_scratch.train(model, corpus, epochs=4, seq_len=35, batch_size=32,
                               disjoint=True, predict_len=10, log=lines.append)
    ppl = result["perplexities"]
    assert len(ppl) == 5 and result["perplexity"] == ppl[-1]
    # an untrained model is about as good as a uniform guess over the vocabulary
    assert ppl[0] == pytest.approx(corpus.vocab_size, rel=0.25)
    assert ppl[-1] < ppl[0] * 0.75
    assert [line for line in lines if line.startswith("Epoch")] == [
        "Epoch 0. PPL %f" % ppl[0], "Epoch 4. PPL %f" % ppl[4]]


def test_main_runs_with_tiny_settings(tiny_time_machine, tmp_path, capsys):
    argv = ["--epochs", "1", "--num-hidden", "32", "--ctx", "cpu", "--out", str(tmp_path)]
    result = rnn_scratch.main(argv)
    out = capsys.readouterr().out
    assert re.findall(r"^Epoch (\d+)\. PPL \d+\.\d{6}$", out, re.M) == ["0", "1"]
    assert " - the time ma" in out and " - the medical man rose, came to the lamp," in out
    assert result["perplexity"] > 1 and len(result["epoch_seconds"]) == 2
    assert (tmp_path / "perplexity.png").stat().st_size > 0
    assert rnn_scratch.main(argv)["perplexity"] == result["perplexity"]   # same seed, same run
    assert rnn_scratch.main(argv + ["--disjoint-batches"])["perplexity"] != result["perplexity"]


def test_text_too_short_for_a_batch_is_an_argument_error(tiny_time_machine, capsys):
    with pytest.raises(SystemExit) as exc:
        rnn_scratch.main(["--text-len", "200"])
    assert exc.value.code == 2
    assert "fewer than one batch of 32" in capsys.readouterr().err


def test_missing_text_is_one_clear_message(data_dir, capsys):
    assert cli.run(rnn_scratch.main, ["--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "timemachine.txt" in err


@pytest.mark.slow
def test_book_settings_reach_a_low_perplexity(real_data, tmp_path):
    """The book's full run (201 epochs); about 3-4 minutes on two CPU cores."""
    result = rnn_scratch.main(["--out", str(tmp_path)])
    assert result["perplexity"] < 4
    assert len(result["perplexities"]) == 201
