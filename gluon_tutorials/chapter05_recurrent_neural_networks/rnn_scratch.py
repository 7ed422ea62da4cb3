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
# # 循环神经网络 --- 从 0 开始 (Recurrent neural networks from scratch)
#
# Book section 6.1. A character-level language model: an RNN reads H. G. Wells' The Time
# Machine one character at a time and learns to predict the next one. Its hidden state
# carries what it has read so far from one step to the next. Training reports the
# perplexity (the exponential of the mean cross-entropy) and lets the model continue two
# sentences every 20 epochs.

# %% tags=["parameters"]
epochs = 200              # the book trains epochs 0 to 200: 201 passes over the text
seq_len = 35              # characters per training sequence
batch_size = 32           # sequences per mini-batch
learning_rate = 0.1       # SGD step size
num_hidden = 256          # units in the hidden state
clipping_theta = 5.0      # gradients are scaled down together so that their norm is at most this
text_len = 10000          # train on the first N characters of the book
disjoint_batches = False  # every sequence once an epoch (the book's batches repeat most of the previous one)
ctx = "auto"              # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                  # seeds random, numpy and mx.random
out = "out/rnn_scratch"   # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The Time Machine
# The book's first 500 characters.

# %%
from gluon_tutorials.data import read_time_machine

# The book opens data/timemachine.txt; the data layer finds the file (or downloads it)
# and checks that it is the right one.
time_machine = read_time_machine()
print(time_machine[0:500])

# %% [markdown]
# Lower case, no line breaks, and only the first `text_len` characters, so that training
# is quick.

# %%
time_machine = time_machine.lower().replace('\n', '').replace('\r', '')
time_machine = time_machine[0:text_len]

if (len(time_machine) - 1) // seq_len < batch_size:
    raise runtime.ParameterError(f"{len(time_machine)} characters make {(len(time_machine) - 1) // seq_len} "
                     f"sequences of {seq_len}: fewer than one batch of {batch_size}")

# %% [markdown]
# ## Characters as numbers
# A dictionary from each distinct character to an index. (The book's 43 characters; the
# indices differ from the book's, see the comment.)

# %%
# The book uses list(set(...)), whose order changes with Python's hash seed from one run to
# the next; sorted, the same seed gives the same indices and so the same run.
character_list = sorted(set(time_machine))
character_dict = dict([(char, i) for i, char in enumerate(character_list)])
vocab_size = len(character_dict)

print('vocab size:', vocab_size)
print(character_dict)

# %% [markdown]
# The text as indices, and back.

# %%
time_numerical = [character_dict[char] for char in time_machine]

sample = time_numerical[:40]

print('chars: \n', ''.join([character_list[idx] for idx in sample]))
print('\nindices: \n', sample)

# %% [markdown]
# ## Reading the data in mini-batches
# An example is `seq_len` consecutive characters; its label is the same stretch one character
# further on (`the time t` -> `he time tr`). The text is cut into non-overlapping sequences,
# shuffled, and handed out `batch_size` at a time.
#
# The book's loop takes `idx[i:i+batch_size]` for batch `i`, so each batch shares all but one
# sequence with the next and an epoch sees only `num_batches + batch_size - 1` different
# sequences (and reports a lower perplexity for the repetition). That is kept, to reproduce
# the book; `disjoint_batches = True` shows every sequence once an epoch instead.

# %%
from mxnet import nd
import utils


def data_iter(batch_size, seq_len, ctx=None):
    # the book's loop, now release 0.6's utils.data_iter_random (the same shuffle and
    # windows); overlapping=True takes batch i from idx[i:i+batch_size], as the book did
    return utils.data_iter_random(time_numerical, batch_size, seq_len, ctx,
                                  overlapping=not disjoint_batches)


# %%
for data, label in data_iter(batch_size=3, seq_len=8):
    print('data: ', data, '\n\nlabel:', label)
    break

# %% [markdown]
# ## One-hot encoding
# Index `i` becomes a vector of `vocab_size` zeros with a 1 at position `i`.

# %%
print(nd.one_hot(nd.array([0, 4]), vocab_size))


# %% [markdown]
# A batch of `batch_size` x `seq_len` indices becomes `seq_len` matrices of `batch_size` x
# `vocab_size`, one per time step.

# %%
def get_inputs(data):
    return [nd.one_hot(X, vocab_size) for X in data.T]


inputs = get_inputs(data)
print('input length: ', len(inputs))
print('input[0] shape: ', inputs[0].shape)

# %% [markdown]
# ## Parameters
# Input and output both have `vocab_size` dimensions. `Whh` is what makes the network
# recurrent: it carries the previous hidden state into the next step.

# %%
print('Will use', ctx)

weight_scale = .01

# hidden layer
Wxh = nd.random_normal(shape=(vocab_size, num_hidden), ctx=ctx) * weight_scale
Whh = nd.random_normal(shape=(num_hidden, num_hidden), ctx=ctx) * weight_scale
bh = nd.zeros(num_hidden, ctx=ctx)
# output layer
Why = nd.random_normal(shape=(num_hidden, vocab_size), ctx=ctx) * weight_scale
by = nd.zeros(vocab_size, ctx=ctx)

params = [Wxh, Whh, bh, Why, by]
for param in params:
    param.attach_grad()


# %% [markdown]
# ## The model
# `H_t = tanh(X_t Wxh + H_{t-1} Whh + bh)` and `Y_t = H_t Why + by`, step after step.

# %%
def rnn(inputs, H):
    # inputs: seq_len matrices of batch_size x vocab_size
    # H: batch_size x num_hidden
    # outputs: seq_len matrices of batch_size x vocab_size
    outputs = []
    for X in inputs:
        H = nd.tanh(nd.dot(X, Wxh) + nd.dot(H, Whh) + bh)
        Y = nd.dot(H, Why) + by
        outputs.append(Y)
    return (outputs, H)


# %%
state = nd.zeros(shape=(data.shape[0], num_hidden), ctx=ctx)
outputs, state_new = rnn(get_inputs(data.as_in_context(ctx)), state)

print('output length: ', len(outputs))
print('output[0] shape: ', outputs[0].shape)
print('state shape: ', state_new.shape)


# %% [markdown]
# ## Predicting a sequence
# The prefix is fed in one character at a time to build up the hidden state; after it, each
# step's most likely character becomes the next step's input.

# %%
def predict(prefix, num_chars):
    # the lower-cased prefix followed by num_chars predicted characters; the loop is
    # release 0.6's utils.predict_rnn (rnn reads its parameters itself: none to pass)
    return utils.predict_rnn(rnn, prefix, num_chars, [], num_hidden, ctx,
                             character_list, character_dict, get_inputs)


# %% [markdown]
# ## Gradient clipping
# Through `seq_len` steps the gradient is multiplied by `Whh` again and again, and can blow
# up. All gradients, taken together as one vector `g`, are scaled by `min(theta / |g|, 1)`.

# %%
def grad_clipping(params, theta):
    # the book's code, since release 0.6 utils.grad_clipping
    utils.grad_clipping(params, theta, ctx)


# %% [markdown]
# ## Training
# Perplexity is `exp` of the mean cross-entropy per character: 1 for a perfect model, about
# `vocab_size` (43) for a uniform guess. The book's run falls from 30.6 to 2.30 at epoch 200;
# watch the predictions go from repeated letters to words and to something like sentences.
# The book's exercise: change `text_len`, `num_hidden` or `learning_rate` and watch the
# perplexity and the predictions.

# %%
from mxnet import autograd
from mxnet import gluon

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

perplexities = []
for e in runtime.epochs(epochs + 1):
    train_loss, num_examples = 0, 0
    # As in the book the state runs on from batch to batch; MXNet frees each batch's graph
    # after backward, so gradients never reach back into an earlier batch.
    state = nd.zeros(shape=(batch_size, num_hidden), ctx=ctx)
    for data, label in data_iter(batch_size, seq_len, ctx):
        with autograd.record():
            outputs, state = rnn(get_inputs(data), state)
            # time-major like the outputs: (seq_len * batch_size,) labels
            label = label.T.reshape((-1,))
            # (seq_len * batch_size, vocab_size)
            outputs = nd.concat(*outputs, dim=0)
            loss = softmax_cross_entropy(outputs, label)
        loss.backward()

        grad_clipping(params, clipping_theta)
        utils.SGD(params, learning_rate)

        train_loss += nd.sum(loss)  # summed on the device, read once an epoch
        num_examples += loss.size

    # exp on the device: a diverged loss gives inf here, where math.exp would raise
    # OverflowError before the check below could say what happened
    perplexity = float(nd.exp(train_loss / num_examples).asscalar())
    perplexities.append(perplexity)
    if e % 20 == 0 or e == epochs:
        print("Epoch %d. PPL %f" % (e, perplexity))
        print(' - ', predict('The Time Ma', 100))
        print(' - ', predict("The Medical Man rose, came to the lamp,", 100), '\n')
    runtime.check_finite(perplexity, learning_rate, params, what="perplexity")

# %% [markdown]
# The perplexity of every epoch (log scale).

# %%
from gluon_tutorials import plotting

fig, axes = plotting.subplots(1, 1, figsize=(4, 3))
axes[0, 0].plot(perplexities)
axes[0, 0].set_xlabel("epoch")
axes[0, 0].set_ylabel("perplexity")
axes[0, 0].set_yscale("log")
plotting.save(fig, f"{out}/perplexity.png")
