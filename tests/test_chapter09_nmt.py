"""Neural machine translation (nmt): the section runs once on a few sentence pairs the test
writes (module-scoped) and the tests read its namespace and printout: reading and padding the
pairs, the vocabularies, the attention decoder, training and the printed translations."""
import re

import numpy as np
import pytest
from mxnet import nd

from conftest import register, run_section
from gluon_tutorials import cli, data, sections
from test_chapter04_lenet_bn import check_is_a_notebook, defaults, execute, is_png, tiny_data

SLUG = "nmt"
# The book's two test sentences, pairs that share words with them, and one pair too long
# for max_seq_len = 5 (it must be left out); "elle court ." still fits max_seq_len = 4.
PAIRS = [
    ("elle est japonaise .", "she is japanese ."),
    ("ils regardent .", "they are watching ."),
    ("elle est vieille .", "she is old ."),
    ("ils sont russes .", "they are russian ."),
    ("elle court .", "she runs ."),
    ("il a environ mon age .", "he is about my age ."),
]
TEXT = "".join(f"{fr}\t{en}\n" for fr, en in PAIRS)
# Small networks, 30 epochs of the 5 short pairs: a few seconds, and the loss falls clearly.
TINY = {"epochs": 30, "epoch_period": 10, "encoder_hidden_dim": 32, "decoder_hidden_dim": 32,
        "alignment_dim": 8, "learning_rate": 0.01, "ctx": "cpu"}
QUICK = {**TINY, "epochs": 2, "epoch_period": 1}
LOSS_LINE = re.compile(r"^Epoch (\d+), Loss (\d+\.\d{6}), Time \d\d:\d\d:\d\d$", re.MULTILINE)


def write_pairs(folder, mp, text=TEXT):
    (folder / "v0.6").mkdir(exist_ok=True)
    (folder / "v0.6" / "fr-en-small.txt").write_text(text, encoding="utf-8")
    register(mp, "fr-en-small.txt", text.encode("utf-8"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory, write_pairs) as t:
        yield t


@pytest.fixture(scope="module")
def run(tiny):
    root, _ = tiny
    return execute(SLUG, root / "out", **TINY)


@pytest.fixture(scope="module")
def ns(run):
    return run.ns


def test_is_a_notebook_with_the_books_defaults():
    check_is_a_notebook(SLUG)
    assert defaults(SLUG) == {
        "epochs": 50, "epoch_period": 10, "learning_rate": 0.005, "max_seq_len": 5,
        "encoder_num_layers": 1, "decoder_num_layers": 2, "encoder_drop_prob": 0.1,
        "decoder_drop_prob": 0.1, "encoder_hidden_dim": 256, "decoder_hidden_dim": 256,
        "alignment_dim": 25, "ctx": "cpu", "seed": 1, "out": f"out/{SLUG}"}
    section = sections.get(SLUG)
    assert section.chapter == "chapter09_natural_language_processing"
    assert sections.CHAPTER_NAMES[section.chapter] == "10 自然语言处理"


def test_pairs_are_filtered_ended_and_padded(ns):
    assert ns["input_seqs"] == [fr.split(" ") + ["<eos>"] + ["<pad>"] * (4 - len(fr.split(" ")))
                                for fr, en in PAIRS[:5]]
    assert ns["output_seqs"] == [en.split(" ") + ["<eos>"] + ["<pad>"] * (4 - len(en.split(" ")))
                                 for fr, en in PAIRS[:5]]
    # the long pair's words are in neither vocabulary
    assert "environ" not in ns["input_vocab"].token_to_idx
    assert "about" not in ns["output_vocab"].token_to_idx


def test_vocabularies_reserve_the_special_tokens_and_index_the_rows(ns, run):
    for vocab in (ns["input_vocab"], ns["output_vocab"]):
        assert vocab.idx_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    french = {w for fr, _ in PAIRS[:5] for w in fr.split(" ")}
    assert set(ns["input_vocab"].idx_to_token[4:]) == french
    X, Y = ns["X"].asnumpy().astype(int), ns["Y"].asnumpy().astype(int)
    assert X.shape == Y.shape == (5, 5)
    for row, seq in zip(X, ns["input_seqs"]):
        assert [ns["input_vocab"].idx_to_token[i] for i in row] == seq
    for row, seq in zip(Y, ns["output_seqs"]):
        assert [ns["output_vocab"].idx_to_token[i] for i in row] == seq
    assert f"pairs: 5 French words: {len(ns['input_vocab'])} " in run.out


def test_encoder_output_and_decoder_step_shapes(ns):
    encoder, decoder, init = ns["encoder"], ns["decoder"], ns["decoder_init_state"]
    state = encoder.begin_state(func=nd.zeros, batch_size=1, ctx=ns["ctx"])
    outputs, state = encoder(ns["X"][0:1], state)
    assert outputs.shape == (5, 1, TINY["encoder_hidden_dim"])
    decoder_state = init(state[0])
    assert decoder_state[0].shape == (1, 1, TINY["decoder_hidden_dim"])
    output, new_state = decoder(nd.array([2]), decoder_state, outputs.flatten())
    assert output.shape == (1, len(ns["output_vocab"]))
    # two decoder layers, each started from the top layer's state
    assert new_state[0].shape == (2, 1, TINY["decoder_hidden_dim"])


def test_attention_weights_are_a_softmax_over_the_positions(ns):
    """The decoder's context is the attention-weighted mean of the encoder outputs: with
    every encoder output equal, the context is that output, whatever the weights."""
    decoder = ns["decoder"]
    same = nd.ones((5, TINY["encoder_hidden_dim"])) * 0.3
    state = [nd.random.normal(shape=(1, 1, TINY["decoder_hidden_dim"]))]
    energy = decoder.attention(nd.concat(same.reshape((5, 1, -1)),
                                         nd.broadcast_axis(state[0], axis=0, size=5), dim=2))
    weights = nd.softmax(energy, axis=0).reshape((1, 1, 5))
    assert weights.sum().asscalar() == pytest.approx(1, rel=1e-5)
    context = nd.batch_dot(weights, same.reshape((5, 1, -1)).swapaxes(0, 1))
    np.testing.assert_allclose(context.asnumpy().ravel(), 0.3, rtol=1e-5)


def test_the_loss_falls_and_translations_are_printed(run):
    ns = run.ns
    printed = [(int(e), float(loss)) for e, loss in LOSS_LINE.findall(run.out)]
    assert [e for e, _ in printed] == [1, 10, 20, 30]
    assert [loss for _, loss in printed] == pytest.approx(ns["losses"], abs=1e-6)
    assert ns["final_loss"] == ns["losses"][-1]
    # the book's average over each period of 10 epochs (the first one includes epoch 1)
    epoch_losses = ns["epoch_losses"]
    assert len(epoch_losses) == 30 and len(run.seconds) == 30
    assert ns["losses"][0] == pytest.approx(epoch_losses[0])
    assert ns["losses"][1] == pytest.approx(np.mean(epoch_losses[:10]))
    assert ns["losses"][3] == pytest.approx(np.mean(epoch_losses[20:30]))
    assert np.mean(epoch_losses[-5:]) < 0.5 * epoch_losses[0]
    # four printouts of the book's two test sentences
    for fr, en in PAIRS[:2]:
        assert run.out.count(f"Input : {fr}\n") == 4
        assert run.out.count(f"Expect: {en} \n") == 4
    outputs = re.findall(r"^Output: (.*)$", run.out, re.MULTILINE)
    assert len(outputs) == 8 and outputs[-2:] == ns["translations"]
    english = set(ns["output_vocab"].idx_to_token)
    for line in outputs:
        words = line.split()
        assert len(words) <= 5 and set(words) <= english - {"<eos>"}
    assert is_png(run.dir / "loss.png")


def test_translate_returns_what_it_prints(ns, capsys):
    got = ns["translate"](ns["encoder"], ns["decoder"], ns["decoder_init_state"],
                          [["ils sont russes .", "they are russian ."]], ns["ctx"], 5)
    out = capsys.readouterr().out
    assert out.startswith("Input : ils sont russes .\nOutput: ")
    assert f"Output: {got[0]}\nExpect: they are russian . \n" in out


def test_same_seed_same_losses(tiny, tmp_path):
    first = execute(SLUG, tmp_path, **QUICK).ns["epoch_losses"]
    assert execute(SLUG, tmp_path, **QUICK).ns["epoch_losses"] == first
    assert execute(SLUG, tmp_path, **QUICK, seed=2).ns["epoch_losses"] != first


def test_a_too_long_test_sentence_is_refused_before_training(tiny, tmp_path):
    with pytest.raises(ValueError, match="'elle est japonaise .' has 4 words: a test "
                                         "sentence needs fewer than max_seq_len = 4"):
        execute(SLUG, tmp_path, **QUICK, max_seq_len=4)


def test_missing_file_is_one_message_naming_it(data_dir, tmp_path, capsys):
    assert cli.run(sections.get(SLUG), ["--epochs", "1", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: missing data file(s): fr-en-small.txt")
    assert str(data_dir / "v0.6") in err


def test_a_corrupt_file_is_refused_and_kept(data_dir, tmp_path, monkeypatch, capsys):
    write_pairs(data_dir, monkeypatch)
    path = data_dir / "v0.6" / "fr-en-small.txt"
    path.write_text(TEXT.replace("vieille", "vieile"), encoding="utf-8")
    before = path.read_bytes()
    assert cli.run(sections.get(SLUG), ["--epochs", "1", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: content has sha1 ") and err.count("\n") == 1
    assert path.read_bytes() == before


@pytest.mark.slow
def test_book_settings_on_the_books_pairs(real_data, tmp_path):
    """The book's 50 epochs on the shipped 20 pairs (10 short enough); about a minute."""
    run = execute(SLUG, tmp_path)
    ns = run.ns
    assert len(ns["input_seqs"]) == 10
    assert [int(e) for e, _ in LOSS_LINE.findall(run.out)] == [1, 10, 20, 30, 40, 50]
    assert ns["final_loss"] < 0.5 * ns["losses"][0]
    assert run.out.count("Input : elle est japonaise .\n") == 6
    assert len(ns["translations"]) == 2
