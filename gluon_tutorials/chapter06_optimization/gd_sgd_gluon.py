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
# # 梯度下降和随机梯度下降 --- 使用 Gluon (Gradient descent and SGD with Gluon)
#
# Book chapter 7 (release 0.6). The same runs as in the from-scratch section, with
# `gluon.Trainer(..., 'sgd', ...)` doing the update. The learning rate decays through the
# trainer's `learning_rate` and `set_learning_rate`.

# %% tags=["parameters"]
epochs = 3                   # passes over the data in every run
period = 10                  # record the loss on all the data after every `period` examples
batch_size = 10              # examples per mini-batch in the mini-batch runs
learning_rate = 0.2          # step size of the SGD (batch size 1) and mini-batch runs
gd_learning_rate = 0.999     # step size of gradient descent (one batch of all the examples)
big_learning_rate = 5.0      # a step too large: the loss overshoots and diverges
small_learning_rate = 0.002  # a step too small: the loss falls slowly
decay_epoch = 2              # after this epoch the learning rate is multiplied by 0.1 each epoch
num_examples = 1000          # size of the generated data set
ctx = "cpu"                  # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                     # seeds random, numpy and mx.random
out = "out/gd_sgd_gluon"     # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Data, model and loss
# The chapter's linear regression data (from `utils`), a one-unit `Dense` layer and
# `L2Loss`, which is half the squared error.

# %%
import mxnet as mx
from mxnet import gluon

import utils

num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2
X, y, dataset = utils.linreg_data(num_examples, true_w, true_b, ctx)

net = gluon.nn.Sequential()
net.add(gluon.nn.Dense(1))
square_loss = gluon.loss.L2Loss()

# %% [markdown]
# ## Training
# Each run starts from fresh N(0, 1) weights; the trainer's `learning_rate` is cut tenfold
# per epoch after the second (`utils.optimize` calls `set_learning_rate`).

# %%
# (batch size, learning rate) -> (epochs per recorded loss, the losses), for the comparison
runs = {}


def train(batch_size, lr, epochs, period):
    net.collect_params().initialize(mx.init.Normal(sigma=1), force_reinit=True, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    runs[batch_size, lr] = (period / num_examples, [])
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], decay_epoch=decay_epoch, losses=runs[batch_size, lr][1],
        path=f"{out}/loss_batch{batch_size}_lr{lr:g}.png",
        title=f"batch size {batch_size}, learning rate {lr:g}")


# %% [markdown]
# Batch size 1: SGD.

# %%
sgd_loss = train(batch_size=1, lr=learning_rate, epochs=epochs, period=period)

# %% [markdown]
# All 1000 examples in one batch: gradient descent.

# %%
gd_loss = train(batch_size=num_examples, lr=gd_learning_rate, epochs=epochs, period=num_examples)

# %% [markdown]
# Batches of 10: mini-batch SGD.

# %%
minibatch_loss = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)

# %% [markdown]
# A rate far too large overshoots until the loss is nan (meant to fail)...

# %%
with runtime.meant_to_diverge():
    train(batch_size=batch_size, lr=big_learning_rate, epochs=epochs, period=period)

# %% [markdown]
# ... and one far too small barely moves in three epochs.

# %%
small_lr_loss = train(batch_size=batch_size, lr=small_learning_rate, epochs=epochs, period=period)

# %% [markdown]
# ## The runs side by side

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
# The book's exercise: which other schedules for decaying the learning rate can you think
# of? `trainer.set_learning_rate` can follow any of them.
