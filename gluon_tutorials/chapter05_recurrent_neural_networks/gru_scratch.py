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
# # 门控循环单元（GRU）--- 从 0 开始 (gated recurrent unit from scratch)
#
# From the book's release 0.6. A plain RNN's gradient shrinks or blows up as it flows back
# through many steps, so it struggles to connect characters far apart. A gated recurrent
# unit (Cho et al., 2014) adds two gates, each a sigmoid of the input and the previous
# state:
#
# - the reset gate `R` decides how much of the previous state goes into the candidate
#   state `H~ = tanh(X Wxh + R * (H Whh) + bh)`: short-range dependencies;
# - the update gate `Z` mixes old and new, `H = Z * H + (1 - Z) * H~`: with `Z` near 1 a
#   state, and its gradient, passes through many steps unchanged: long-range ones.
#
# The model writes song lyrics, character by character, after training on Jay Chou's.

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
out = "out/gru_scratch"  # folder for the figure this section writes

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
# Three weight pairs and a bias for the update gate, the reset gate and the candidate state,
# then the output layer. `hidden_dim` is the length of the hidden state.

# %%
import utils

print('Will use', ctx)

input_dim = vocab_size
# hidden_dim, the length of the hidden state (the book's 256), is in the parameters cell
output_dim = vocab_size
std = .01


def get_params():
    # hidden layer
    W_xz = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hz = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_z = nd.zeros(hidden_dim, ctx=ctx)

    W_xr = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hr = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_r = nd.zeros(hidden_dim, ctx=ctx)

    W_xh = nd.random_normal(scale=std, shape=(input_dim, hidden_dim), ctx=ctx)
    W_hh = nd.random_normal(scale=std, shape=(hidden_dim, hidden_dim), ctx=ctx)
    b_h = nd.zeros(hidden_dim, ctx=ctx)

    # output layer
    W_hy = nd.random_normal(scale=std, shape=(hidden_dim, output_dim), ctx=ctx)
    b_y = nd.zeros(output_dim, ctx=ctx)

    params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hy, b_y]
    for param in params:
        param.attach_grad()
    return params


# %% [markdown]
# ## 定义模型 (the model)
# The formulas above, one time step after another.

# %%
def gru_rnn(inputs, H, *params):
    # inputs: num_steps matrices of batch_size x vocab_size
    # H: batch_size x hidden_dim
    # outputs: num_steps matrices of batch_size x vocab_size
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hy, b_y = params
    outputs = []
    for X in inputs:
        Z = nd.sigmoid(nd.dot(X, W_xz) + nd.dot(H, W_hz) + b_z)
        R = nd.sigmoid(nd.dot(X, W_xr) + nd.dot(H, W_hr) + b_r)
        H_tilda = nd.tanh(nd.dot(X, W_xh) + R * nd.dot(H, W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y = nd.dot(H, W_hy) + b_y
        outputs.append(Y)
    return (outputs, H)


# %% [markdown]
# ## 训练模型 (training)
# Consecutive sampling, as in the book: the state runs on from one batch to the next within
# an epoch. Every `pred_period` epochs the model continues the book's three prefixes,
# 分开, 不分开 and 战争中部队. Watch it go from repeated single characters to words and
# then to something like lines. The book's exercises: change `corpus_len`, `num_steps`,
# `hidden_dim` or `learning_rate`, and compare the time per epoch with `rnn_scratch`.

# %%
seq1 = '分开'
seq2 = '不分开'
seq3 = '战争中部队'
seqs = [seq1, seq2, seq3]

perplexities = utils.train_and_predict_rnn(
    rnn=gru_rnn, is_random_iter=is_random_iter, epochs=epochs,
    num_steps=num_steps, hidden_dim=hidden_dim,
    learning_rate=learning_rate, clipping_norm=clipping_norm,
    batch_size=batch_size, pred_period=pred_period, pred_len=pred_len,
    seqs=seqs, get_params=get_params,
    get_inputs=get_inputs, ctx=ctx,
    corpus_indices=corpus_indices,
    idx_to_char=idx_to_char, char_to_idx=char_to_idx)
perplexity = perplexities[-1]

# %% [markdown]
# The training perplexity of every epoch (log scale): about `vocab_size` for an untrained
# model, 1 for one that predicts every next character.

# %%
utils.plot_loss_curves([("GRU", {"train": perplexities})], f"{out}/perplexity.png",
                       ylabel="perplexity")
