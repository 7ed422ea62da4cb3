"""AlexNet with Gluon on Fashion-MNIST resized to 224 x 224.

Conv 96@11x11 stride 4, conv 256@5x5, three convs 384, 384, 256 @3x3, overlapping
3x3 max-pools with stride 2, two dense layers of 4096 with dropout 0.5, dense 10;
Xavier init, batch 64, sgd lr 0.01, 1 epoch. An epoch at 224 x 224 is GPU work
(hours on two CPU cores): on a CPU add --subset N and a smaller --resize (>= 67).
"""
import argparse
import sys

from mxnet import gluon, image, init
from mxnet.gluon import nn

import utils
from gluon_tutorials import cli

BOOK_RESIZE = 224
# conv 11 stride 4 and three 3/2 max-pools: 67 x 67 is the smallest input that
# still leaves a 1 x 1 feature map before the dense layers
MIN_RESIZE = 67


def alexnet(num_outputs=10):
    """The book's (slightly simplified, single-stream) AlexNet."""
    net = nn.Sequential()
    with net.name_scope():
        # stage 1: a large kernel and stride to shrink the large image quickly
        net.add(nn.Conv2D(channels=96, kernel_size=11, strides=4, activation='relu'))
        net.add(nn.MaxPool2D(pool_size=3, strides=2))
        # stage 2: padding 2 keeps the size for the 5x5 kernel
        net.add(nn.Conv2D(channels=256, kernel_size=5, padding=2, activation='relu'))
        net.add(nn.MaxPool2D(pool_size=3, strides=2))
        # stage 3: three 3x3 convolutions, then the last pool
        net.add(nn.Conv2D(channels=384, kernel_size=3, padding=1, activation='relu'))
        net.add(nn.Conv2D(channels=384, kernel_size=3, padding=1, activation='relu'))
        net.add(nn.Conv2D(channels=256, kernel_size=3, padding=1, activation='relu'))
        net.add(nn.MaxPool2D(pool_size=3, strides=2))
        add_dense_layers(net, num_outputs)
    return net


def add_dense_layers(net, num_outputs):
    """AlexNet's top, which VGG reuses: two wide dense layers, each followed by dropout
    against their overfitting, then one output per class."""
    net.add(nn.Flatten())
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    net.add(nn.Dense(4096, activation="relu"))
    net.add(nn.Dropout(.5))
    net.add(nn.Dense(num_outputs))


def resize_transform(size):
    """The book's per-example transform: enlarge the 28 x 28 image to size x size with
    image.imresize, then utils.transform_mnist (CHW float32 in [0, 1])."""
    def transform(data, label):
        return utils.transform_mnist(image.imresize(data, size, size), label)
    return transform


def image_size(minimum):
    """An argparse type: an image side in pixels that the network can take."""
    def size(text):
        value = cli.positive_int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"the network needs images of at least {minimum}x{minimum}, got {value}")
        return value
    return size


def parse_args(argv, module, doc, lr, book_resize, min_resize):
    """The command line of this section and VGG's: the book's batch 64 and 1 epoch,
    --subset and --resize for quick CPU runs. Seeds, and says so when a run is smaller
    than the book's."""
    parser = cli.section_parser(module, doc, epochs=1, batch_size=64, lr=lr, subset=True,
                                hybridize=True)
    parser.add_argument("--resize", type=image_size(min_resize), default=book_resize,
                        help=f"image side in pixels (at least {min_resize})")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    announce(args, book_resize)
    return args


def announce(args, book_resize):
    """Say plainly when this run is smaller than the book's, whose numbers it will not match."""
    changes = []
    if args.subset:
        changes.append(f"the first {args.subset} train and {args.subset} test images "
                       f"(the book: all 60000 and 10000)")
    if args.resize != book_resize:
        changes.append(f"images resized to {args.resize}x{args.resize} "
                       f"(the book: {book_resize}x{book_resize})")
    if changes:
        print("Quick run on " + " and ".join(changes) + "; expect other accuracies than the book's.")


def fit(net, train_data, test_data, args):
    """The book's training: Xavier init on args.ctx, sgd at args.lr, utils.train for
    args.epochs (hybridized unless --no-hybridize). Draws a few test images with true/predicted labels to
    args.out/predictions.png and returns utils.train's metrics."""
    ctx = args.ctx
    net.initialize(ctx=ctx, init=init.Xavier())
    cli.hybridize(net, args)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': args.lr})
    print("Start training on", ctx)
    result = utils.train(train_data, test_data, net, loss, trainer, ctx, num_epochs=args.epochs)
    utils.show_predictions(net, test_data, ctx, args.out / "predictions.png", n=8)
    return result


def main(argv=None):
    args = parse_args(argv, cli.module_name(__name__, __spec__), __doc__, lr=.01,
                      book_resize=BOOK_RESIZE, min_resize=MIN_RESIZE)
    train_data, test_data = utils.load_data_fashion_mnist(
        args.batch_size, resize_transform(args.resize), subset=args.subset)
    return fit(alexnet(), train_data, test_data, args)


if __name__ == "__main__":
    sys.exit(cli.run(main))
