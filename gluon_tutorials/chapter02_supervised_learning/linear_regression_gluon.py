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
# # 线性回归 --- 使用 Gluon (Linear regression with Gluon)
#
# Book section 3.2. The model of section 3.1 again, now built from Gluon's pieces: a
# `DataLoader` reads the data, a `Dense(1)` layer is the model, `L2Loss` the loss and a
# `Trainer` takes the SGD steps.

# %% tags=["parameters"]
epochs = 5             # passes over the data
batch_size = 10        # examples per mini-batch
learning_rate = 0.1    # SGD step size
num_examples = 1000    # size of the generated data set
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Data
# The same data as in section 3.1: `y = 2 * X[:, 0] - 3.4 * X[:, 1] + 4.2` plus noise.

# %%
from mxnet import ndarray as nd
from mxnet import autograd
from mxnet import gluon

num_inputs = 2

true_w = [2, -3.4]
true_b = 4.2

X = nd.random_normal(shape=(num_examples, num_inputs), ctx=ctx)
y = true_w[0] * X[:, 0] + true_w[1] * X[:, 1] + true_b
y += .01 * nd.random_normal(shape=y.shape, ctx=ctx)

# %% [markdown]
# ## Reading the data
# `ArrayDataset` pairs features with labels; `DataLoader` shuffles them and hands out
# mini-batches, as our own `data_iter` did.

# %%
dataset = gluon.data.ArrayDataset(X, y)
data_iter = gluon.data.DataLoader(dataset, batch_size, shuffle=True)

# %%
for data, label in data_iter:
    print(data, label)
    break

# %% [markdown]
# ## The model
# An empty `Sequential` with one `Dense` layer of one output. The layer's number of inputs
# is not given: Gluon infers it from the first batch it sees.

# %%
net = gluon.nn.Sequential()

# %%
net.add(gluon.nn.Dense(1))

# %%
net.initialize(ctx=ctx)
runtime.hybridize(net, hybridize)

# %% [markdown]
# ## Loss and optimiser

# %%
square_loss = gluon.loss.L2Loss()

# %%
trainer = gluon.Trainer(
    net.collect_params(), 'sgd', {'learning_rate': learning_rate})

# %% [markdown]
# ## Training
# `trainer.step(batch_size)` replaces our `SGD`. `L2Loss` is half the squared error, so the
# loss ends near 5e-5, half of section 3.1's. Exercises from the book: why is
# `learning_rate` ten times section 3.1's (read `help(trainer.step)`)? And how do you get
# the gradient of `dense.weight` (`help(dense.weight)`)?

# %%
# where training starts: an epoch loss far above it means the run diverged
untrained_loss = square_loss(net(X), y).mean().asscalar()
for e in runtime.epochs(epochs):
    total_loss = 0
    for data, label in data_iter:
        data, label = data.as_in_context(ctx), label.as_in_context(ctx)
        with autograd.record():
            output = net(data)
            loss = square_loss(output, label)
        loss.backward()
        trainer.step(batch_size)
        # summed on the device and read once an epoch: a read per batch makes MXNet wait
        total_loss += nd.sum(loss)
    print("Epoch %d, average loss: %f" % (e, total_loss.asscalar() / num_examples))
    runtime.check_loss(total_loss.asscalar() / num_examples, untrained_loss, learning_rate,
                       net.collect_params())
average_loss = total_loss.asscalar() / num_examples

# %% [markdown]
# ## The learned parameters next to the true ones
# The layer `net[0]` holds them.

# %%
dense = net[0]
true_w, dense.weight.data()

# %%
true_b, dense.bias.data()

# %%
w, b = dense.weight.data(), dense.bias.data()
print("true_w", true_w, "learned w", [round(v, 4) for v in w.reshape((-1,)).asnumpy().tolist()])
print("true_b", true_b, "learned b", round(b.asscalar(), 4))
