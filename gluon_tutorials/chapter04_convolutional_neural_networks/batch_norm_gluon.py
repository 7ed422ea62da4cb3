"""Batch normalisation with Gluon: LeNet with nn.BatchNorm after each convolution.

nn.BatchNorm(axis=1) normalises per channel, between each Conv2D and its relu; trained on
Fashion-MNIST with batch 256, sgd lr 0.2, 5 epochs.
"""
import sys

from mxnet.gluon import nn

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)


def build_net():
    net = nn.Sequential()
    with net.name_scope():
        # first convolution block
        net.add(nn.Conv2D(channels=20, kernel_size=5))
        net.add(nn.BatchNorm(axis=1))
        net.add(nn.Activation(activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        # second convolution block
        net.add(nn.Conv2D(channels=50, kernel_size=3))
        net.add(nn.BatchNorm(axis=1))
        net.add(nn.Activation(activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        net.add(nn.Flatten())
        # dense layers
        net.add(nn.Dense(128, activation="relu"))
        net.add(nn.Dense(10))
    return net


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.2, subset=True,
                                hybridize=True)
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    net = build_net()
    net.initialize(ctx=args.ctx)  # the book's ctx = utils.try_gpu(), which --ctx auto is
    print(net)
    # training as in the earlier chapters: Fashion-MNIST, softmax cross-entropy, sgd
    return train_fashion_mnist(net, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
