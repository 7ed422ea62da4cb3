"""A character-level recurrent neural network from scratch on The Time Machine.

The first 10000 characters of the book, lower-cased, newlines removed; one-hot
inputs, a tanh hidden layer of 256 units with a recurrent weight, gradient
clipping at 5; seq_len 35, batch 32, lr 0.1, epochs 0 to 200 as in the book.
Batches are drawn as the book draws them (most of each batch again in the next);
--disjoint-batches shows every sequence once an epoch instead.
"""
import random
import sys
import time
from math import exp

import mxnet as mx
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli, plotting
from gluon_tutorials.data import read_time_machine

PREFIXES = ("The Time Ma", "The Medical Man rose, came to the lamp,")
weight_scale = .01


def load_time_machine(num_chars=10000, root=None):
    """The book's preprocessing: lower-case, no line breaks, the first `num_chars` characters."""
    text = read_time_machine(root)
    return text.lower().replace("\n", "").replace("\r", "")[:num_chars]


class Corpus:
    """A text, its character dictionary and the text as indices into that dictionary."""

    def __init__(self, text):
        self.text = text
        # The book uses list(set(text)), whose order changes with Python's hash
        # seed; sorting gives the same indices (and so the same run) every time.
        self.character_list = sorted(set(text))
        self.character_dict = {char: i for i, char in enumerate(self.character_list)}
        self.vocab_size = len(self.character_list)
        self.time_numerical = [self.character_dict[char] for char in text]

    def num_examples(self, seq_len):
        """How many non-overlapping sequences of `seq_len` (each with its label) the text holds."""
        return (len(self.time_numerical) - 1) // seq_len

    def data_iter(self, batch_size, seq_len, ctx=None, disjoint=False):
        """(data, label) batches of `batch_size` random non-overlapping sequences, each
        label being its sequence shifted one character ahead; both batch_size x seq_len."""
        num_examples = self.num_examples(seq_len)
        idx = list(range(num_examples))
        random.shuffle(idx)

        def _data(pos):
            return self.time_numerical[pos:pos + seq_len]

        for i in range(num_examples // batch_size):
            # The book takes idx[i:i + batch_size]: each batch shares all but one
            # sequence with the next, an epoch sees only num_batches + batch_size - 1
            # sequences, and the training perplexity it prints comes out lower for the
            # repetition. Kept to reproduce the book; disjoint=True gives every
            # sequence once an epoch.
            start = i * batch_size if disjoint else i
            examples = idx[start:start + batch_size]
            data = nd.array([_data(j * seq_len) for j in examples], ctx=ctx)
            label = nd.array([_data(j * seq_len + 1) for j in examples], ctx=ctx)
            yield data, label


def get_inputs(data, vocab_size):
    """batch_size x seq_len indices -> seq_len one-hot matrices of batch_size x vocab_size."""
    return [nd.one_hot(X, vocab_size) for X in data.T]


class CharRNN:
    """The book's model: H_t = tanh(X_t Wxh + H_{t-1} Whh + bh), Y_t = H_t Why + by."""

    def __init__(self, corpus, num_hidden=256, ctx=mx.cpu()):
        self.corpus, self.num_hidden, self.ctx = corpus, num_hidden, ctx
        vocab_size = corpus.vocab_size
        # hidden layer
        self.Wxh = nd.random_normal(shape=(vocab_size, num_hidden), ctx=ctx) * weight_scale
        self.Whh = nd.random_normal(shape=(num_hidden, num_hidden), ctx=ctx) * weight_scale
        self.bh = nd.zeros(num_hidden, ctx=ctx)
        # output layer
        self.Why = nd.random_normal(shape=(num_hidden, vocab_size), ctx=ctx) * weight_scale
        self.by = nd.zeros(vocab_size, ctx=ctx)
        self.params = [self.Wxh, self.Whh, self.bh, self.Why, self.by]
        for param in self.params:
            param.attach_grad()

    def get_inputs(self, data):
        return get_inputs(data, self.corpus.vocab_size)

    def rnn(self, inputs, H):
        """inputs: seq_len matrices batch_size x vocab_size; H: batch_size x num_hidden.
        Returns the seq_len outputs (batch_size x vocab_size) and the last hidden state."""
        outputs = []
        for X in inputs:
            H = nd.tanh(nd.dot(X, self.Wxh) + nd.dot(H, self.Whh) + self.bh)
            outputs.append(nd.dot(H, self.Why) + self.by)
        return outputs, H

    def predict(self, prefix, num_chars):
        """The lower-cased `prefix` followed by `num_chars` characters, each the most
        likely next one given everything before it."""
        prefix = prefix.lower()
        unknown = sorted(set(prefix) - set(self.corpus.character_dict))
        if not prefix or unknown:
            raise ValueError(f"predict needs a non-empty prefix of characters from the text; "
                             f"not in the text: {''.join(unknown)!r}")
        character_dict = self.corpus.character_dict
        state = nd.zeros(shape=(1, self.num_hidden), ctx=self.ctx)
        output = [character_dict[prefix[0]]]
        # The book's loop runs one step more and returns one character too many.
        for i in range(len(prefix) + num_chars - 1):
            X = nd.array([output[-1]], ctx=self.ctx)
            Y, state = self.rnn(self.get_inputs(X), state)
            if i < len(prefix) - 1:
                next_input = character_dict[prefix[i + 1]]
            else:
                next_input = int(Y[0].argmax(axis=1).asscalar())
            output.append(next_input)
        return "".join(self.corpus.character_list[i] for i in output)


def grad_clipping(params, theta):
    """Scale all gradients together so that their joint L2 norm is at most theta."""
    norm = nd.zeros((1,), ctx=params[0].context)
    for p in params:
        norm += nd.sum(p.grad ** 2)
    norm = nd.sqrt(norm).asscalar()
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm


def train(model, corpus, epochs=200, seq_len=35, batch_size=32, learning_rate=.1,
          clipping_theta=5, disjoint=False, prefixes=PREFIXES, predict_len=100, log_every=20,
          log=print):
    """The book's loop over epochs 0..epochs; every `log_every` epochs (and after the
    last) prints `Epoch %d. PPL %f` and a prediction for each prefix.
    Returns the perplexity of every epoch and the seconds each took."""
    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    perplexities, seconds, predictions = [], [], {}
    for e in range(epochs + 1):
        start = time.time()
        train_loss, num_examples = 0, 0
        # As in the book the state runs on from batch to batch; MXNet frees each
        # batch's graph after backward, so gradients never reach an earlier batch.
        state = nd.zeros(shape=(batch_size, model.num_hidden), ctx=model.ctx)
        for data, label in corpus.data_iter(batch_size, seq_len, model.ctx, disjoint):
            with autograd.record():
                outputs, state = model.rnn(model.get_inputs(data), state)
                # time-major like the outputs: (seq_len * batch_size,) labels
                label = label.T.reshape((-1,))
                outputs = nd.concat(*outputs, dim=0)
                loss = softmax_cross_entropy(outputs, label)
            loss.backward()
            grad_clipping(model.params, clipping_theta)
            utils.SGD(model.params, learning_rate)
            train_loss += nd.sum(loss).asscalar()
            num_examples += loss.size
        perplexities.append(exp(train_loss / num_examples))
        seconds.append(time.time() - start)
        if e % log_every == 0 or e == epochs:
            log("Epoch %d. PPL %f" % (e, perplexities[-1]))
            predictions = {p: model.predict(p, predict_len) for p in prefixes}
            for text in predictions.values():
                log(" - " + text)
            log("")
    return {"perplexity": perplexities[-1], "perplexities": perplexities,
            "epoch_seconds": seconds, "predictions": predictions}


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=200, batch_size=32, lr=.1)
    parser.add_argument("--seq-len", type=cli.positive_int, default=35,
                        help="characters per training sequence")
    parser.add_argument("--num-hidden", type=cli.positive_int, default=256,
                        help="hidden units")
    parser.add_argument("--clip", type=cli.positive_float, default=5.,
                        help="gradient clipping threshold theta")
    parser.add_argument("--text-len", type=cli.positive_int, default=10000,
                        help="train on the first N characters of the book")
    parser.add_argument("--disjoint-batches", action="store_true",
                        help="every sequence once an epoch (the book's data_iter repeats "
                             "most of each batch in the next)")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    corpus = Corpus(load_time_machine(args.text_len))
    if corpus.num_examples(args.seq_len) < args.batch_size:
        parser.error(f"{len(corpus.text)} characters make {corpus.num_examples(args.seq_len)} "
                     f"sequences of {args.seq_len}: fewer than one batch of {args.batch_size}")
    print("vocab size:", corpus.vocab_size)
    print("Will use", args.ctx)
    model = CharRNN(corpus, args.num_hidden, ctx=args.ctx)
    result = train(model, corpus, args.epochs, args.seq_len, args.batch_size, args.lr, args.clip,
                   args.disjoint_batches)

    fig, axes = plotting.subplots(1, 1, figsize=(4, 3))
    axes[0, 0].plot(result["perplexities"])
    axes[0, 0].set_xlabel("epoch")
    axes[0, 0].set_ylabel("perplexity")
    axes[0, 0].set_yscale("log")
    plotting.save(fig, args.out / "perplexity.png")
    return result


if __name__ == "__main__":
    sys.exit(cli.run(main))
