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
# # DenseNet：稠密连接的卷积神经网络 (DenseNet with Gluon)
#
# Book release 0.6, chapter 5. DenseNet joins each layer's output to its input by
# concatenation rather than ResNet's addition, so every later layer sees every earlier
# one; transition blocks keep the channels and the side in check. DenseNet-121 is trained
# for one epoch on Fashion-MNIST enlarged to 32 x 32 (the net is deep, so the images are
# kept small): still GPU work, so on a CPU set `subset` for a quick look.

# %% tags=["parameters"]
epochs = 1                  # passes over the training data (the book: one)
batch_size = 64             # examples per mini-batch
learning_rate = 0.1         # SGD step size
resize = 32                 # side in pixels the 28 x 28 images are enlarged to (at least 29)
ctx = "auto"                # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                    # seeds random, numpy and mx.random
subset = None               # use only the first N training and N test images (a quick run)
out = "out/densenet_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# The first convolution and pool each halve the side, and so does each of the three
# transition blocks: 29 x 29 is the smallest input that leaves a 1 x 1 map at the end.

# %%
min_resize = 29
runtime.check_resize("DenseNet-121", resize, min_resize, book=32)

# %% [markdown]
# ## The dense block
# Each convolution block is `BN->ReLU->Conv` (the improved ResNet order) with `growth_rate`
# output channels, and its output is concatenated to its input: `layers` blocks on
# `in_channels` give `in_channels + layers * growth_rate` channels.

# %%
from mxnet import nd
from mxnet.gluon import nn


def conv_block(channels):
    out = nn.Sequential()
    out.add(
        nn.BatchNorm(),
        nn.Activation('relu'),
        nn.Conv2D(channels, kernel_size=3, padding=1)
    )
    return out


class DenseBlock(nn.Block):
    def __init__(self, layers, growth_rate, **kwargs):
        super(DenseBlock, self).__init__(**kwargs)
        self.net = nn.Sequential()
        for i in range(layers):
            self.net.add(conv_block(growth_rate))

    def forward(self, x):
        for layer in self.net:
            out = layer(x)
            x = nd.concat(x, out, dim=1)
        return x


# %% [markdown]
# Two blocks of 10 channels on a 3-channel input: 3 + 2 x 10 = 23 channels, `(4, 23, 8, 8)`.

# %%
dblk = DenseBlock(2, 10)
dblk.initialize()

x = nd.random.uniform(shape=(4, 3, 8, 8))
print(dblk(x).shape)


# %% [markdown]
# ## The transition block
# A 1x1 convolution sets the channels and an average pool halves the side.

# %%
def transition_block(channels):
    out = nn.Sequential()
    out.add(
        nn.BatchNorm(),
        nn.Activation('relu'),
        nn.Conv2D(channels, kernel_size=1),
        nn.AvgPool2D(pool_size=2, strides=2)
    )
    return out


# %% [markdown]
# On the same input: 10 channels, side halved, `(4, 10, 4, 4)`.

# %%
tblk = transition_block(10)
tblk.initialize()

print(tblk(x).shape)

# %% [markdown]
# ## DenseNet-121
# Dense blocks of 6, 12, 24 and 16 convolution blocks, one `growth_rate` for all; each
# transition is given half of `channels`. As in the book, `channels` adds up the dense
# blocks' growth but is not halved with the transitions, so these get 128, 320 and 704
# channels (of 256, 512 and 1088 coming in), and the last dense block gives 1216.

# %%
init_channels = 64
growth_rate = 32
block_layers = [6, 12, 24, 16]
num_classes = 10


def dense_net():
    net = nn.Sequential()
    with net.name_scope():
        # first block
        net.add(
            nn.Conv2D(init_channels, kernel_size=7,
                      strides=2, padding=3),
            nn.BatchNorm(),
            nn.Activation('relu'),
            nn.MaxPool2D(pool_size=3, strides=2, padding=1)
        )
        # dense blocks
        channels = init_channels
        for i, layers in enumerate(block_layers):
            net.add(DenseBlock(layers, growth_rate))
            channels += layers * growth_rate
            if i != len(block_layers) - 1:
                net.add(transition_block(channels // 2))
        # last block
        net.add(
            nn.BatchNorm(),
            nn.Activation('relu'),
            nn.AvgPool2D(pool_size=1),
            nn.Flatten(),
            nn.Dense(num_classes)
        )
    return net


# %% [markdown]
# ## Reading the data and training
# The book printed no accuracy for this section. Its exercises: why DenseNet has fewer
# parameters than ResNet (compare `net.collect_params()`), its memory use at 224 x 224 (the
# last `AvgPool2D` then needs a larger `pool_size`), and whether Fashion-MNIST needs 100+
# layers at all: shorten `block_layers` and compare.

# %%
import utils
from mxnet import gluon
from mxnet import init

train_data, test_data = utils.load_data_fashion_mnist(
    batch_size=batch_size, resize=resize, subset=subset)

net = dense_net()
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
