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
# # Adam --- 使用 Gluon (Adam with Gluon)
#
# Book chapter 7 (release 0.6), its last section. The trainer's `'adam'` optimizer with
# the learning rate; `beta1`, `beta2` and `epsilon` keep their defaults (0.9, 0.999, 1e-8).

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.1     # step size (lr)
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/adam_gluon"  # folder for the figures this section writes

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
def train(batch_size, lr, epochs, period):
    net.collect_params().initialize(mx.init.Normal(sigma=1), force_reinit=True, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': lr})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], path=f"{out}/loss_lr{lr:g}.png",
        title=f"Adam, batch size {batch_size}, learning rate {lr:g}")


# %%
losses = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The trainer's path on the bowl of the momentum section.

# %%
utils.show_trace_2d(utils.train_2d('adam', {'learning_rate': trace_eta}),
                    f"{out}/adam_move.png", title=f"Adam, eta {trace_eta}")

# %% [markdown]
# The book's exercise: try other learning rates (`--lr`).
#
# The chapter in short: SGD trades exact gradients for cheap ones; momentum smooths the
# path; Adagrad, RMSProp and Adadelta scale each element's step by its own gradient
# history; Adam does both. None of them frees you from tuning.
