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
# # Adagrad --- 从 0 开始 (Adagrad from scratch)
#
# Book chapter 7 (release 0.6). SGD and momentum give every parameter the same learning
# rate. Adagrad gives each element its own: it adds up the squares of all the gradients
# that element has seen, and divides its step by the square root of that sum. Elements
# with large gradients slow down early, the others keep moving; and since the sum only
# grows, every step shrinks over time, with no schedule to tune.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.9     # step size (lr), before the division by the accumulated gradients
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/adagrad_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)


# %% [markdown]
# ## The update
# With `g` the mini-batch gradient: `s <- s + g * g`, then `x <- x - lr * g / sqrt(s + eps)`,
# all element by element; `eps` (1e-7) keeps the division finite while `s` is zero.

# %%
from mxnet import ndarray as nd


def adagrad(params, sqrs, lr, batch_size):
    eps_stable = 1e-7
    for param, sqr in zip(params, sqrs):
        g = param.grad / batch_size
        sqr[:] += g * g
        param[:] -= lr * g / nd.sqrt(sqr + eps_stable)


# %% [markdown]
# Its path on the bowl of the momentum section: both coordinates move at about the same
# pace at first, then ever more slowly.

# %%
import utils

sqrs_2d = [nd.zeros((2,))]
utils.show_trace_2d(utils.train_2d(lambda params: adagrad(params, sqrs_2d, trace_eta, 1)),
                    f"{out}/adagrad_move.png", title=f"Adagrad, eta {trace_eta}")

# %% [markdown]
# ## Data, model and loss
# The chapter's linear regression, with one accumulator of squared gradients per parameter,
# starting at zero.

# %%
num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2
X, y, dataset = utils.linreg_data(num_examples, true_w, true_b, ctx)


def data_iter(batch_size):
    return utils.linreg_data_iter(X, y, batch_size)


def init_params():
    return utils.linreg_params(num_inputs, num_states=1, ctx=ctx)  # [w, b], sqrs


net, square_loss = utils.linreg, utils.squared_loss


# %% [markdown]
# ## Training
# No learning-rate schedule here: Adagrad shrinks its steps by itself.

# %%
def train(batch_size, lr, epochs, period):
    [w, b], sqrs = init_params()
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: adagrad([w, b], sqrs, lr, batch_size), X, y, [w, b], lr=lr,
        path=f"{out}/loss_lr{lr:g}.png",
        title=f"Adagrad, batch size {batch_size}, learning rate {lr:g}")


# %%
losses = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The book's exercises: why does Adagrad need no decay of its learning rate, and what goes
# wrong when its steps shrink too early? Try `--lr 0.1`.
