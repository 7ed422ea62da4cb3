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
# # 动量法 --- 从 0 开始 (Momentum from scratch)
#
# Book chapter 7 (release 0.6). Gradient descent follows the steepest direction at the
# current point only. Where the loss curves much more sharply in one direction than in
# another, the step that is safe for the sharp direction crawls along the flat one.
# Momentum keeps a velocity, a running sum of past steps: steps that agree add up, steps
# that alternate cancel.

# %% tags=["parameters"]
epochs = 3              # passes over the data
period = 10             # record the loss on all the data after every `period` examples
batch_size = 10         # examples per mini-batch
learning_rate = 0.2     # step size (lr)
mom = 0.9               # momentum: the share of the last velocity kept at each step
decay_epoch = 2         # after this epoch the learning rate is multiplied by 0.1 each epoch
trace_eta = 0.4         # step size of the two trajectories drawn on f(x1, x2)
trace_mom = 0.5         # momentum of the second trajectory
num_examples = 1000     # size of the generated data set
ctx = "cpu"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                # seeds random, numpy and mx.random
out = "out/momentum_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The trouble with gradient descent
# On `f(x1, x2) = 0.1 x1^2 + 2 x2^2`, starting at (-5, -2), gradient descent with step
# `trace_eta` bounces across the steep x2 direction and creeps along the flat x1 one.

# %%
import utils

utils.show_trace_2d(utils.train_2d(lambda params: utils.SGD(params, trace_eta)),
                    f"{out}/gd_move.png", title=f"gradient descent, eta {trace_eta}")


# %% [markdown]
# ## Momentum
# `v <- mom * v + lr * g` and then `x <- x - v`, with `g` the mini-batch gradient. If every
# gradient were the same `g`, the velocity would grow to `lr * g / (1 - mom)`: with mom =
# 0.9, ten times a plain step.

# %%
def sgd_momentum(params, vs, lr, mom, batch_size):
    for param, v in zip(params, vs):
        v[:] = mom * v + lr / batch_size * param.grad
        param[:] -= v


# %% [markdown]
# The same start and step with momentum `trace_mom`: the x2 swings die out and x1 moves
# faster.

# %%
from mxnet import ndarray as nd

vs_2d = [nd.zeros((2,))]
utils.show_trace_2d(utils.train_2d(lambda params: sgd_momentum(params, vs_2d, trace_eta, trace_mom, 1)),
                    f"{out}/momentum_move.png",
                    title=f"momentum {trace_mom}, eta {trace_eta}")

# %% [markdown]
# ## Data, model and loss
# The chapter's linear regression (from `utils`), with one velocity per parameter that
# starts at zero.

# %%
num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2
X, y, dataset = utils.linreg_data(num_examples, true_w, true_b, ctx)


def data_iter(batch_size):
    return utils.linreg_data_iter(X, y, batch_size)


def init_params():
    return utils.linreg_params(num_inputs, num_states=1, ctx=ctx)  # [w, b], vs


net, square_loss = utils.linreg, utils.squared_loss


# %% [markdown]
# ## Training
# As in the SGD section: the loss on all the data every `period` examples, and a learning
# rate cut tenfold per epoch after the second.

# %%
def train(batch_size, lr, mom, epochs, period):
    [w, b], vs = init_params()
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: sgd_momentum([w, b], vs, lr, mom, batch_size), X, y, [w, b], lr=lr,
        decay_epoch=decay_epoch, path=f"{out}/loss_lr{lr:g}_mom{mom:g}.png",
        title=f"momentum {mom:g}, batch size {batch_size}, learning rate {lr:g}")


# %% [markdown]
# With momentum the learned parameters end close to the true ones.

# %%
losses = train(batch_size=batch_size, lr=learning_rate, mom=mom, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The book's exercise: try a smaller momentum, e.g. `--mom 0.5` from the shell.
