"""Convolutional networks with Gluon: LeNet from nn.Conv2D, nn.MaxPool2D and nn.Dense.

The same network as the scratch section, built from Gluon layers and trained with a
gluon.Trainer on Fashion-MNIST; batch 256, sgd lr 0.5, 5 epochs.
"""
import sys

from mxnet import gluon

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)


def build_net():
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(
            gluon.nn.Conv2D(channels=20, kernel_size=5, activation="relu"),
            gluon.nn.MaxPool2D(pool_size=2, strides=2),
            gluon.nn.Conv2D(channels=50, kernel_size=3, activation="relu"),
            gluon.nn.MaxPool2D(pool_size=2, strides=2),
            gluon.nn.Flatten(),
            gluon.nn.Dense(128, activation="relu"),
            gluon.nn.Dense(10),
        )
    return net


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.5, subset=True,
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
