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
# # 更深的卷积神经网络：GoogLeNet (GoogLeNet with Gluon)
#
# Book release 0.6, chapter 5. GoogLeNet, the 2014 ImageNet winner, is built from
# Inception blocks: four paths side by side (1x1, 3x3 and 5x5 convolutions and a pool)
# whose outputs are stacked along the channels. It is trained for one epoch on
# Fashion-MNIST enlarged to 96 x 96, as VGG was: GPU work, so on a CPU set `subset` for a
# quick look.

# %% tags=["parameters"]
epochs = 1                   # passes over the training data (the book: one)
batch_size = 64              # examples per mini-batch
learning_rate = 0.01         # SGD step size
resize = 96                  # side in pixels the 28 x 28 images are enlarged to (at least 93)
ctx = "auto"                 # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                     # seeds random, numpy and mx.random
subset = None                # use only the first N training and N test images (a quick run)
out = "out/googlenet_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# Five stages each halve the side (a strided convolution, then four pools), and the last
# 2x2 average pool needs a 2 x 2 map: 93 x 93 is the smallest input that leaves one, so
# this net hardly runs smaller than the book's 96.

# %%
min_resize = 93
runtime.check_resize("GoogLeNet", resize, min_resize, book=96)

# %% [markdown]
# ## The Inception block
# Path 1: a 1x1 convolution. Paths 2 and 3: a 1x1 convolution that cuts the channels, then
# a 3x3 or 5x5 convolution padded to keep the side. Path 4: a 3x3 pool with stride 1, then
# a 1x1 convolution. The four results are concatenated along the channels.

# %%
from mxnet.gluon import nn
from mxnet import nd


class Inception(nn.Block):
    def __init__(self, n1_1, n2_1, n2_3, n3_1, n3_5, n4_1, **kwargs):
        super(Inception, self).__init__(**kwargs)
        # path 1
        self.p1_conv_1 = nn.Conv2D(n1_1, kernel_size=1,
                                   activation='relu')
        # path 2
        self.p2_conv_1 = nn.Conv2D(n2_1, kernel_size=1,
                                   activation='relu')
        self.p2_conv_3 = nn.Conv2D(n2_3, kernel_size=3, padding=1,
                                   activation='relu')
        # path 3
        self.p3_conv_1 = nn.Conv2D(n3_1, kernel_size=1,
                                   activation='relu')
        self.p3_conv_5 = nn.Conv2D(n3_5, kernel_size=5, padding=2,
                                   activation='relu')
        # path 4
        self.p4_pool_3 = nn.MaxPool2D(pool_size=3, padding=1,
                                      strides=1)
        self.p4_conv_1 = nn.Conv2D(n4_1, kernel_size=1,
                                   activation='relu')

    def forward(self, x):
        p1 = self.p1_conv_1(x)
        p2 = self.p2_conv_3(self.p2_conv_1(x))
        p3 = self.p3_conv_5(self.p3_conv_1(x))
        p4 = self.p4_conv_1(self.p4_pool_3(x))
        return nd.concat(p1, p2, p3, p4, dim=1)


# %% [markdown]
# The side is kept and the channels are the four paths' sum, 64 + 128 + 32 + 32 = 256:
# `(32, 256, 64, 64)`.

# %%
incp = Inception(64, 96, 128, 16, 32, 32)
incp.initialize()

x = nd.random.uniform(shape=(32, 3, 64, 64))
print(incp(x).shape)


# %% [markdown]
# ## GoogLeNet
# Nine Inception blocks in six stages, each stage an `nn.Sequential` so that `verbose`
# can print the shape after it. The paper's extra outputs are left out: one output here.

# %%
class GoogLeNet(nn.Block):
    def __init__(self, num_classes, verbose=False, **kwargs):
        super(GoogLeNet, self).__init__(**kwargs)
        self.verbose = verbose
        with self.name_scope():
            # block 1
            b1 = nn.Sequential()
            b1.add(
                nn.Conv2D(64, kernel_size=7, strides=2,
                          padding=3, activation='relu'),
                nn.MaxPool2D(pool_size=3, strides=2)
            )
            # block 2
            b2 = nn.Sequential()
            b2.add(
                nn.Conv2D(64, kernel_size=1),
                nn.Conv2D(192, kernel_size=3, padding=1),
                nn.MaxPool2D(pool_size=3, strides=2)
            )

            # block 3
            b3 = nn.Sequential()
            b3.add(
                Inception(64, 96, 128, 16, 32, 32),
                Inception(128, 128, 192, 32, 96, 64),
                nn.MaxPool2D(pool_size=3, strides=2)
            )

            # block 4
            b4 = nn.Sequential()
            b4.add(
                Inception(192, 96, 208, 16, 48, 64),
                Inception(160, 112, 224, 24, 64, 64),
                Inception(128, 128, 256, 24, 64, 64),
                Inception(112, 144, 288, 32, 64, 64),
                Inception(256, 160, 320, 32, 128, 128),
                nn.MaxPool2D(pool_size=3, strides=2)
            )

            # block 5
            b5 = nn.Sequential()
            b5.add(
                Inception(256, 160, 320, 32, 128, 128),
                Inception(384, 192, 384, 48, 128, 128),
                nn.AvgPool2D(pool_size=2)
            )
            # block 6
            b6 = nn.Sequential()
            b6.add(
                nn.Flatten(),
                nn.Dense(num_classes)
            )
            # all six in a row
            self.net = nn.Sequential()
            self.net.add(b1, b2, b3, b4, b5, b6)

    def forward(self, x):
        out = x
        for i, b in enumerate(self.net):
            out = b(out)
            if self.verbose:
                print('Block %d output: %s' % (i + 1, out.shape))
        return out


# %% [markdown]
# The shapes between the stages for four 96 x 96 images: the side goes 23, 11, 5, 2, 1.

# %%
net = GoogLeNet(10, verbose=True)
net.initialize()

x = nd.random.uniform(shape=(4, 3, 96, 96))
y = net(x)

# %% [markdown]
# ## Reading the data and training
# The book printed no accuracy for this section. Its exercise: the later versions of
# Inception (v2 adds batch normalization, v3 reshapes the blocks, v4 adds residual
# connections); try them and compare.

# %%
import utils
from mxnet import gluon
from mxnet import init

train_data, test_data = utils.load_data_fashion_mnist(
    batch_size=batch_size, resize=resize, subset=subset)

net = GoogLeNet(10)
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
