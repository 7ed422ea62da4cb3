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
# # RMSProp --- 从 0 开始 (RMSProp from scratch)
#
# Book chapter 7 (release 0.6). Adagrad's sum of squared gradients only grows, so its
# steps can become too small long before the loss is low. RMSProp keeps an exponentially
# weighted moving average of the squared gradients instead: old gradients fade with the
# factor `gamma` per step, and the per-element step size settles rather than dies away.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.03    # step size (lr), before the division by the averaged gradients
gamma = 0.9             # weight of the old average of squared gradients at each step
smooth_gamma = 0.999    # the second run's gamma: a longer memory, a smoother loss
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
trace_gamma = 0.9       # gamma of that trajectory
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/rmsprop_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)


# %% [markdown]
# ## The update
# `s <- gamma * s + (1 - gamma) * g * g`, then `x <- x - lr * g / sqrt(s + eps)`, element
# by element, with `eps` = 1e-8.

# %%
from mxnet import ndarray as nd


def rmsprop(params, sqrs, lr, gamma, batch_size):
    eps_stable = 1e-8
    for param, sqr in zip(params, sqrs):
        g = param.grad / batch_size
        sqr[:] = gamma * sqr + (1. - gamma) * g * g
        param[:] -= lr * g / nd.sqrt(sqr + eps_stable)


# %% [markdown]
# Its path on the bowl of the momentum section.

# %%
import utils

sqrs_2d = [nd.zeros((2,))]
utils.show_trace_2d(utils.train_2d(lambda params: rmsprop(params, sqrs_2d, trace_eta, trace_gamma, 1)),
                    f"{out}/rmsprop_move.png", title=f"RMSProp, eta {trace_eta}, gamma {trace_gamma}")

# %% [markdown]
# ## Data, model and loss

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

# %%
def train(batch_size, lr, gamma, epochs, period):
    [w, b], sqrs = init_params()
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: rmsprop([w, b], sqrs, lr, gamma, batch_size), X, y, [w, b], lr=lr,
        path=f"{out}/loss_lr{lr:g}_gamma{gamma:g}.png",
        title=f"RMSProp, batch size {batch_size}, lr {lr:g}, gamma {gamma:g}")


# %% [markdown]
# With `gamma` = 0.9 the average follows the last ten or so gradients: late in training
# the loss jitters.

# %%
losses = train(batch_size=batch_size, lr=learning_rate, gamma=gamma, epochs=epochs, period=period)

# %% [markdown]
# With `gamma` = 0.999 it remembers about a thousand: the loss is smoother late on.

# %%
smooth_losses = train(batch_size=batch_size, lr=learning_rate, gamma=smooth_gamma, epochs=epochs,
                      period=period)
final_loss = [losses[-1], smooth_losses[-1]]

# %%
step = period / num_examples  # epochs between two recorded losses
utils.plot_loss_curves([("RMSProp", {f"gamma {gamma:g}": (step, losses),
                                     f"gamma {smooth_gamma:g}": (step, smooth_losses)})],
                       f"{out}/comparison.png")

# %% [markdown]
# The book's exercise: try other pairs of learning rate and gamma.
