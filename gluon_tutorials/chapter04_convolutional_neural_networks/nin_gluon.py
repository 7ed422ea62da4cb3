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
# # 网络中的网络 (NiN with Gluon)
#
# Book release 0.6, chapter 5. Network in Network chains small "mlpconv" blocks: a
# convolution followed by two 1x1 convolutions, which act as dense layers applied at every
# pixel. Instead of dense layers at the end, the last block has one channel per class and a
# global average pool turns each channel into a score. It is trained for one epoch on
# Fashion-MNIST enlarged to 224 x 224: GPU work, so on a CPU set `subset` and a smaller
# `resize` for a quick look.

# %% tags=["parameters"]
epochs = 1             # passes over the training data (the book: one)
batch_size = 64        # examples per mini-batch
learning_rate = 0.1    # SGD step size (larger than AlexNet's 0.01)
resize = 224           # side in pixels the 28 x 28 images are enlarged to (at least 67)
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
out = "out/nin_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# The first three blocks shrink the image as AlexNet's layers do (an 11x11 convolution with
# stride 4, three 3x3 pools with stride 2): 67 x 67 is the smallest input that leaves a
# 1 x 1 map for the last block.

# %%
min_resize = 67
runtime.check_resize("NiN", resize, min_resize, book=224)

# %% [markdown]
# ## The mlpconv block
# A convolution, then two 1x1 convolutions with the same channels, then (optionally) a
# 3x3 pool with stride 2.

# %%
from mxnet.gluon import nn


def mlpconv(channels, kernel_size, padding,
            strides=1, max_pooling=True):
    out = nn.Sequential()
    out.add(
        nn.Conv2D(channels=channels, kernel_size=kernel_size,
                  strides=strides, padding=padding,
                  activation='relu'),
        nn.Conv2D(channels=channels, kernel_size=1,
                  padding=0, strides=1, activation='relu'),
        nn.Conv2D(channels=channels, kernel_size=1,
                  padding=0, strides=1, activation='relu'))
    if max_pooling:
        out.add(nn.MaxPool2D(pool_size=3, strides=2))
    return out


# %% [markdown]
# A 3x3 convolution without padding takes 16 to 14, the pool 14 to 6: `(32, 64, 6, 6)`.

# %%
from mxnet import nd

blk = mlpconv(64, 3, 0)
blk.initialize()

x = nd.random.uniform(shape=(32, 3, 16, 16))
y = blk(x)
print(y.shape)

# %% [markdown]
# ## NiN
# AlexNet's three convolution settings (11x11 with 96 channels, 5x5 with 256, 3x3 with
# 384), dropout, and a last block with 10 channels whose maps are averaged to one number
# each. The global pool spares us computing the last map's size (5 x 5 at 224).

# %%
net = nn.Sequential()
with net.name_scope():
    net.add(
        mlpconv(96, 11, 0, strides=4),
        mlpconv(256, 5, 2),
        mlpconv(384, 3, 1),
        nn.Dropout(.5),
        # one channel per class
        mlpconv(10, 3, 1, max_pooling=False),
        # batch_size x 10 x 5 x 5 -> batch_size x 10 x 1 x 1
        nn.GlobalAvgPool2D(),
        # -> batch_size x 10
        nn.Flatten()
    )

# %% [markdown]
# ## Reading the data and training
# As for AlexNet, with a larger `learning_rate`. The book printed no accuracy for this
# section. Its exercise: why two 1x1 convolutions in `mlpconv`? Try one, or three.

# %%
import utils
from mxnet import gluon
from mxnet import init

train_data, test_data = utils.load_data_fashion_mnist(
    batch_size=batch_size, resize=resize, subset=subset)

net.initialize(ctx=ctx, init=init.Xavier())

loss = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(net.collect_params(),
                        'sgd', {'learning_rate': learning_rate})
result = utils.train(train_data, test_data, net, loss,
                     trainer, ctx, num_epochs=epochs)
test_acc = result["test_acc"]

# %% [markdown]
# ## Predictions
# The first test images, enlarged as the net saw them, with true and predicted labels.

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png", n=8)
