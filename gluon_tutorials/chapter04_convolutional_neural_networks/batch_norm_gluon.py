"""Batch normalisation with Gluon: LeNet with nn.BatchNorm after each convolution.

nn.BatchNorm(axis=1) normalises per channel, between each Conv2D and its relu; trained on
Fashion-MNIST with batch 256, sgd lr 0.2, 5 epochs.
"""
import sys

from mxnet import gluon
from mxnet.gluon import nn

import utils
from gluon_tutorials import cli


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
    cli.hybridize(net, args)
    print(net)

    train_data, test_data = utils.load_data_fashion_mnist(args.batch_size, subset=args.subset)
    utils.say_subset(args.subset)
    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": args.lr})
    result = utils.train(train_data, test_data, net, softmax_cross_entropy, trainer,
                         args.ctx, args.epochs, args.batch_size)
    utils.show_predictions(net, test_data, args.ctx, args.out / "predictions.png")
    return result


if __name__ == "__main__":
    sys.exit(cli.run(main))
