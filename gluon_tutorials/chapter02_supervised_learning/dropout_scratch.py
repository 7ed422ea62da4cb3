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
# # 丢弃法 --- 从 0 开始 (Dropout from scratch)
#
# Book section 3.10. Dropout zeroes a random share of a layer's outputs and scales up the
# rest, so that no unit can rely on any other. Here it is written by hand and put after
# both hidden layers of a 784-256-256-10 perceptron.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.5    # SGD step size (the gradient is averaged over the batch)
drop_prob1 = 0.2       # drop probability after the first hidden layer
drop_prob2 = 0.5       # drop probability after the second hidden layer
drop_at_test = True    # drop also while measuring accuracy, as the book's net does
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
out = "out/dropout_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Implementing dropout
# Each element of `X` is dropped with probability `drop_probability`; the survivors are
# divided by the keep probability, so the expected value of the result is `X` itself.

# %%
from mxnet import nd


def dropout(X, drop_probability):
    keep_probability = 1 - drop_probability
    # a ValueError where the book asserts: `python -O` strips asserts
    if not 0 <= keep_probability <= 1:
        raise ValueError(f"drop_probability must lie in [0, 1], got {drop_probability}")
    if keep_probability == 0:
        return X.zeros_like()

    mask = nd.random.uniform(
        0, 1.0, X.shape, ctx=X.context) < keep_probability
    scale = 1 / keep_probability
    return mask * X * scale


# %% [markdown]
# Nothing dropped, about half dropped (the rest doubled), everything dropped:

# %%
A = nd.arange(20).reshape((5, 4))
print(dropout(A, 0.0))

# %%
print(dropout(A, 0.5))

# %%
print(dropout(A, 1.0))

# %% [markdown]
# ## Getting the data

# %%
import utils

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

# %% [markdown]
# ## A perceptron with two hidden layers
# Both hidden layers have 256 units.

# %%
num_inputs = 28*28
num_outputs = 10

num_hidden1 = 256
num_hidden2 = 256
weight_scale = .01

W1 = nd.random_normal(shape=(num_inputs, num_hidden1), scale=weight_scale, ctx=ctx)
b1 = nd.zeros(num_hidden1, ctx=ctx)

W2 = nd.random_normal(shape=(num_hidden1, num_hidden2), scale=weight_scale, ctx=ctx)
b2 = nd.zeros(num_hidden2, ctx=ctx)

W3 = nd.random_normal(shape=(num_hidden2, num_outputs), scale=weight_scale, ctx=ctx)
b3 = nd.zeros(num_outputs, ctx=ctx)

params = [W1, b1, W2, b2, W3, b3]

for param in params:
    param.attach_grad()

# %% [markdown]
# ## The model with dropout layers
# Dropout after each hidden layer's ReLU, less of it near the input (`drop_prob1` 0.2,
# `drop_prob2` 0.5). The book's `net` drops in every forward pass, also while
# `evaluate_accuracy` measures it, which costs it some test accuracy; with
# `drop_at_test = False` it drops only inside `autograd.record()`, as the later editions
# of the book (and Gluon's `nn.Dropout`) do.

# %%
from mxnet import autograd


def net(X):
    X = X.reshape((-1, num_inputs))
    drop = drop_at_test or autograd.is_training()
    h1 = nd.relu(nd.dot(X, W1) + b1)
    if drop:
        h1 = dropout(h1, drop_prob1)
    h2 = nd.relu(nd.dot(h1, W2) + b2)
    if drop:
        h2 = dropout(h2, drop_prob2)
    return nd.dot(h2, W3) + b3


# %% [markdown]
# ## Training
# The test accuracy should end near the book's 0.846. The book's exercises: train without
# dropout (`drop_prob1` and `drop_prob2` 0), or swap the two probabilities. Setting
# `drop_at_test` to False shows what dropping at test time cost.

# %%
from mxnet import gluon

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        data, label = data.as_in_context(ctx), label.as_in_context(ctx)
        with autograd.record():
            output = net(data)
            loss = softmax_cross_entropy(output, label)
        loss.backward()
        utils.SGD(params, learning_rate/batch_size)
        # summed on the device and read once an epoch: a read per batch makes MXNet wait
        train_loss += nd.mean(loss)
        train_acc += utils.batch_accuracy(output, label)
    test_acc = utils.evaluate_accuracy(test_data, net, ctx)
    print("Epoch %d. Loss: %f, Train acc %f, Test acc %f" % (
        epoch, train_loss.asscalar() / len(train_data), train_acc.asscalar() / len(train_data),
        test_acc))
    runtime.check_loss(train_loss / len(train_data), runtime.chance_loss(10), learning_rate, params)

# %% [markdown]
# ## Predictions
# The first test images with their true and predicted labels (with `drop_at_test` on,
# through a thinned network).

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png")
