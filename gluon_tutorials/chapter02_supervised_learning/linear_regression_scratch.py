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
# # 线性回归 --- 从 0 开始 (Linear regression from scratch)
#
# Book section 3.1. A linear model trained with nothing but `NDArray`, `autograd` and a
# hand-written SGD step. The data come from a model we know, so at the end we can hold the
# learned `w` and `b` against the true ones.

# %% tags=["parameters"]
epochs = 5                 # passes over the data
batch_size = 10            # examples per mini-batch
learning_rate = 0.001      # SGD step size
num_examples = 1000        # size of the generated data set
ctx = "cpu"                # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                   # seeds random, numpy and mx.random
out = "out/linear_regression_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import plotting, runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Data
# `y = 2 * X[:, 0] - 3.4 * X[:, 1] + 4.2`, plus Gaussian noise with standard deviation 0.01.

# %%
from mxnet import ndarray as nd
from mxnet import autograd

num_inputs = 2
true_w = [2, -3.4]
true_b = 4.2

X = nd.random_normal(shape=(num_examples, num_inputs), ctx=ctx)
y = true_w[0] * X[:, 0] + true_w[1] * X[:, 1] + true_b
y += .01 * nd.random_normal(shape=y.shape, ctx=ctx)

# %%
print(X[0], y[0])

# %% [markdown]
# The second feature against the label: the slope of -3.4 shows through the noise that the
# first feature adds.

# %%
fig, axes = plotting.subplots(1, 1, figsize=(4, 3))
axes[0, 0].scatter(X[:, 1].asnumpy(), y.asnumpy(), s=2)
axes[0, 0].set_xlabel("X[:, 1]")
axes[0, 0].set_ylabel("y")
plotting.save(fig, f"{out}/data.png")

# %% [markdown]
# ## Reading the data in mini-batches
# A generator that shuffles the example indices and hands out `batch_size` examples at a time.

# %%
import random


def data_iter():
    idx = list(range(num_examples))
    random.shuffle(idx)
    for i in range(0, num_examples, batch_size):
        j = nd.array(idx[i:min(i + batch_size, num_examples)], ctx=ctx)
        yield nd.take(X, j), nd.take(y, j)


for data, label in data_iter():
    print(data, label)
    break

# %% [markdown]
# ## Parameters, model and loss

# %%
w = nd.random_normal(shape=(num_inputs, 1), ctx=ctx)
b = nd.zeros((1,), ctx=ctx)
params = [w, b]

for param in params:
    param.attach_grad()


# %%
def net(X):
    return nd.dot(X, w) + b


# %%
def square_loss(yhat, y):
    # y is reshaped to yhat's (n, 1): otherwise the difference broadcasts to (n, n)
    return (yhat - y.reshape(yhat.shape)) ** 2


# %% [markdown]
# ## Optimisation
# One step of mini-batch SGD moves every parameter against its gradient. The later
# sections take this same function from `utils.SGD`.

# %%
def SGD(params, lr):
    for param in params:
        param[:] = param - lr * param.grad


# %% [markdown]
# ## Training
# Each epoch prints the average squared error over the data set; it should fall from about
# 8 to about 1e-4. The book's exercise: try other values of `learning_rate` and watch how
# fast the loss falls, or whether it falls at all.

# %%
# where training starts: an epoch loss far above it means the run diverged
untrained_loss = nd.mean(square_loss(net(X), y)).asscalar()
for e in runtime.epochs(epochs):
    total_loss = 0
    for data, label in data_iter():
        with autograd.record():
            output = net(data)
            loss = square_loss(output, label)
        loss.backward()
        SGD(params, learning_rate)
        total_loss += nd.sum(loss).asscalar()
    print("Epoch %d, average loss: %f" % (e, total_loss / num_examples))
    runtime.check_loss(total_loss / num_examples, untrained_loss, learning_rate, params)
average_loss = total_loss / num_examples

# %% [markdown]
# ## The learned parameters next to the true ones

# %%
true_w, w

# %%
true_b, b

# %%
print("true_w", true_w, "learned w", [round(v, 4) for v in w.reshape((-1,)).asnumpy().tolist()])
print("true_b", true_b, "learned b", round(b.asscalar(), 4))
