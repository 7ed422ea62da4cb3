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
# # 多层感知机 --- 从 0 开始 (Multilayer perceptron from scratch)
#
# Book section 3.5. A hidden layer of 256 units between input and output, with a ReLU
# after it so that the model is no longer linear; weights, ReLU and model are written by
# hand, the loss is Gluon's.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.5    # SGD step size (the gradient is averaged over the batch)
num_hidden = 256       # units in the hidden layer
weight_scale = 0.01    # standard deviation of the initial weights
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
out = "out/mlp_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Getting the data
# Fashion-MNIST again, through the loaders in `utils.py`.

# %%
import utils

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

# %% [markdown]
# ## The multilayer perceptron's parameters
# 784 inputs, `num_hidden` hidden units, 10 outputs. Weights start as small Gaussian noise
# (`weight_scale`), biases at zero.

# %%
from mxnet import ndarray as nd

num_inputs = 28*28
num_outputs = 10

W1 = nd.random_normal(shape=(num_inputs, num_hidden), scale=weight_scale, ctx=ctx)
b1 = nd.zeros(num_hidden, ctx=ctx)

W2 = nd.random_normal(shape=(num_hidden, num_outputs), scale=weight_scale, ctx=ctx)
b2 = nd.zeros(num_outputs, ctx=ctx)

params = [W1, b1, W2, b2]

for param in params:
    param.attach_grad()


# %% [markdown]
# ## The activation function
# Two linear layers in a row are still one linear map; a ReLU, max(x, 0), between them
# breaks that.

# %%
def relu(X):
    return nd.maximum(X, 0)


# %% [markdown]
# ## The model

# %%
def net(X):
    X = X.reshape((-1, num_inputs))
    h1 = relu(nd.dot(X, W1) + b1)
    output = nd.dot(h1, W2) + b2
    return output


# %% [markdown]
# ## Softmax and cross-entropy
# Gluon's fused, numerically stable loss (section 3.4), on the raw scores `net` returns.

# %%
from mxnet import gluon

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

# %% [markdown]
# ## Training
# The loop of section 3.3. The test accuracy should end near the book's 0.872, well above
# softmax regression's. The book's exercises: change `weight_scale` (try 1 or 0.0001) or
# `num_hidden`, or add a second hidden layer to `params` and `net`.

# %%
from mxnet import autograd

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
# The first test images with their true and predicted labels.

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png")
