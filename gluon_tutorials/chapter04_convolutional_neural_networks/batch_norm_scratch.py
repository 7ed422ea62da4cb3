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
# # 批量归一化 --- 从 0 开始 (Batch normalization from scratch)
#
# Book section 5.3. A batch-normalization layer written by hand: first on small arrays, then
# with the moving mean and variance that stand in for the batch's at prediction time, and
# finally inside the LeNet of section 5.1, after each convolution and before its ReLU.

# %% tags=["parameters"]
epochs = 5                      # passes over the training data
batch_size = 256                # examples per mini-batch
learning_rate = 0.2             # SGD step size (each step uses learning_rate / batch_size, as in the book)
ctx = "auto"                    # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                        # seeds random, numpy and mx.random
subset = None                   # use only the first N training and N test images (a quick run)
out = "out/batch_norm_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## A simplified batch-normalization layer
# Dense input (batch x features) is normalized per feature over the batch; convolutional
# input (batch x channels x height x width) per channel, over the batch and all positions,
# with `keepdims` so that the statistics broadcast against the input. Then `gamma` scales and
# `beta` shifts the result.

# %%
from mxnet import nd


def pure_batch_norm(X, gamma, beta, eps=1e-5):
    assert len(X.shape) in (2, 4), "batch norm takes dense (2D) or convolutional (4D) input"
    # dense: batch_size x feature
    if len(X.shape) == 2:
        # mean and variance of each feature over the batch
        mean = X.mean(axis=0)
        # nd.square, not the book's ** 2: MXNet's power op is several times slower
        variance = nd.square(X - mean).mean(axis=0)
    # 2D convolution: batch_size x channel x height x width
    else:
        # per channel, kept 4D so that it broadcasts
        mean = X.mean(axis=(0, 2, 3), keepdims=True)
        variance = nd.square(X - mean).mean(axis=(0, 2, 3), keepdims=True)

    # normalize
    X_hat = (X - mean) / nd.sqrt(variance + eps)
    # scale and shift
    return gamma.reshape(mean.shape) * X_hat + beta.reshape(mean.shape)


# %% [markdown]
# Each row of `A` is one example; each column should come out with mean 0 and variance 1,
# the book's -1.2247, 0, 1.2247.

# %%
A = nd.arange(6).reshape((3, 2))
print(A)

# %%
print(pure_batch_norm(A, gamma=nd.array([1, 1]), beta=nd.array([0, 0])))

# %% [markdown]
# A convolutional input with two channels: each channel is normalized on its own (the book's
# -1.549 ... 1.549, twice).

# %%
B = nd.arange(18).reshape((1, 2, 3, 3))
print(B)

# %%
print(pure_batch_norm(B, gamma=nd.array([1, 1]), beta=nd.array([0, 0])))


# %% [markdown]
# ## The batch-normalization layer
# At prediction time there may be a single example, so there is no batch to take statistics
# from. While training, the layer keeps moving averages of the batches' means and variances,
# and prediction normalizes with those. `moving_mean[:] = ...` writes into the caller's
# arrays; the `reshape`s give views of the same memory, so the writes reach them too.

# %%
def batch_norm(X, gamma, beta, is_training, moving_mean, moving_variance,
               eps=1e-5, moving_momentum=0.9):
    assert len(X.shape) in (2, 4), "batch norm takes dense (2D) or convolutional (4D) input"
    # dense: batch_size x feature
    if len(X.shape) == 2:
        # mean and variance of each feature over the batch
        mean = X.mean(axis=0)
        variance = nd.square(X - mean).mean(axis=0)  # nd.square: see pure_batch_norm
    # 2D convolution: batch_size x channel x height x width
    else:
        # per channel, kept 4D so that it broadcasts
        mean = X.mean(axis=(0, 2, 3), keepdims=True)
        variance = nd.square(X - mean).mean(axis=(0, 2, 3), keepdims=True)
        # the moving statistics in the same shape, to broadcast
        moving_mean = moving_mean.reshape(mean.shape)
        moving_variance = moving_variance.reshape(mean.shape)

    # normalize
    if is_training:
        X_hat = (X - mean) / nd.sqrt(variance + eps)
        # update the moving statistics in place
        moving_mean[:] = moving_momentum * moving_mean + (
            1.0 - moving_momentum) * mean
        moving_variance[:] = moving_momentum * moving_variance + (
            1.0 - moving_momentum) * variance
    else:
        # prediction: the moving statistics instead of the batch's
        X_hat = (X - moving_mean) / nd.sqrt(moving_variance + eps)

    # scale and shift
    return gamma.reshape(mean.shape) * X_hat + beta.reshape(mean.shape)


# %% [markdown]
# ## The model
# The parameters of section 5.1's LeNet, plus a `gamma` and `beta` per channel of each
# convolution (learned, so they go into `params`) and the moving statistics (not learned:
# SGD must not touch them, so they stay out of `params`).

# %%
weight_scale = .01

# output channels = 20, kernel = (5,5)
c1 = 20
W1 = nd.random.normal(shape=(c1, 1, 5, 5), scale=weight_scale, ctx=ctx)
b1 = nd.zeros(c1, ctx=ctx)

# batch norm 1
gamma1 = nd.random.normal(shape=c1, scale=weight_scale, ctx=ctx)
beta1 = nd.random.normal(shape=c1, scale=weight_scale, ctx=ctx)
moving_mean1 = nd.zeros(c1, ctx=ctx)
moving_variance1 = nd.zeros(c1, ctx=ctx)

# output channels = 50, kernel = (3,3)
c2 = 50
W2 = nd.random_normal(shape=(c2, c1, 3, 3), scale=weight_scale, ctx=ctx)
b2 = nd.zeros(c2, ctx=ctx)

# batch norm 2
gamma2 = nd.random.normal(shape=c2, scale=weight_scale, ctx=ctx)
beta2 = nd.random.normal(shape=c2, scale=weight_scale, ctx=ctx)
moving_mean2 = nd.zeros(c2, ctx=ctx)
moving_variance2 = nd.zeros(c2, ctx=ctx)

# output dim = 128
o3 = 128
W3 = nd.random.normal(shape=(1250, o3), scale=weight_scale, ctx=ctx)
b3 = nd.zeros(o3, ctx=ctx)

# output dim = 10
W4 = nd.random_normal(shape=(W3.shape[1], 10), scale=weight_scale, ctx=ctx)
b4 = nd.zeros(W4.shape[1], ctx=ctx)

# the moving_* arrays are not here: they are not learned
params = [W1, b1, gamma1, beta1,
          W2, b2, gamma2, beta2,
          W3, b3, W4, b4]

for param in params:
    param.attach_grad()


# %% [markdown]
# Batch normalization goes after each convolution and before its activation.

# %%
def net(X, is_training=False, verbose=False):
    X = X.as_in_context(W1.context)
    # first convolution block
    h1_conv = nd.Convolution(
        data=X, weight=W1, bias=b1, kernel=W1.shape[2:], num_filter=c1)
    # batch normalization
    h1_bn = batch_norm(h1_conv, gamma1, beta1, is_training,
                       moving_mean1, moving_variance1)
    h1_activation = nd.relu(h1_bn)
    h1 = nd.Pooling(
        data=h1_activation, pool_type="max", kernel=(2, 2), stride=(2, 2))
    # second convolution block
    h2_conv = nd.Convolution(
        data=h1, weight=W2, bias=b2, kernel=W2.shape[2:], num_filter=c2)
    # batch normalization
    h2_bn = batch_norm(h2_conv, gamma2, beta2, is_training,
                       moving_mean2, moving_variance2)
    h2_activation = nd.relu(h2_bn)
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
# ## Data and training
# `net(data, is_training=True)` while training; `utils.evaluate_accuracy` calls `net(data)`,
# which predicts with the moving statistics. One untrained batch first shows the shapes
# (prediction mode, so the moving statistics stay as they are).

# %%
from mxnet import autograd
from mxnet import gluon
import utils

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

for data, _ in train_data:
    net(data, verbose=True)
    break

# %% [markdown]
# Compare with section 5.1 at the same `learning_rate`: the loss falls from the first epoch
# on, and the book ends at a test accuracy of 0.885 (5.1: 0.845). The book's exercise: raise
# `learning_rate` and see whether batch normalization lets the net train with larger steps.

# %%
softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        label = label.as_in_context(ctx)
        with autograd.record():
            output = net(data, is_training=True)
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
# The first test images with their true and predicted labels (prediction mode).

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png")
