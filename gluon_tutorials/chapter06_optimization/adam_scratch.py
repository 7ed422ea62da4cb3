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
# # Adam --- 从 0 开始 (Adam from scratch)
#
# Book chapter 7 (release 0.6). Adam combines momentum with RMSProp: a moving average `v`
# of the gradients (weight `beta1` = 0.9) gives the direction, a moving average `s` of the
# squared gradients (`beta2` = 0.999) the per-element scale. Both start at zero, so early
# on they are too small; dividing by `1 - beta ** t` at step `t` corrects that bias.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.1     # step size (lr)
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/adam_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)


# %% [markdown]
# ## The update
# `v <- beta1 * v + (1 - beta1) * g`, `s <- beta2 * s + (1 - beta2) * g * g`, then
# `x <- x - lr * v_hat / (sqrt(s_hat) + eps)` with `v_hat = v / (1 - beta1 ** t)`,
# `s_hat = s / (1 - beta2 ** t)` and `eps` = 1e-8. `t` counts the steps from 1.

# %%
from mxnet import ndarray as nd


def adam(params, vs, sqrs, lr, batch_size, t):
    beta1, beta2, eps_stable = 0.9, 0.999, 1e-8
    for param, v, sqr in zip(params, vs, sqrs):
        g = param.grad / batch_size
        v[:] = beta1 * v + (1. - beta1) * g
        sqr[:] = beta2 * sqr + (1. - beta2) * g * g
        v_hat = v / (1. - beta1 ** t)
        sqr_hat = sqr / (1. - beta2 ** t)
        param[:] -= lr * v_hat / (nd.sqrt(sqr_hat) + eps_stable)


# %% [markdown]
# Its path on the bowl of the momentum section: each coordinate moves by about `eta` per
# step at first, whatever its gradient, and the momentum carries it past the minimum.

# %%
import itertools

import utils

vs_2d, sqrs_2d, t_2d = [nd.zeros((2,))], [nd.zeros((2,))], itertools.count(1)
utils.show_trace_2d(utils.train_2d(lambda params: adam(params, vs_2d, sqrs_2d, trace_eta, 1, next(t_2d))),
                    f"{out}/adam_move.png", title=f"Adam, eta {trace_eta}")

# %% [markdown]
# ## Data, model and loss
# Two moving averages per parameter, both starting at zero.

# %%
num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2
X, y, dataset = utils.linreg_data(num_examples, true_w, true_b, ctx)


def data_iter(batch_size):
    return utils.linreg_data_iter(X, y, batch_size)


def init_params():
    return utils.linreg_params(num_inputs, num_states=2, ctx=ctx)  # [w, b], vs, sqrs


net, square_loss = utils.linreg, utils.squared_loss


# %% [markdown]
# ## Training
# The step count `t` must grow before each call of `adam`, so that the first step divides by
# `1 - beta1`, not by zero.

# %%
def train(batch_size, lr, epochs, period):
    [w, b], vs, sqrs = init_params()
    t = itertools.count(1)
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: adam([w, b], vs, sqrs, lr, batch_size, next(t)), X, y, [w, b], lr=lr,
        path=f"{out}/loss_lr{lr:g}.png", title=f"Adam, batch size {batch_size}, learning rate {lr:g}")


# %%
losses = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The book's exercise: try other learning rates (`--lr`).
