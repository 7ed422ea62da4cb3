"""Multilayer perceptron with Gluon: Dense(256, relu) + Dense(10).

Fashion-MNIST, SoftmaxCrossEntropyLoss, batch 256, sgd lr 0.5, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import gluon

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)


def build_net(num_hidden=256, ctx=mx.cpu()):
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Flatten())
        net.add(gluon.nn.Dense(num_hidden, activation="relu"))
        net.add(gluon.nn.Dense(10))
    net.initialize(ctx=ctx)
    return net


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.5, subset=True,
                                hybridize=True)
    parser.add_argument("--num-hidden", type=cli.positive_int, default=256,
                        help="units in the hidden layer")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    net = build_net(args.num_hidden, ctx=args.ctx)
    return train_fashion_mnist(net, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
