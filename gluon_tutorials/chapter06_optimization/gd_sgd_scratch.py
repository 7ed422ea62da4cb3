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
# # 梯度下降和随机梯度下降 --- 从 0 开始 (Gradient descent and SGD from scratch)
#
# Book chapter 7 (release 0.6). Gradient descent moves the parameters a step of size
# `lr` against the gradient of the loss. Computed on all the data it is gradient descent;
# on one random example, stochastic gradient descent (SGD); on a random mini-batch,
# mini-batch SGD, which covers the other two (batch size = data set size, batch size = 1).
# We write it once and run it on the linear regression of chapter 3 with several batch sizes
# and learning rates.

# %% tags=["parameters"]
epochs = 3                   # passes over the data in every run
period = 10                  # record the loss on all the data after every `period` examples
batch_size = 10              # examples per mini-batch in the mini-batch runs
learning_rate = 0.2          # step size of the SGD (batch size 1) and mini-batch runs
gd_learning_rate = 0.999     # step size of gradient descent (one batch of all the examples)
big_learning_rate = 5.0      # a step too large: the loss overshoots and diverges
small_learning_rate = 0.002  # a step too small: the loss falls slowly
decay_epoch = 2              # after this epoch the learning rate is multiplied by 0.1 each epoch
trace_eta = 0.2              # step size of the 1-D descent drawn on f(x) = x * x
overshoot_eta = 1.1          # a 1-D step too large: every step lands further out
num_examples = 1000          # size of the generated data set
ctx = "cpu"                  # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                     # seeds random, numpy and mx.random
out = "out/gd_sgd_scratch"   # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Gradient descent in one dimension
# For a small enough step, `f(x - eta f'(x))` is below `f(x)`: each step goes downhill.
# On `f(x) = x * x` from x = 10, ten steps of size `trace_eta` walk down to the minimum.
# With a step that is too large each step jumps past the minimum, further than it started:
# overshooting. Try a step of 0.05 (slow) and 0.9 (zigzag, but converging).

# %%
import utils

utils.show_trace(utils.train_1d(trace_eta), f"{out}/gd.png", title=f"eta = {trace_eta}")
utils.show_trace(utils.train_1d(overshoot_eta), f"{out}/overshoot.png",
                 title=f"eta = {overshoot_eta}")


# %% [markdown]
# ## Mini-batch SGD
# The gradient of a mini-batch's summed loss, divided by the batch size, is an unbiased
# estimate of the gradient over all the data; each step costs only the batch.

# %%
def sgd(params, lr, batch_size):
    for param in params:
        param[:] -= lr / batch_size * param.grad


# %% [markdown]
# ## Data, model and loss
# The linear regression of chapter 3: `w = [2, -3.4]`, `b = 4.2`, 1000 examples, with noise
# of standard deviation 0.01. `utils` has the data, the model and the loss, which each
# section of this chapter uses again.

# %%
from mxnet import ndarray as nd

num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2
X, y, dataset = utils.linreg_data(num_examples, true_w, true_b, ctx)


def data_iter(batch_size):
    return utils.linreg_data_iter(X, y, batch_size)


def init_params():
    return utils.linreg_params(num_inputs, ctx=ctx)


net, square_loss = utils.linreg, utils.squared_loss

# %% [markdown]
# ## Training
# `train` records the loss on all the data every `period` examples, prints it after each
# epoch and draws it. From the third epoch on, the learning rate shrinks tenfold per epoch.

# %%
# (batch size, learning rate) -> (epochs per recorded loss, the losses), for the comparison
runs = {}


def train(batch_size, lr, epochs, period):
    w, b = init_params()
    runs[batch_size, lr] = (period / num_examples, [])
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: sgd([w, b], lr, batch_size), X, y, [w, b], lr=lr, decay_epoch=decay_epoch,
        losses=runs[batch_size, lr][1], path=f"{out}/loss_batch{batch_size}_lr{lr:g}.png",
        title=f"batch size {batch_size}, learning rate {lr:g}")


# %% [markdown]
# Batch size 1 is SGD: the loss drops fast, then jitters until the rate decays.

# %%
sgd_loss = train(batch_size=1, lr=learning_rate, epochs=epochs, period=period)

# %% [markdown]
# One batch of all 1000 examples is gradient descent: one step per epoch, smooth.

# %%
gd_loss = train(batch_size=num_examples, lr=gd_learning_rate, epochs=epochs, period=num_examples)

# %% [markdown]
# Batches of 10: mini-batch SGD.

# %%
minibatch_loss = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)

# %% [markdown]
# The same batches with a much larger rate: the loss grows step after step until it
# overflows (nan). The run is meant to fail; its curve is drawn up to there.

# %%
with runtime.meant_to_diverge():
    train(batch_size=batch_size, lr=big_learning_rate, epochs=epochs, period=period)

# %% [markdown]
# And with a much smaller one: after three epochs the loss is still far above the others.

# %%
small_lr_loss = train(batch_size=batch_size, lr=small_learning_rate, epochs=epochs, period=period)

# %% [markdown]
# ## The runs side by side
# Left, the batch sizes at their rates; right, the three rates at batch size 10.

# %%
utils.plot_loss_curves([
    ("batch size", {"1 (SGD)": runs[1, learning_rate],
                    f"{num_examples} (GD)": runs[num_examples, gd_learning_rate],
                    f"{batch_size}": runs[batch_size, learning_rate]}),
    (f"learning rate, batch size {batch_size}",
     {f"{lr:g}": runs[batch_size, lr]
      for lr in (learning_rate, big_learning_rate, small_learning_rate)}),
], f"{out}/comparison.png")
final_loss = [sgd_loss[-1], gd_loss[-1], minibatch_loss[-1], small_lr_loss[-1]]

# %% [markdown]
# The book's exercises: why does the SGD run need its learning rate to decay? What can go
# wrong with (stochastic) gradient descent even when it seems to work?
