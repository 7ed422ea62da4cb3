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
# # Adadelta --- 使用 Gluon (Adadelta with Gluon)
#
# Book chapter 7 (release 0.6). The trainer's `'adadelta'` optimizer takes `rho` and no
# learning rate; the rest is the run of the from-scratch section.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
rho = 0.9999            # weight of the old averages (squared gradients, squared steps) per step
trace_rho = 0.9         # rho of the trajectory drawn on f(x1, x2)
trace_steps = 200       # steps of that trajectory (Adadelta starts with tiny steps)
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/adadelta_gluon"  # folder for the figures this section writes

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
# The trainer still has a `learning_rate` (Adadelta ignores it), so it is not printed.

# %%
def train(batch_size, rho, epochs, period):
    net.collect_params().initialize(mx.init.Normal(sigma=1), force_reinit=True, ctx=ctx)
    trainer = gluon.Trainer(net.collect_params(), 'adadelta', {'rho': rho})
    data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)
    return utils.optimize(
        batch_size, epochs, period, data_iter, net, square_loss, trainer, X, y,
        [net[0].weight, net[0].bias], show_lr=False, path=f"{out}/loss_rho{rho:g}.png",
        title=f"Adadelta, batch size {batch_size}, rho {rho:g}")


# %%
losses = train(batch_size=batch_size, rho=rho, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The trainer's path on the bowl of the momentum section.

# %%
utils.show_trace_2d(utils.train_2d('adadelta', {'rho': trace_rho}, steps=trace_steps),
                    f"{out}/adadelta_move.png", title=f"Adadelta, rho {trace_rho}")

# %% [markdown]
# The book's exercise: what happens with a smaller `rho`, such as 0.9 (`--rho 0.9`)?
