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
# # VGG：使用重复元素的非常深的网络 (VGG with Gluon)
#
# Book section 5.6. VGG builds a deep network from one repeated block: a few 3x3 convolutions
# and a pool that halves the image. A function makes one block, a loop stacks them, and a
# tuple of (convolutions, channels) pairs describes the whole network. VGG-11, with AlexNet's
# dense layers, is trained for one epoch on Fashion-MNIST enlarged to 96 x 96: GPU work, so
# on a CPU set `subset` and a smaller `resize` for a quick look.

# %% tags=["parameters"]
epochs = 1             # passes over the training data (the book: one, to keep its build fast)
batch_size = 64        # examples per mini-batch
learning_rate = 0.05   # SGD step size (the book's value for VGG; AlexNet used 0.01)
resize = 96            # side in pixels the 28 x 28 images are enlarged to (at least 32)
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/vgg_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# Five pools each halve the side: 32 x 32 is the smallest input that leaves a 1 x 1 feature
# map for the dense layers. Smaller images than the book's make a quicker run, and one
# that says so (as a `subset` does when the data are loaded): its accuracy will differ.

# %%
min_resize = 32
runtime.check_resize("VGG-11", resize, min_resize, book=96)

# %% [markdown]
# ## The VGG block
# `num_convs` 3x3 convolutions (padding 1 keeps the size), then a 2x2 pool with stride 2.

# %%
from mxnet.gluon import nn


def vgg_block(num_convs, channels):
    out = nn.Sequential()
    for _ in range(num_convs):
        out.add(nn.Conv2D(channels=channels, kernel_size=3,
                          padding=1, activation='relu'))
    out.add(nn.MaxPool2D(pool_size=2, strides=2))
    return out


# %% [markdown]
# A block of two convolutions with 128 channels: height and width are halved, and the
# channels become 128, `(2, 128, 8, 8)`.

# %%
from mxnet import nd

blk = vgg_block(2, 128)
blk.initialize()
x = nd.random.uniform(shape=(2, 3, 16, 16))
y = blk(x)
print(y.shape)


# %% [markdown]
# Stacking blocks: one per (convolutions, channels) pair.

# %%
def vgg_stack(architecture):
    out = nn.Sequential()
    for (num_convs, channels) in architecture:
        out.add(vgg_block(num_convs, channels))
    return out


# %% [markdown]
# ## VGG-11
# Eight convolutions in five blocks, then AlexNet's three dense layers.

# %%
num_outputs = 10
architecture = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
net = nn.Sequential()
with net.name_scope():
    net.add(vgg_stack(architecture))
    net.add(nn.Flatten())
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    net.add(nn.Dense(num_outputs))

# %% [markdown]
# ## Training
# The same as AlexNet's, with images of 96 x 96 and the book's `learning_rate` of 0.05. The
# book reached a test accuracy of 0.825 after one epoch. Its exercises: train more `epochs`
# and compare with LeNet and AlexNet; build VGG-16 or VGG-19 by changing `architecture`
# (table 1 of the VGG paper); and think about what enlarging to 96 rather than 224 changes.

# %%
import utils
from mxnet import image


def transform(data, label):
    # resize from 28 x 28 to resize x resize (the book: 96 x 96)
    data = image.imresize(data, resize, resize)
    return utils.transform_mnist(data, label)


train_data, test_data = utils.load_data_fashion_mnist(
    batch_size, transform, subset=subset)

from mxnet import autograd
from mxnet import gluon
from mxnet import init

net.initialize(ctx=ctx, init=init.Xavier())
runtime.hybridize(net, hybridize)

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(
    net.collect_params(), 'sgd', {'learning_rate': learning_rate})

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        label = label.as_in_context(ctx)
        with autograd.record():
            output = net(data.as_in_context(ctx))
            loss = softmax_cross_entropy(output, label)
        loss.backward()
        trainer.step(batch_size)
        # summed on the device and read once an epoch: a read per batch makes MXNet wait
        train_loss += nd.mean(loss)
        train_acc += utils.batch_accuracy(output, label)
    test_acc = utils.evaluate_accuracy(test_data, net, ctx)
    print("Epoch %d. Loss: %f, Train acc %f, Test acc %f" % (
        epoch, train_loss.asscalar() / len(train_data), train_acc.asscalar() / len(train_data),
        test_acc))
    runtime.check_loss(train_loss / len(train_data), runtime.chance_loss(10), learning_rate)

# %% [markdown]
# ## Predictions
# The first test images, enlarged as the net saw them, with true and predicted labels.

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png", n=8)
