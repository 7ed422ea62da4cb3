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
# # 卷积神经网络 --- 从 0 开始 (Convolutional neural networks from scratch)
#
# Book section 5.1. Convolution and pooling on arrays small enough to check by hand, then
# LeNet (two convolution blocks, two dense layers) written with nothing but `nd.Convolution`,
# `nd.Pooling` and `nd.dot`, trained on Fashion-MNIST.

# %% tags=["parameters"]
epochs = 5               # passes over the training data
batch_size = 256         # examples per mini-batch
learning_rate = 0.2      # SGD step size (each step uses learning_rate / batch_size, as in the book)
ctx = "auto"             # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                 # seeds random, numpy and mx.random
subset = None            # use only the first N training and N test images (a quick run)
out = "out/cnn_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Convolution
# Data are laid out batch x channel x height x width, a weight output channels x input
# channels x height x width. Each output element is a window of the input times the kernel,
# summed, plus the bias: the first one here is 0*0 + 1*1 + 3*2 + 4*3 + 1 = 20.
# (The book calls the result `out`; here `out` is the output folder, so it is `output`.)

# %%
from mxnet import nd

w = nd.arange(4).reshape((1, 1, 2, 2))
b = nd.array([1])
data = nd.arange(9).reshape((1, 1, 3, 3))
# The book passes num_filter=w.shape[1]; the filters are counted by w.shape[0] (both 1 here).
output = nd.Convolution(data, w, b, kernel=w.shape[2:], num_filter=w.shape[0])

print('input:', data, '\n\nweight:', w, '\n\nbias:', b, '\n\noutput:', output)

# %% [markdown]
# `stride` moves the window two steps at a time, `pad` adds a border of zeros first.

# %%
output = nd.Convolution(data, w, b, kernel=w.shape[2:], num_filter=w.shape[0],
                        stride=(2, 2), pad=(1, 1))

print('input:', data, '\n\nweight:', w, '\n\nbias:', b, '\n\noutput:', output)

# %% [markdown]
# Two input channels: each has its own kernel, and the two results are added.

# %%
w = nd.arange(8).reshape((1, 2, 2, 2))
data = nd.arange(18).reshape((1, 2, 3, 3))

output = nd.Convolution(data, w, b, kernel=w.shape[2:], num_filter=w.shape[0])

print('input:', data, '\n\nweight:', w, '\n\nbias:', b, '\n\noutput:', output)

# %% [markdown]
# Two output channels: one two-channel kernel and one bias per output channel.

# %%
w = nd.arange(16).reshape((2, 2, 2, 2))
data = nd.arange(18).reshape((1, 2, 3, 3))
b = nd.array([1, 2])

output = nd.Convolution(data, w, b, kernel=w.shape[2:], num_filter=w.shape[0])

print('input:', data, '\n\nweight:', w, '\n\nbias:', b, '\n\noutput:', output)

# %% [markdown]
# ## Pooling
# The largest (or the mean) value of each 2x2 window, channel by channel.

# %%
data = nd.arange(18).reshape((1, 2, 3, 3))

max_pool = nd.Pooling(data=data, pool_type="max", kernel=(2, 2))
avg_pool = nd.Pooling(data=data, pool_type="avg", kernel=(2, 2))

print('data:', data, '\n\nmax pooling:', max_pool, '\n\navg pooling:', avg_pool)

# %% [markdown]
# ## Data
# Fashion-MNIST in batches of 256, as in chapter 3.

# %%
import utils

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

# %% [markdown]
# ## The model
# All parameters are created on `ctx`. The first dense layer takes 1250 inputs: 28 -> 24
# (5x5 kernel) -> 12 (pool) -> 10 (3x3 kernel) -> 5 (pool), times 50 channels.

# %%
weight_scale = .01

# output channels = 20, kernel = (5,5)
W1 = nd.random_normal(shape=(20, 1, 5, 5), scale=weight_scale, ctx=ctx)
b1 = nd.zeros(W1.shape[0], ctx=ctx)

# output channels = 50, kernel = (3,3)
W2 = nd.random_normal(shape=(50, 20, 3, 3), scale=weight_scale, ctx=ctx)
b2 = nd.zeros(W2.shape[0], ctx=ctx)

# output dim = 128
W3 = nd.random_normal(shape=(1250, 128), scale=weight_scale, ctx=ctx)
b3 = nd.zeros(W3.shape[1], ctx=ctx)

# output dim = 10
W4 = nd.random_normal(shape=(W3.shape[1], 10), scale=weight_scale, ctx=ctx)
b4 = nd.zeros(W4.shape[1], ctx=ctx)

params = [W1, b1, W2, b2, W3, b3, W4, b4]
for param in params:
    param.attach_grad()


# %% [markdown]
# Each convolution block is convolution, ReLU, max-pooling; then the feature maps are
# flattened into rows for the two dense layers.

# %%
def net(X, verbose=False):
    X = X.as_in_context(W1.context)
    # first convolution block
    h1_conv = nd.Convolution(
        data=X, weight=W1, bias=b1, kernel=W1.shape[2:], num_filter=W1.shape[0])
    h1_activation = nd.relu(h1_conv)
    h1 = nd.Pooling(
        data=h1_activation, pool_type="max", kernel=(2, 2), stride=(2, 2))
    # second convolution block
    h2_conv = nd.Convolution(
        data=h1, weight=W2, bias=b2, kernel=W2.shape[2:], num_filter=W2.shape[0])
    h2_activation = nd.relu(h2_conv)
    h2 = nd.Pooling(data=h2_activation, pool_type="max", kernel=(2, 2), stride=(2, 2))
    h2 = nd.flatten(h2)
    # first dense layer
    h3_linear = nd.dot(h2, W3) + b3
    h3 = nd.relu(h3_linear)
    # second dense layer
    h4_linear = nd.dot(h3, W4) + b4
    if verbose:
        print('1st conv block:', h1.shape)
        print('2nd conv block:', h2.shape)
        print('1st dense:', h3.shape)
        print('2nd dense:', h4_linear.shape)
        print('output:', h4_linear)
    return h4_linear


# %% [markdown]
# One batch through the untrained net: the shape after each block (the book's
# `(256, 20, 12, 12)`, `(256, 1250)`, `(256, 128)`, `(256, 10)`), and outputs near 0.

# %%
for data, _ in train_data:
    net(data, verbose=True)
    break

# %% [markdown]
# ## Training
# The loop of chapter 3. Look at the first epochs: the loss stays near 2.3 (a guess among
# ten classes) for a while before it falls; the book ends at a test accuracy of 0.845.
# Exercises from the book: change the number of filters or the kernel sizes in `W1` and `W2`
# (and the 1250 in `W3` with them), or try `pool_type="avg"`.

# %%
from mxnet import autograd
from mxnet import gluon

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        label = label.as_in_context(ctx)
        with autograd.record():
            output = net(data)
            loss = softmax_cross_entropy(output, label)
        loss.backward()
        utils.SGD(params, learning_rate / batch_size)
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
