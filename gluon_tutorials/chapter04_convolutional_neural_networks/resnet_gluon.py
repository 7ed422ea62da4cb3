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
# # ResNet：深度残差网络 (ResNet with Gluon)
#
# Book release 0.6, chapter 5. ResNet adds the input of every pair of 3x3 convolutions to
# their output, so the gradient has a short path back to the first layers and a deep net
# still trains. Here ResNet-18 is trained for one epoch on Fashion-MNIST enlarged to
# 96 x 96: GPU work, so on a CPU set `subset` and a smaller `resize` for a quick look.

# %% tags=["parameters"]
epochs = 1                # passes over the training data (the book: one)
batch_size = 64           # examples per mini-batch
learning_rate = 0.05      # SGD step size (larger than AlexNet's: batch normalization allows it)
resize = 96               # side in pixels the 28 x 28 images are enlarged to (at least 75)
ctx = "auto"              # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                  # seeds random, numpy and mx.random
subset = None             # use only the first N training and N test images (a quick run)
out = "out/resnet_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# The 7x7 convolution with stride 2, the pool and three halving residual blocks must still
# leave a 3 x 3 map for the last 3x3 average pool: 75 x 75 is the smallest input that does.

# %%
min_resize = 75
runtime.check_resize("ResNet-18", resize, min_resize, book=96)

# %% [markdown]
# ## The residual block
# Two 3x3 convolutions, each followed by batch normalization; the block's input is added
# before the last ReLU. When the block changes the channels (`same_shape=False`) a 1x1
# convolution with stride 2 brings the input to the output's shape, and the first 3x3
# convolution halves height and width.

# %%
from mxnet.gluon import nn
from mxnet import nd


class Residual(nn.Block):
    def __init__(self, channels, same_shape=True, **kwargs):
        super(Residual, self).__init__(**kwargs)
        self.same_shape = same_shape
        strides = 1 if same_shape else 2
        self.conv1 = nn.Conv2D(channels, kernel_size=3, padding=1,
                               strides=strides)
        self.bn1 = nn.BatchNorm()
        self.conv2 = nn.Conv2D(channels, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm()
        if not same_shape:
            self.conv3 = nn.Conv2D(channels, kernel_size=1,
                                   strides=strides)

    def forward(self, x):
        out = nd.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if not self.same_shape:
            x = self.conv3(x)
        return nd.relu(out + x)


# %% [markdown]
# Same channels in and out: the shape is kept, `(4, 3, 6, 6)`.

# %%
blk = Residual(3)
blk.initialize()

x = nd.random.uniform(shape=(4, 3, 6, 6))
print(blk(x).shape)

# %% [markdown]
# Eight channels out: the channels change and the side is halved, `(4, 8, 3, 3)`.

# %%
blk2 = Residual(8, same_shape=False)
blk2.initialize()
print(blk2(x).shape)


# %% [markdown]
# ## ResNet-18
# Six stages in `nn.Sequential` containers, so that `verbose` can print the shape after each.
# No pool between the residual stages: their first block's stride 2 halves the side.

# %%
class ResNet(nn.Block):
    def __init__(self, num_classes, verbose=False, **kwargs):
        super(ResNet, self).__init__(**kwargs)
        self.verbose = verbose
        with self.name_scope():
            # block 1
            b1 = nn.Conv2D(64, kernel_size=7, strides=2)
            # block 2
            b2 = nn.Sequential()
            b2.add(
                nn.MaxPool2D(pool_size=3, strides=2),
                Residual(64),
                Residual(64)
            )
            # block 3
            b3 = nn.Sequential()
            b3.add(
                Residual(128, same_shape=False),
                Residual(128)
            )
            # block 4
            b4 = nn.Sequential()
            b4.add(
                Residual(256, same_shape=False),
                Residual(256)
            )
            # block 5
            b5 = nn.Sequential()
            b5.add(
                Residual(512, same_shape=False),
                Residual(512)
            )
            # block 6
            b6 = nn.Sequential()
            b6.add(
                nn.AvgPool2D(pool_size=3),
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
# The shapes between the stages for four 96 x 96 images: the side goes 45, 22, 11, 6, 3,
# and the last stage gives 10 scores per image.

# %%
net = ResNet(10, verbose=True)
net.initialize()

x = nd.random.uniform(shape=(4, 3, 96, 96))
y = net(x)

# %% [markdown]
# ## Reading the data and training
# As for AlexNet, with a larger `learning_rate` thanks to batch normalization. The book
# printed no accuracy for this section. Its exercises: build the deeper ResNets of table 1
# of the paper, the "bottleneck" block, and the `BN->ReLU->Conv` order of the follow-up paper.

# %%
import utils
from mxnet import gluon
from mxnet import init

train_data, test_data = utils.load_data_fashion_mnist(
    batch_size=batch_size, resize=resize, subset=subset)

net = ResNet(10)
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
