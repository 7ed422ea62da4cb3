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
# # 正则化 --- 从 0 开始 (Regularization from scratch)
#
# Book section 3.8. Linear regression with 200 inputs and only 20 training examples
# overfits: the training loss falls to almost nothing while the test loss stays high.
# Adding an L2 penalty on the parameters to the loss, written by hand, brings the test loss
# down.

# %% tags=["parameters"]
epochs = 10            # passes over the training data
batch_size = 1         # examples per mini-batch
learning_rate = 0.002  # SGD step size
weight_decay = 2.0     # lambda of the second run: the weight of the L2 penalty (0: none)
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
out = "out/reg_scratch"  # folder for the figure this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## High-dimensional linear regression
# `y = 0.05 + sum_i 0.01 x_i` plus noise with standard deviation 0.01, with p = 200 inputs
# and n = 20 training examples.

# %%
from mxnet import ndarray as nd
from mxnet import autograd
from mxnet import gluon

num_train = 20
num_test = 100
num_inputs = 200

# %% [markdown]
# ## The data
# The true parameters first. Note that the book's code below leaves `true_b` out of `y`, so
# the learned bias should come out near 0, as it does in the book's output. Add `+ true_b`
# to follow the formula instead.

# %%
true_w = nd.ones((num_inputs, 1), ctx=ctx) * 0.01
true_b = 0.05

# %%
X = nd.random.normal(shape=(num_train + num_test, num_inputs), ctx=ctx)
y = nd.dot(X, true_w)
y += .01 * nd.random.normal(shape=y.shape, ctx=ctx)

X_train, X_test = X[:num_train, :], X[num_train:, :]
y_train, y_test = y[:num_train], y[num_train:]

# %% [markdown]
# Random mini-batches of the first `num_examples` examples (the training set), as in
# section 3.1.

# %%
import random


def data_iter(num_examples):
    idx = list(range(num_examples))
    random.shuffle(idx)
    for i in range(0, num_examples, batch_size):
        j = nd.array(idx[i:min(i + batch_size, num_examples)], ctx=ctx)
        yield X.take(j), y.take(j)


# %% [markdown]
# ## Parameters

# %%
def get_params():
    w = nd.random.normal(shape=(num_inputs, 1), ctx=ctx) * 0.1
    b = nd.zeros((1,), ctx=ctx)
    for param in (w, b):
        param.attach_grad()
    return (w, b)


# %% [markdown]
# ## The L2 penalty
# Training minimises `loss + lambda * (||w||^2 + b^2)`, which pulls the parameters towards
# zero. Penalising the bias as well, as here, makes little difference.

# %%
def L2_penalty(w, b):
    return (w**2).sum() + b**2


# %% [markdown]
# ## Training and testing
# Model, loss and SGD as in section 3.1 (`net` takes `lambd` without using it, as in the
# book). `test` scores the plain squared error: the penalty only shapes training. Each
# call of `train` keeps its curves in `losses`; they are drawn at the end.

# %%
def net(X, lambd, w, b):
    return nd.dot(X, w) + b


def square_loss(yhat, y):
    return (yhat - y.reshape(yhat.shape)) ** 2


def SGD(params, lr):
    for param in params:
        param[:] = param - lr * param.grad


def test(params, X, y):
    return square_loss(net(X, 0, *params), y).mean().asscalar()


losses = []


def train(lambd):
    params = get_params()
    train_loss = []
    test_loss = []
    untrained_loss = test(params, X_train, y_train)  # far above it means diverged
    for e in runtime.epochs(epochs):
        for data, label in data_iter(num_train):
            with autograd.record():
                output = net(data, lambd, *params)
                loss = square_loss(
                    output, label) + lambd * L2_penalty(*params)
            loss.backward()
            SGD(params, learning_rate)
        train_loss.append(test(params, X_train, y_train))
        test_loss.append(test(params, X_test, y_test))
        runtime.check_loss(train_loss[-1], untrained_loss, learning_rate, params)
    losses.append((lambd, train_loss, test_loss))
    print("lambda %g: train loss %f, test loss %f" % (lambd, train_loss[-1], test_loss[-1]))
    print("  learned w[:10]:",
          [round(v, 4) for v in params[0][:10].reshape((-1,)).asnumpy().tolist()])
    print("  learned b: %f" % params[1].asscalar())
    return 'learned w[:10]:', params[0][:10], 'learned b:', params[1]


# %% [markdown]
# ## Overfitting
# Without the penalty the training loss drops to almost 0 while the test loss stays high;
# most learned weights are far larger in size than the true 0.01.

# %%
train(0)

# %% [markdown]
# ## With the penalty
# Fresh parameters, lambda = `weight_decay`: the training loss rises a little and the test
# loss falls. The weights are still not the true ones: 20 examples are few for 200 inputs.

# %%
train(weight_decay)

# %% [markdown]
# ## The loss curves
# Exercises from the book: besides a penalty, more data and a fitting model, what else
# counters overfitting? Which Bayesian idea does the L2 penalty correspond to?

# %%
import utils

utils.plot_loss_curves([(f"lambda = {lambd:g}", {"train": train_loss, "test": test_loss})
                        for lambd, train_loss, test_loss in losses], f"{out}/losses.png")
