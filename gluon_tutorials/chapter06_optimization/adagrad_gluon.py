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
# # Adagrad --- 使用 Gluon (Adagrad with Gluon)
#
# Book chapter 7 (release 0.6). The trainer's `'adagrad'` optimizer with the initial
# learning rate; the rest is the run of the from-scratch section.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.9     # step size (lr), before the division by the accumulated gradients
trace_eta = 0.4         # step size of the trajectory drawn on f(x1, x2)
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/adagrad_gluon"  # folder for the figures this section writes

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
    trainer = gluon.Trainer(net.collect_params(), 'adagrad', {'learning_rate': lr})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], path=f"{out}/loss_lr{lr:g}.png",
        title=f"Adagrad, batch size {batch_size}, learning rate {lr:g}")


# %%
losses = train(batch_size=batch_size, lr=learning_rate, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The trainer's path on the bowl of the momentum section.

# %%
utils.show_trace_2d(utils.train_2d('adagrad', {'learning_rate': trace_eta}),
                    f"{out}/adagrad_move.png", title=f"Adagrad, eta {trace_eta}")

# %% [markdown]
# The book's exercise: try other initial learning rates (`--lr`).
