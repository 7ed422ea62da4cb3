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
# # 长短期记忆（LSTM）--- 从 0 开始 (long short-term memory from scratch)
#
# From the book's release 0.6. Long short-term memory (Hochreiter and Schmidhuber, 1997) is
# the other common gated RNN, a little more involved than the GRU. Its state is a pair: the
# hidden variable `H` and a memory cell `C` of the same shape. Three gates, each a sigmoid
# of the input and the previous `H`, control it:
#
# - the input gate `I` lets in the candidate cell `C~ = tanh(X Wxc + H Whc + bc)`,
# - the forget gate `F` keeps part of the old cell: `C = F * C + I * C~`,
# - the output gate `O` decides how much of the cell shows: `H = O * tanh(C)`.
#
# With `F` near 1 and `I` near 0 the cell, and its gradient, pass through many steps
# unchanged. Same lyrics, same training as the GRU section.

# %% tags=["parameters"]
epochs = 200            # passes over the corpus (the book's 200)
num_steps = 35          # characters per training sequence
batch_size = 32         # sequences per mini-batch
learning_rate = 0.2     # SGD step size
hidden_dim = 256        # units in the hidden state
clipping_norm = 5.0     # gradients are scaled down together so that their norm is at most this
corpus_len = 20000      # train on the first N characters of the lyrics (the book's 20000)
is_random_iter = False  # the book samples consecutive batches; True samples random ones
pred_period = 20        # print the perplexity and the predictions every N epochs
pred_len = 100          # characters predicted after each prefix
ctx = "auto"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/lstm_scratch"  # folder for the figure this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## 数据处理 (the data)
# The lyrics with line breaks as spaces, cut to the first `corpus_len` characters, and each
# distinct character numbered.

# %%
from gluon_tutorials.data import read_jaychou_lyrics

# The book unzips ../data/jaychou_lyrics.txt.zip beside itself and opens the text; the data
# layer finds the zip, checks its SHA-1 and unpacks it into its own cache.
corpus_chars = read_jaychou_lyrics()

corpus_chars = corpus_chars.replace('\n', ' ').replace('\r', ' ')
corpus_chars = corpus_chars[0:corpus_len]

# The book's list(set(...)) changes order with Python's hash seed from run to run; sorted,
# the same seed gives the same indices and so the same numbers.
idx_to_char = sorted(set(corpus_chars))
char_to_idx = dict([(char, i) for i, char in enumerate(idx_to_char)])
corpus_indices = [char_to_idx[char] for char in corpus_chars]

vocab_size = len(char_to_idx)
print('vocab size:', vocab_size)

# %% [markdown]
# Each character index becomes a one-hot vector, one matrix per time step.

# %%
from mxnet import nd


def get_inputs(data):
    return [nd.one_hot(X, vocab_size) for X in data.T]


# %% [markdown]
# ## 初始化模型参数 (parameters)
# A weight pair and a bias for each of the three gates and the candidate cell, then the
# output layer.

# %%
import utils

print('Will use', ctx)

input_dim = vocab_size
# hidden_dim, the length of H and C (the book's 256), is in the parameters cell
output_dim = vocab_size
std = .01


def get_params():
    # input gate
    W_xi = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hi = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_i = nd.zeros(hidden_dim, ctx=ctx)

    # forget gate
    W_xf = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hf = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_f = nd.zeros(hidden_dim, ctx=ctx)

    # output gate
    W_xo = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_ho = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_o = nd.zeros(hidden_dim, ctx=ctx)

    # candidate cell
    W_xc = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hc = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_c = nd.zeros(hidden_dim, ctx=ctx)

    # output layer
    W_hy = nd.random_normal(scale=std, shape=(hidden_dim, output_dim), ctx=ctx)
    b_y = nd.zeros(output_dim, ctx=ctx)

    params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc,
              b_c, W_hy, b_y]
    for param in params:
        param.attach_grad()
    return params


# %% [markdown]
# ## 定义模型 (the model)
# The formulas above, one time step after another; the state is `(H, C)`.

# %%
def lstm_rnn(inputs, state_h, state_c, *params):
    # inputs: num_steps matrices of batch_size x vocab_size
    # state_h, state_c: batch_size x hidden_dim
    # outputs: num_steps matrices of batch_size x vocab_size
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c,
     W_hy, b_y] = params

    H = state_h
    C = state_c
    outputs = []
    for X in inputs:
        I = nd.sigmoid(nd.dot(X, W_xi) + nd.dot(H, W_hi) + b_i)
        F = nd.sigmoid(nd.dot(X, W_xf) + nd.dot(H, W_hf) + b_f)
        O = nd.sigmoid(nd.dot(X, W_xo) + nd.dot(H, W_ho) + b_o)
        C_tilda = nd.tanh(nd.dot(X, W_xc) + nd.dot(H, W_hc) + b_c)
        C = F * C + I * C_tilda
        H = O * nd.tanh(C)
        Y = nd.dot(H, W_hy) + b_y
        outputs.append(Y)
    return (outputs, H, C)


# %% [markdown]
# ## 训练模型 (training)
# Consecutive sampling, as in the book: the state runs on from one batch to the next within
# an epoch. Every `pred_period` epochs the model continues the book's three prefixes,
# 分开, 不分开 and 战争中部队. Watch it go from repeated single characters to words and
# then to something like lines. The book's exercises: change `corpus_len`, `num_steps`,
# `hidden_dim` or `learning_rate`, and compare the time per epoch with `gru_scratch` and
# `rnn_scratch`.

# %%
seq1 = '分开'
seq2 = '不分开'
seq3 = '战争中部队'
seqs = [seq1, seq2, seq3]

perplexities = utils.train_and_predict_rnn(
    rnn=lstm_rnn, is_random_iter=is_random_iter, epochs=epochs,
    num_steps=num_steps, hidden_dim=hidden_dim,
    learning_rate=learning_rate, clipping_norm=clipping_norm,
    batch_size=batch_size, pred_period=pred_period, pred_len=pred_len,
    seqs=seqs, get_params=get_params,
    get_inputs=get_inputs, ctx=ctx,
    corpus_indices=corpus_indices,
    idx_to_char=idx_to_char, char_to_idx=char_to_idx,
    is_lstm=True)
perplexity = perplexities[-1]

# %% [markdown]
# The training perplexity of every epoch (log scale): about `vocab_size` for an untrained
# model, 1 for one that predicts every next character.

# %%
utils.plot_loss_curves([("LSTM", {"train": perplexities})], f"{out}/perplexity.png",
                       ylabel="perplexity")
