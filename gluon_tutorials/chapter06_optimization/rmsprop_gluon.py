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
# # RMSProp --- 使用 Gluon (RMSProp with Gluon)
#
# Book chapter 7 (release 0.6). The trainer's `'rmsprop'` optimizer; its `gamma1` is the
# `gamma` of the from-scratch section.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.03    # step size (lr), before the division by the averaged gradients
gamma = 0.9             # weight of the old average of squared gradients at each step (gamma1)
smooth_gamma = 0.999    # the second run's gamma: a longer memory, a smoother loss
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
trace_gamma = 0.9       # gamma of that trajectory
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/rmsprop_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Data, model and loss

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

# %%
def train(batch_size, lr, gamma, epochs, period):
    net.collect_params().initialize(mx.init.Normal(sigma=1), force_reinit=True, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), 'rmsprop',
                            {'learning_rate': lr, 'gamma1': gamma})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], path=f"{out}/loss_lr{lr:g}_gamma{gamma:g}.png",
        title=f"RMSProp, batch size {batch_size}, lr {lr:g}, gamma {gamma:g}")


# %% [markdown]
# `gamma` 0.9: the loss jitters late in training.

# %%
losses = train(batch_size=batch_size, lr=learning_rate, gamma=gamma, epochs=epochs, period=period)

# %% [markdown]
# `gamma` 0.999: smoother.

# %%
smooth_losses = train(batch_size=batch_size, lr=learning_rate, gamma=smooth_gamma, epochs=epochs,
                      period=period)
final_loss = [losses[-1], smooth_losses[-1]]

# %%
step = period / num_examples  # epochs between two recorded losses
utils.plot_loss_curves([("RMSProp", {f"gamma {gamma:g}": (step, losses),
                                     f"gamma {smooth_gamma:g}": (step, smooth_losses)})],
                       f"{out}/comparison.png")
utils.show_trace_2d(utils.train_2d('rmsprop', {'learning_rate': trace_eta, 'gamma1': trace_gamma}),
                    f"{out}/rmsprop_move.png", title=f"RMSProp, eta {trace_eta}, gamma {trace_gamma}")

# %% [markdown]
# The book's exercise: try other pairs of learning rate and gamma (`--lr`, `--gamma`).
