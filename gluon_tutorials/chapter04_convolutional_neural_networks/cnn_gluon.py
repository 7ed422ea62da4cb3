"""Convolutional networks with Gluon: LeNet from nn.Conv2D, nn.MaxPool2D and nn.Dense.

The same network as the scratch section, built from Gluon layers and trained with a
gluon.Trainer on Fashion-MNIST; batch 256, sgd lr 0.5, 5 epochs.
"""
import sys

from mxnet import gluon

import utils
from gluon_tutorials import cli


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
