"""Dropout with Gluon: nn.Dropout layers after each hidden Dense layer.

784-256-256-10 with drop probabilities 0.2 and 0.5; batch 256, sgd lr 0.5, 5 epochs.
nn.Dropout drops only inside autograd.record(), so evaluation sees the whole network.
"""
import sys

import mxnet as mx
from mxnet.gluon import nn

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.dropout_scratch import add_drop_probs
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)


def build_net(drop_prob1=.2, drop_prob2=.5, ctx=mx.cpu()):
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Flatten())
        net.add(nn.Dense(256, activation="relu"))
        net.add(nn.Dropout(drop_prob1))
        net.add(nn.Dense(256, activation="relu"))
        net.add(nn.Dropout(drop_prob2))
        net.add(nn.Dense(10))
    net.initialize(ctx=ctx)
    return net


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.5, subset=True,
                                hybridize=True)
    add_drop_probs(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    net = build_net(args.drop_prob1, args.drop_prob2, ctx=args.ctx)
    return train_fashion_mnist(net, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
