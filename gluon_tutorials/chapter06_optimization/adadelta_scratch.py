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
# # Adadelta --- 从 0 开始 (Adadelta from scratch)
#
# Book chapter 7 (release 0.6). Adadelta, like RMSProp, divides each step by a moving
# root mean square of the gradients; but it has no learning rate. In its place is a second
# moving average, of the squared steps it has taken: the step is scaled so that its units
# match those of the parameter.

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
out = "out/adadelta_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)


# %% [markdown]
# ## The update
# `s <- rho * s + (1 - rho) * g * g`; the step `g' = sqrt(delta + eps) / sqrt(s + eps) * g`;
# `delta <- rho * delta + (1 - rho) * g' * g'`; and `x <- x - g'`, element by element, with
# `eps` = 1e-5. While `delta` is still zero the steps are about `sqrt(eps)`: Adadelta
# starts slowly.

# %%
from mxnet import ndarray as nd


def adadelta(params, sqrs, deltas, rho, batch_size):
    eps_stable = 1e-5
    for param, sqr, delta in zip(params, sqrs, deltas):
        g = param.grad / batch_size
        sqr[:] = rho * sqr + (1. - rho) * g * g
        step = nd.sqrt(delta + eps_stable) / nd.sqrt(sqr + eps_stable) * g
        delta[:] = rho * delta + (1. - rho) * step * step
        param[:] -= step


# %% [markdown]
# Its path on the bowl of the momentum section, over `trace_steps` steps.

# %%
import utils

sqrs_2d, deltas_2d = [nd.zeros((2,))], [nd.zeros((2,))]
utils.show_trace_2d(utils.train_2d(lambda params: adadelta(params, sqrs_2d, deltas_2d, trace_rho, 1),
                                   steps=trace_steps),
                    f"{out}/adadelta_move.png", title=f"Adadelta, rho {trace_rho}")

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
    return utils.linreg_params(num_inputs, num_states=2, ctx=ctx)  # [w, b], sqrs, deltas


net, square_loss = utils.linreg, utils.squared_loss


# %% [markdown]
# ## Training
# There is no learning rate to print.

# %%
def train(batch_size, rho, epochs, period):
    [w, b], sqrs, deltas = init_params()
    return utils.optimize(
        batch_size, epochs, period, data_iter, lambda X: net(X, w, b), square_loss,
        lambda lr: adadelta([w, b], sqrs, deltas, rho, batch_size), X, y, [w, b],
        path=f"{out}/loss_rho{rho:g}.png", title=f"Adadelta, batch size {batch_size}, rho {rho:g}")


# %%
losses = train(batch_size=batch_size, rho=rho, epochs=epochs, period=period)
final_loss = losses[-1]

# %% [markdown]
# The book's exercise: what happens with a smaller `rho`, such as 0.9 (`--rho 0.9`)?
