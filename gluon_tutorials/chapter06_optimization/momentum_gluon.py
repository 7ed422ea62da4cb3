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
# # 动量法 --- 使用 Gluon (Momentum with Gluon)
#
# Book chapter 7 (release 0.6). Gluon's `'sgd'` optimizer takes a `momentum`
# hyperparameter; the rest is the run of the from-scratch section.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.2     # step size (lr)
mom = 0.9               # momentum: the share of the last velocity kept at each step
decay_epoch = 2         # after this epoch the learning rate is multiplied by 0.1 each epoch
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
trace_mom = 0.5         # momentum of that trajectory
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/momentum_gluon"  # folder for the figures this section writes

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
# `'momentum'` goes into the trainer's hyperparameters beside the learning rate, which
# decays through `set_learning_rate` as before.

# %%
def train(batch_size, lr, mom, epochs, period):
    net.collect_params().initialize(mx.init.Normal(sigma=1), force_reinit=True, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr, 'momentum': mom})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], decay_epoch=decay_epoch,
        path=f"{out}/loss_lr{lr:g}_mom{mom:g}.png",
        title=f"momentum {mom:g}, batch size {batch_size}, learning rate {lr:g}")


# %%
losses = train(batch_size=batch_size, lr=learning_rate, mom=mom, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The trainer's path on the bowl of the from-scratch section, with the same step and
# momentum: the same points as `sgd_momentum` visits there.

# %%
utils.show_trace_2d(utils.train_2d('sgd', {'learning_rate': trace_eta, 'momentum': trace_mom}),
                    f"{out}/momentum_move.png", title=f"momentum {trace_mom}, eta {trace_eta}")

# %% [markdown]
# The book's exercise: which momentum makes this plain SGD again? (Try `--mom 0`.)
