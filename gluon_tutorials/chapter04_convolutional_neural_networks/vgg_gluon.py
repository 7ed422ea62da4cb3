"""VGG with Gluon: networks built from repeated blocks, on Fashion-MNIST resized to 96 x 96.

vgg_block(num_convs, channels): 3x3 convolutions then a 2x2 max-pool; vgg_stack
chains blocks. VGG-11 ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)) plus AlexNet's
dense layers; Xavier init, batch 64, sgd lr 0.05, 1 epoch, trained as AlexNet is.
An epoch at 96 x 96 is GPU work: on a CPU add --subset N and a smaller --resize (>= 32).
"""
import sys

from mxnet.gluon import nn

import utils
from gluon_tutorials import cli
from gluon_tutorials.chapter04_convolutional_neural_networks.alexnet_gluon import (
    add_dense_layers, fit, parse_args)

BOOK_RESIZE = 96
# five 2x2 pools halve the side five times: 32 x 32 leaves 1 x 1
MIN_RESIZE = 32
architecture = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg_block(num_convs, channels):
    """num_convs 3x3 convolutions (padding 1 keeps the size), then a pool that halves it."""
    out = nn.Sequential()
    for _ in range(num_convs):
        out.add(nn.Conv2D(channels=channels, kernel_size=3, padding=1, activation='relu'))
    out.add(nn.MaxPool2D(pool_size=2, strides=2))
    return out


def vgg_stack(architecture):
    """One vgg_block per (num_convs, channels) pair."""
    out = nn.Sequential()
    for (num_convs, channels) in architecture:
        out.add(vgg_block(num_convs, channels))
    return out


def vgg(architecture=architecture, num_outputs=10):
    """VGG-11 by default: 8 convolutions and AlexNet's three dense layers."""
    net = nn.Sequential()
    # inside the outer name scope every parameter name starts with this net's prefix
    with net.name_scope():
        net.add(vgg_stack(architecture))
        add_dense_layers(net, num_outputs)
    return net


def main(argv=None):
    args = parse_args(argv, cli.module_name(__name__, __spec__), __doc__, lr=.05,
                      book_resize=BOOK_RESIZE, min_resize=MIN_RESIZE)
    train_data, test_data = utils.load_data_fashion_mnist(
        args.batch_size, resize=args.resize, subset=args.subset)
    return fit(vgg(), train_data, test_data, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
