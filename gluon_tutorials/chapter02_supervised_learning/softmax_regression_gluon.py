"""Softmax regression with Gluon: Flatten + Dense(10), SoftmaxCrossEntropyLoss, Trainer.

Fashion-MNIST, batch 256, sgd lr 0.1, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import gluon

import utils
from gluon_tutorials import cli


def build_net(ctx=mx.cpu()):
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Flatten())
        net.add(gluon.nn.Dense(10))
    net.initialize(ctx=ctx)
    return net


def train_fashion_mnist(net, args, params=None):
    """Train `net` as this section does, and as the later sections of the chapter do
    ("the same as before"): Fashion-MNIST in batches of args.batch_size, softmax and
    cross-entropy in one stable operator, sgd at args.lr for args.epochs epochs with
    the book's epoch lines, then the first test images drawn with their predictions.

    Gluon nets get a Trainer; a from-scratch net passes its NDArray `params`, which
    step with the book's SGD(params, lr / batch_size). Returns utils.train's metrics.
    """
    train_data, test_data = utils.load_data_fashion_mnist(args.batch_size, subset=args.subset)
    utils.say_subset(args.subset)
    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = None
    if params is None:
        cli.hybridize(net, args)
        trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': args.lr})
    result = utils.train(train_data, test_data, net, softmax_cross_entropy, trainer, args.ctx,
                         args.epochs, args.batch_size, params=params, lr=args.lr)
    utils.show_predictions(net, test_data, args.ctx, args.out / "predictions.png")
    return result


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.1, subset=True,
                                hybridize=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    net = build_net(ctx=args.ctx)
    return train_fashion_mnist(net, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
