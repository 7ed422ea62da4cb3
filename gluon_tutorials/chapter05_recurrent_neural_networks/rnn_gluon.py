# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 循环神经网络 --- 使用 Gluon (recurrent neural networks with Gluon)
#
# From the book's release 0.6. A word-level language model on the Penn Treebank (Mikolov's
# text version: about 930 thousand training words, a vocabulary of 10000 with rare words as
# `<unk>`), built from Gluon's recurrent layers: `rnn.RNN` (ReLU or tanh), `rnn.LSTM` and
# `rnn.GRU`, stacked `num_layers` deep, between a word embedding and a dense decoder.
# The book trains one epoch, for the demonstration, and reports the perplexity on the
# training batches, the validation set and the test set.

# %% tags=["parameters"]
model_name = 'rnn_relu'  # the recurrent layer: rnn_relu, rnn_tanh, lstm or gru
embed_dim = 100          # length of a word's embedding vector
hidden_dim = 100         # units in each layer's hidden state
num_layers = 2           # recurrent layers stacked
lr = 1.0                 # SGD step size
clipping_norm = 0.2      # gradient norm bound per example and time step
epochs = 1               # passes over the training words (the book's 1, for the demonstration)
batch_size = 32          # parallel streams of words
num_steps = 5            # time steps per batch (back-propagation through time)
dropout_rate = 0.2       # dropout on the embeddings, between layers and on the outputs
eval_period = 500        # print the training loss every N batches
subset = None            # first N words of each of train, validation and test, for a quick run
ctx = "auto"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                 # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %%
import math
import os
import time
import numpy as np
import mxnet as mx
from mxnet import gluon, autograd
from mxnet.gluon import nn, rnn

from gluon_tutorials.data import ptb_dir

# The book unzips ../data/ptb.zip beside itself; the data layer finds the zip, checks its
# SHA-1 and unpacks it into its own cache: ptb_dir() holds ptb.{train,valid,test}.txt.
ptb = ptb_dir()

# %% [markdown]
# ## 建立词语索引 (word indices)
# `Dictionary` numbers the words in the order they first occur.

# %%
class Dictionary(object):
    def __init__(self):
        self.word_to_idx = {}
        self.idx_to_word = []

    def add_word(self, word):
        if word not in self.word_to_idx:
            self.idx_to_word.append(word)
            self.word_to_idx[word] = len(self.idx_to_word) - 1
        return self.word_to_idx[word]

    def __len__(self):
        return len(self.idx_to_word)


# %% [markdown]
# `Corpus` builds one dictionary over the three files and turns each file into one long
# `NDArray` of word indices, with `<eos>` at every line end.

# %%
class Corpus(object):
    def __init__(self, path):
        self.dictionary = Dictionary()
        self.train = self.tokenize(path + 'train.txt')
        self.valid = self.tokenize(path + 'valid.txt')
        self.test = self.tokenize(path + 'test.txt')

    def tokenize(self, path):
        assert os.path.exists(path)
        # add the words to the dictionary
        with open(path, 'r') as f:
            tokens = 0
            for line in f:
                words = line.split() + ['<eos>']
                tokens += len(words)
                for word in words:
                    self.dictionary.add_word(word)
        # the text as a sequence of word indices (an NDArray)
        with open(path, 'r') as f:
            indices = np.zeros((tokens,), dtype='int32')
            idx = 0
            for line in f:
                words = line.split() + ['<eos>']
                for word in words:
                    indices[idx] = self.dictionary.word_to_idx[word]
                    idx += 1
        return mx.nd.array(indices, dtype='int32')


# %% [markdown]
# The size of the vocabulary.

# %%
data = str(ptb) + '/ptb.'
corpus = Corpus(data)
vocab_size = len(corpus.dictionary)
print('vocab size:', vocab_size)


# %% [markdown]
# ## 循环神经网络模型库 (a model for every kind of RNN)
# Embedding, dropout, the recurrent layers, dropout, and a dense layer back to the
# vocabulary. `model_name` picks the recurrent layer.

# %%
class RNNModel(gluon.Block):
    """An RNN language model of any of Gluon's recurrent layers."""
    def __init__(self, mode, vocab_size, embed_dim, hidden_dim,
                 num_layers, dropout=0.5, **kwargs):
        super(RNNModel, self).__init__(**kwargs)
        with self.name_scope():
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(vocab_size, embed_dim,
                                        weight_initializer=mx.init.Uniform(0.1))
            if mode == 'rnn_relu':
                self.rnn = rnn.RNN(hidden_dim, num_layers, activation='relu',
                                   dropout=dropout, input_size=embed_dim)
            elif mode == 'rnn_tanh':
                self.rnn = rnn.RNN(hidden_dim, num_layers, dropout=dropout,
                                   input_size=embed_dim)
            elif mode == 'lstm':
                self.rnn = rnn.LSTM(hidden_dim, num_layers, dropout=dropout,
                                    input_size=embed_dim)
            elif mode == 'gru':
                self.rnn = rnn.GRU(hidden_dim, num_layers, dropout=dropout,
                                   input_size=embed_dim)
            else:
                raise ValueError("Invalid mode %s. Options are rnn_relu, "
                                 "rnn_tanh, lstm, and gru" % mode)

            self.decoder = nn.Dense(vocab_size, in_units=hidden_dim)
            self.hidden_dim = hidden_dim

    def forward(self, inputs, state):
        emb = self.drop(self.encoder(inputs))
        output, state = self.rnn(emb, state)
        output = self.drop(output)
        decoded = self.decoder(output.reshape((-1, self.hidden_dim)))
        return decoded, state

    def begin_state(self, *args, **kwargs):
        return self.rnn.begin_state(*args, **kwargs)


# %% [markdown]
# ## 定义参数 (parameters)
# The book's values (a ReLU RNN of two layers, one epoch) are in the parameters cell at the
# top. In a multi-layer RNN, layer `l` at time `t` takes the output of layer `l - 1` at time
# `t` and its own state from time `t - 1`; each layer's state runs along that layer only.
#
# ## 批量采样 (consecutive batches)
# Each set becomes `batch_size` columns of consecutive words; batch `i` is rows
# `i .. i + num_steps - 1`, its target the same rows one word later.

# %%
import utils

context = ctx  # the book's utils.try_gpu(); here the parameters cell's choice

if subset:  # a quick run: the first `subset` words of each set (the vocabulary stays whole)
    corpus.train, corpus.valid, corpus.test = (d[:subset] for d in
                                               (corpus.train, corpus.valid, corpus.test))
    print(f"Using the first {subset} words of each set (subset): a quick run, "
          f"so expect a higher perplexity than a full epoch gives.")
for name, words in (('train', corpus.train), ('valid', corpus.valid), ('test', corpus.test)):
    # fewer than two rows of words leave no batch (and a mean over nothing)
    if words.shape[0] < 2 * batch_size:
        raise runtime.ParameterError(f"the {name} set has {words.shape[0]} words, fewer than "
                                     f"2 x batch_size = {2 * batch_size}: no batch to train or "
                                     f"evaluate on; use a larger subset or a smaller batch_size")


def batchify(data, batch_size):
    """data shape (num_batches, batch_size)"""
    num_batches = data.shape[0] // batch_size
    data = data[:num_batches * batch_size]
    data = data.reshape((batch_size, num_batches)).T
    return data


train_data = batchify(corpus.train, batch_size).as_in_context(context)
val_data = batchify(corpus.valid, batch_size).as_in_context(context)
test_data = batchify(corpus.test, batch_size).as_in_context(context)

model = RNNModel(model_name, vocab_size, embed_dim, hidden_dim,
                 num_layers, dropout_rate)
model.collect_params().initialize(mx.init.Xavier(), ctx=context)
trainer = gluon.Trainer(model.collect_params(), 'sgd',
                        {'learning_rate': lr, 'momentum': 0, 'wd': 0})
loss = gluon.loss.SoftmaxCrossEntropyLoss()


def get_batch(source, i):
    seq_len = min(num_steps, source.shape[0] - 1 - i)
    data = source[i: i + seq_len]
    target = source[i + 1: i + 1 + seq_len]
    return data, target.reshape((-1,))


# %% [markdown]
# ## 从计算图分离隐含状态 (detaching the state)
# Each batch starts from the state the previous batch ended in; detached from the graph,
# so that the gradient stops at the batch's first step and an iteration costs the same
# however far into the epoch it is.

# %%
def detach(state):
    if isinstance(state, (tuple, list)):
        state = [i.detach() for i in state]
    else:
        state = state.detach()
    return state


# %% [markdown]
# ## 训练和评价模型 (training and evaluation)
# The mean cross-entropy per word over a data set, the state running on through it.

# %%
def model_eval(data_source):
    total_L = 0.0
    ntotal = 0
    hidden = model.begin_state(func=mx.nd.zeros, batch_size=batch_size,
                               ctx=context)
    for i in range(0, data_source.shape[0] - 1, num_steps):
        data, target = get_batch(data_source, i)
        output, hidden = model(data, hidden)
        L = loss(output, target)
        total_L += mx.nd.sum(L).asscalar()
        ntotal += L.size
    return total_L / ntotal


# %% [markdown]
# Training, with the validation perplexity after every epoch (the figure to tune on). The
# gradient here is the whole batch's, summed over `num_steps * batch_size` words, so the
# clipping bound is scaled by the same. Besides the book's lines, each epoch prints the
# training perplexity over all its batches (ours: the book's batch lines cover the last
# `eval_period` batches each).

# %%
train_perplexities, val_perplexities = [], []


def train():
    for epoch in runtime.epochs(epochs):
        total_L = 0.0
        epoch_L, epoch_words = 0.0, 0
        start_time = time.time()
        hidden = model.begin_state(func=mx.nd.zeros, batch_size=batch_size,
                                   ctx=context)
        for ibatch, i in enumerate(range(0, train_data.shape[0] - 1, num_steps)):
            data, target = get_batch(train_data, i)
            # detach the state from the previous batch's graph
            hidden = detach(hidden)
            with autograd.record():
                output, hidden = model(data, hidden)
                L = loss(output, target)
                L.backward()

            grads = [i.grad(context) for i in model.collect_params().values()]
            # gradient clipping: these are the gradients of the whole batch, so the bound
            # is clipping_norm times num_steps and batch_size
            gluon.utils.clip_global_norm(grads,
                                         clipping_norm * num_steps * batch_size)

            trainer.step(batch_size)
            batch_L = mx.nd.sum(L).asscalar()
            total_L += batch_L
            epoch_L, epoch_words = epoch_L + batch_L, epoch_words + L.size

            if ibatch % eval_period == 0 and ibatch > 0:
                cur_L = total_L / num_steps / batch_size / eval_period
                print('[Epoch %d Batch %d] loss %.2f, perplexity %.2f' % (
                    epoch + 1, ibatch, cur_L, math.exp(cur_L)))
                total_L = 0.0

        train_L = epoch_L / epoch_words
        # an untrained model guesses each word alike: ln(vocab_size)
        runtime.check_loss(train_L, runtime.chance_loss(vocab_size), lr, model.collect_params())
        train_perplexities.append(math.exp(train_L))
        print('[Epoch %d] training loss %.2f, training perplexity %.2f' % (
            epoch + 1, train_L, math.exp(train_L)))

        val_L = model_eval(val_data)
        val_perplexities.append(math.exp(val_L))

        print('[Epoch %d] time cost %.2fs, validation loss %.2f, validation '
              'perplexity %.2f' % (epoch + 1, time.time() - start_time, val_L,
                                   math.exp(val_L)))


# %% [markdown]
# After training, the test set. The book's exercise: change `epochs`, `num_layers`,
# `num_steps`, `hidden_dim`, `lr` or `model_name` and compare the perplexities on the three
# sets.

# %%
train()
test_L = model_eval(test_data)
print('Test loss %.2f, test perplexity %.2f' % (test_L, math.exp(test_L)))
train_perplexity, val_perplexity = train_perplexities[-1], val_perplexities[-1]
test_perplexity = math.exp(test_L)
