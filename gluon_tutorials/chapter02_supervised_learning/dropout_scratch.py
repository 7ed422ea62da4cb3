"""Dropout from scratch: a 784-256-256-10 perceptron that drops hidden units.

Drop probability 0.2 after the first hidden layer and 0.5 after the second (drop less
near the input); batch 256, SGD with lr 0.5 / batch size, 5 epochs.
"""
import argparse
import sys

from mxnet import autograd, nd

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.mlp_scratch import (
    init_params, num_inputs, num_outputs)
from gluon_tutorials.chapter02_supervised_learning.softmax_regression_gluon import (
    train_fashion_mnist)


def dropout(X, drop_probability):
    """Zero each element with probability `drop_probability` and scale the survivors
    by 1 / keep_probability, so that E[dropout(X)] == X."""
    keep_probability = 1 - drop_probability
    if not 0 <= keep_probability <= 1:
        raise ValueError(f"drop_probability must lie in [0, 1], got {drop_probability}")
    if keep_probability == 0:
        return X.zeros_like()
    mask = nd.random.uniform(0, 1.0, X.shape, ctx=X.context) < keep_probability
    return mask * X * (1 / keep_probability)


def net(X, params, drop_prob1=.2, drop_prob2=.5, drop_at_test=True):
    """Dense-ReLU-dropout twice, then the output layer.

    The book (0.3) drops in every forward pass, accuracy evaluation included, which
    costs it some test accuracy; drop_at_test=False drops only while autograd is
    training, as later editions of the book do.
    """
    W1, b1, W2, b2, W3, b3 = params
    drop = drop_at_test or autograd.is_training()
    X = X.reshape((-1, num_inputs))
    h1 = nd.relu(nd.dot(X, W1) + b1)
    if drop:
        h1 = dropout(h1, drop_prob1)
    h2 = nd.relu(nd.dot(h1, W2) + b2)
    if drop:
        h2 = dropout(h2, drop_prob2)
    return nd.dot(h2, W3) + b3


def probability(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1], got {text}")
    return value


def add_drop_probs(parser):
    """--drop-prob1 and --drop-prob2 with the book's 0.2 and 0.5."""
    parser.add_argument("--drop-prob1", type=probability, default=.2,
                        help="drop probability after the first hidden layer")
    parser.add_argument("--drop-prob2", type=probability, default=.5,
                        help="drop probability after the second hidden layer")


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.5, subset=True)
    add_drop_probs(parser)
    parser.add_argument("--drop-at-test", action=argparse.BooleanOptionalAction, default=True,
                        help="drop units when measuring accuracy too, as the book does "
                             "(--no-drop-at-test: only while training)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    params = init_params([num_inputs, 256, 256, num_outputs], .01, ctx=args.ctx)

    def model(X):
        return net(X, params, args.drop_prob1, args.drop_prob2, args.drop_at_test)

    return train_fashion_mnist(model, args, params)


if __name__ == "__main__":
    sys.exit(cli.run(main))
