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
# # 深度卷积神经网络和 AlexNet (AlexNet with Gluon)
#
# Book section 5.5. AlexNet, the network that won ImageNet in 2012: five convolution layers
# (the first with an 11x11 kernel and stride 4), three overlapping max-pools, and two dense
# layers of 4096 units with dropout. It is trained on Fashion-MNIST enlarged to ImageNet's
# 224 x 224, for one epoch. That epoch is GPU work: on a CPU it takes hours, so for a quick
# look set `subset` and a smaller `resize`.

# %% tags=["parameters"]
epochs = 1                 # passes over the training data (the book: one, to keep its build fast)
batch_size = 64            # examples per mini-batch
learning_rate = 0.01       # SGD step size
resize = 224               # side in pixels the 28 x 28 images are enlarged to (at least 67)
ctx = "auto"               # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                   # seeds random, numpy and mx.random
subset = None              # use only the first N training and N test images (a quick run)
hybridize = True           # compile the network (faster); off, it runs imperatively as in the book
out = "out/alexnet_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# The 11x11 convolution with stride 4 and the three 3x3 pools with stride 2 shrink the image
# quickly: 67 x 67 is the smallest input that still leaves a 1 x 1 feature map for the dense
# layers. Smaller images than the book's make a quicker run, and one that says so
# (as a `subset` does when the data are loaded): its accuracy will differ from the book's.

# %%
min_resize = 67
runtime.check_resize("AlexNet", resize, min_resize, book=224)

# %% [markdown]
# ## The model
# A single-stream version of the original, which was split across two GPUs.

# %%
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    # stage 1: a large kernel and stride shrink the large image fast
    net.add(nn.Conv2D(
        channels=96, kernel_size=11, strides=4, activation='relu'))
    net.add(nn.MaxPool2D(pool_size=3, strides=2))
    # stage 2: padding 2 keeps the size through the 5x5 kernel
    net.add(nn.Conv2D(
        channels=256, kernel_size=5, padding=2, activation='relu'))
    net.add(nn.MaxPool2D(pool_size=3, strides=2))
    # stage 3: three 3x3 convolutions, then the last pool
    net.add(nn.Conv2D(
        channels=384, kernel_size=3, padding=1, activation='relu'))
    net.add(nn.Conv2D(
        channels=384, kernel_size=3, padding=1, activation='relu'))
    net.add(nn.Conv2D(
        channels=256, kernel_size=3, padding=1, activation='relu'))
    net.add(nn.MaxPool2D(pool_size=3, strides=2))
    # stage 4: a wide dense layer, and dropout against its overfitting
    net.add(nn.Flatten())
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    # stage 5
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    # stage 6: one output per class
    net.add(nn.Dense(10))

# %% [markdown]
# ## Reading the data
# Each 28 x 28 image is enlarged to `resize` x `resize` as it is read.

# %%
import utils
from mxnet import image


def transform(data, label):
    # resize from 28 x 28 to resize x resize (the book: 224 x 224)
    data = image.imresize(data, resize, resize)
    return utils.transform_mnist(data, label)


train_data, test_data = utils.load_data_fashion_mnist(
    batch_size, transform, subset=subset)

# %% [markdown]
# ## Training
# Three changes from LeNet: Xavier initialization, a smaller `learning_rate`, and a single
# epoch. The book reached a test accuracy of 0.802 after that epoch. Its exercises: train
# more `epochs` and compare with LeNet; put back LeNet's `learning_rate` (0.5) or its default
# initialization and see what happens.

# %%
from mxnet import autograd
from mxnet import gluon
from mxnet import nd
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
