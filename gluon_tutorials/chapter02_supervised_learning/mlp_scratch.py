"""Multilayer perceptron from scratch: one hidden layer of 256 ReLU units, 784-256-10.

Weights from N(0, 0.01^2), biases zero; Gluon's SoftmaxCrossEntropyLoss; batch 256,
SGD with lr 0.5 / batch size, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import nd

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)

num_inputs = 784
num_outputs = 10


def init_params(layer_sizes, weight_scale=.01, ctx=mx.cpu()):
    """[W1, b1, W2, b2, ...] for consecutive layer sizes: W ~ N(0, weight_scale^2), b = 0."""
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        params.append(nd.random_normal(shape=(n_in, n_out), scale=weight_scale, ctx=ctx))
        params.append(nd.zeros(n_out, ctx=ctx))
    for param in params:
        param.attach_grad()
    return params


def relu(X):
    return nd.maximum(X, 0)


def net(X, params):
    W1, b1, W2, b2 = params
    X = X.reshape((-1, num_inputs))
    h1 = relu(nd.dot(X, W1) + b1)
    return nd.dot(h1, W2) + b2


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.5, subset=True)
    parser.add_argument("--num-hidden", type=cli.positive_int, default=256,
                        help="units in the hidden layer")
    parser.add_argument("--weight-scale", type=cli.positive_float, default=.01,
                        help="standard deviation of the initial weights")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    params = init_params([num_inputs, args.num_hidden, num_outputs], args.weight_scale,
                         ctx=args.ctx)

    def model(X):
        return net(X, params)

    return train_fashion_mnist(model, args, params)


if __name__ == "__main__":
    sys.exit(cli.run(main))
