"""The word-level language model with Gluon (rnn_gluon, release 0.6) on a tiny Penn Treebank that
the tests zip up: the dictionary and corpus, batches, the four kinds of recurrent layer, the
printed perplexities, and bad input."""
import math
import re

import numpy as np
import pytest
from mxnet import nd

from conftest import ptb_members, write_release06_corpora
from gluon_tutorials import cli, sections
from test_chapter04_lenet_bn import check_is_a_notebook, defaults, execute, tiny_data

SLUG = "rnn_gluon"
# Two epochs of a small LSTM-free ReLU RNN over the tiny text: a few seconds.
TINY = {"epochs": 2, "embed_dim": 16, "hidden_dim": 16, "batch_size": 4, "eval_period": 10,
        "ctx": "cpu"}
NUMBER = r"(\d+\.\d{2})"
BATCH_LINE = re.compile(rf"^\[Epoch (\d+) Batch (\d+)\] loss {NUMBER}, perplexity {NUMBER}$", re.M)
TRAIN_LINE = re.compile(rf"^\[Epoch (\d+)\] training loss {NUMBER}, training perplexity {NUMBER}$", re.M)
VAL_LINE = re.compile(rf"^\[Epoch (\d+)\] time cost \d+\.\d{{2}}s, validation loss {NUMBER}, "
                      rf"validation perplexity {NUMBER}$", re.M)
TEST_LINE = re.compile(rf"^Test loss {NUMBER}, test perplexity {NUMBER}$", re.M)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory, write_release06_corpora) as t:
        yield t


@pytest.fixture(scope="module")
def run(tiny):
    root, _ = tiny
    return execute(SLUG, root / "out", **TINY)


def test_is_a_notebook_with_the_books_defaults():
    check_is_a_notebook(SLUG)
    assert defaults(SLUG) == {
        "model_name": "rnn_relu", "embed_dim": 100, "hidden_dim": 100, "num_layers": 2,
        "lr": 1.0, "clipping_norm": 0.2, "epochs": 1, "batch_size": 32, "num_steps": 5,
        "dropout_rate": 0.2, "eval_period": 500, "subset": None, "ctx": "auto", "seed": 1}
    section = sections.get(SLUG)
    assert section.metrics == ["train_perplexity", "val_perplexity", "test_perplexity"]
    assert section.book == {} and section.dataset == "ptb"


def test_corpus_numbers_the_words_of_the_three_files(run):
    ns = run.ns
    files = {k.split(".")[1]: v for k, v in ptb_members().items() if k.endswith(".txt")}
    words = {name: [w for line in text.splitlines() for w in line.split() + ["<eos>"]]
             for name, text in files.items()}
    dictionary = ns["corpus"].dictionary
    # first occurrence order over train, then valid, then test
    seen = list(dict.fromkeys(words["train"] + words["valid"] + words["test"]))
    assert dictionary.idx_to_word == seen and len(dictionary) == ns["vocab_size"]
    assert f"vocab size: {len(seen)}\n" in run.out
    for name in ("train", "valid", "test"):
        indices = getattr(ns["corpus"], name)
        assert indices.dtype == np.int32
        assert [dictionary.idx_to_word[i] for i in indices.asnumpy()] == words[name]


def test_batchify_lays_the_words_out_in_columns(run):
    data = nd.arange(23)
    batches = run.ns["batchify"](data, 4)
    assert batches.shape == (5, 4)
    # column j is the j-th fifth of the (cut) text, so a row is 4 far-apart words
    np.testing.assert_array_equal(batches.asnumpy().T, np.arange(20).reshape(4, 5))


def test_get_batch_targets_are_the_next_words(run):
    source = nd.arange(24).reshape((6, 4))
    data, target = run.ns["get_batch"](source, 0)
    assert data.shape == (5, 4)  # num_steps rows
    np.testing.assert_array_equal(target.asnumpy(), source[1:6].reshape((-1,)).asnumpy())
    data, target = run.ns["get_batch"](source, 3)  # the last batch is shorter
    assert data.shape == (2, 4) and target.shape == (8,)


def test_detach_cuts_the_state_off_the_graph(run):
    from mxnet import autograd

    x = nd.ones((2,))
    x.attach_grad()
    with autograd.record():
        state = [x * 2, x * 3]
        cut = run.ns["detach"](state)
        (cut[0] * x + cut[1]).sum().backward()
    # only the direct use of x is differentiated: d/dx (2x * x) with 2x held fixed is 2x = 2
    np.testing.assert_array_equal(x.grad.asnumpy(), [2, 2])


@pytest.mark.parametrize("mode", ["rnn_relu", "rnn_tanh", "lstm", "gru"])
def test_every_kind_of_recurrent_layer_runs(run, mode):
    ns = run.ns
    model = ns["RNNModel"](mode, 30, 6, 5, 2, 0.2)
    model.collect_params().initialize()
    hidden = model.begin_state(func=nd.zeros, batch_size=3)
    assert len(hidden) == (2 if mode == "lstm" else 1)
    output, hidden = model(nd.array([[1, 2, 3], [4, 5, 6]]), hidden)
    assert output.shape == (2 * 3, 30)  # (num_steps * batch_size, vocab_size)
    assert hidden[0].shape == (2, 3, 5)  # (num_layers, batch_size, hidden_dim)
    with pytest.raises(ValueError, match="Invalid mode foo"):
        ns["RNNModel"]("foo", 30, 6, 5, 2)


def test_prints_train_validation_and_test_perplexity_and_learns(run):
    ns, out = run.ns, run.out
    vocab_size = ns["vocab_size"]
    batches = math.ceil((ns["train_data"].shape[0] - 1) / 5)
    assert [int(b) for e, b, *_ in BATCH_LINE.findall(out) if e == "1"] == list(range(10, batches, 10))
    for _, _, loss, ppl in BATCH_LINE.findall(out):
        assert float(ppl) == pytest.approx(math.exp(float(loss)), rel=0.01)
    train = TRAIN_LINE.findall(out)
    val = VAL_LINE.findall(out)
    assert [e for e, *_ in train] == [e for e, *_ in val] == ["1", "2"]
    assert len(run.seconds) == 2
    assert [float(p) for *_, p in train] == pytest.approx(ns["train_perplexities"], abs=0.006)
    assert [float(p) for *_, p in val] == pytest.approx(ns["val_perplexities"], abs=0.006)
    (test_loss, test_ppl), = TEST_LINE.findall(out)
    assert float(test_ppl) == pytest.approx(ns["test_perplexity"], abs=0.006)
    assert ns["val_perplexity"] == ns["val_perplexities"][-1]
    # the tiny grammar is far more predictable than a uniform guess over its words
    assert ns["train_perplexities"][1] < ns["train_perplexities"][0]
    assert ns["val_perplexity"] < 0.6 * vocab_size and ns["test_perplexity"] < 0.6 * vocab_size


def test_a_subset_keeps_the_vocabulary_and_cuts_the_sets(tiny, tmp_path):
    ns = execute(SLUG, tmp_path, **{**TINY, "epochs": 1, "subset": 100}).ns
    assert ns["vocab_size"] == len(ns["corpus"].dictionary.idx_to_word)
    assert [getattr(ns["corpus"], s).shape[0] for s in ("train", "valid", "test")] == [100] * 3
    assert ns["train_data"].shape == (25, 4)


def test_bad_parameters_are_one_line_and_exit_2(tiny, tmp_path, capsys):
    section = sections.get(SLUG)
    assert cli.run(section, ["--subset", "50", "--ctx", "cpu"]) == 2  # 50 < 2 x 32 words
    err = capsys.readouterr().err
    assert err == ("error: the train set has 50 words, fewer than 2 x batch_size = 64: no batch "
                   "to train or evaluate on; use a larger subset or a smaller batch_size\n")
    for argv in (["--model-name", "lstmm"], ["--dropout-rate", "1"], ["--lr", "0"]):
        with pytest.raises(SystemExit) as exit_:
            cli.run(section, argv)
        assert exit_.value.code == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_missing_ptb_is_one_clear_message(data_dir, capsys):
    assert cli.run(sections.get(SLUG), ["--ctx", "cpu"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: missing data file(s): ptb.zip") and "ptb.zip by hand" in err


@pytest.mark.slow
def test_real_ptb(real_data, tmp_path):
    """The first 20000 words of each set (a minute or so)."""
    run = execute(SLUG, tmp_path, subset=20000, eval_period=50, ctx="cpu")
    assert "vocab size: 10000\n" in run.out
    assert len(BATCH_LINE.findall(run.out)) == 2
    assert run.ns["val_perplexity"] < 10000 and len(TEST_LINE.findall(run.out)) == 1


def test_reproduce_records_our_perplexities_and_the_subset(tiny, tmp_path):
    import json

    from gluon_tutorials import reproduce

    assert reproduce.main(["--sections", SLUG, "--subset", "200", "--seeds", "2", "--ctx", "cpu",
                           "--quiet", "--out", str(tmp_path)]) == 0
    entry, = json.loads((tmp_path / "report.json").read_text())["sections"]
    assert entry["status"] == "ok" and "subset of 200" in entry["notes"]
    rows = {r["metric"]: r for r in entry["rows"]}
    assert list(rows) == ["train_perplexity", "val_perplexity", "test_perplexity"]
    for row in rows.values():
        assert row["verdict"] == "no book figure" and row["book"] is None and row["z"] is None
        assert len(row["values"]) == 2 and all(1 < v < 100 for v in row["values"])
