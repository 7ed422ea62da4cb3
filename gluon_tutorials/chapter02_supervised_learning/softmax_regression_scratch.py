"""Softmax regression from scratch: Fashion-MNIST, softmax, cross-entropy and accuracy by hand.

W (784x10) and b from N(0, 1); batch 256, SGD with lr 0.1 / batch size, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import gluon, nd

import utils
from gluon_tutorials import cli
# The book writes accuracy and evaluate_accuracy in this section and keeps them in
# utils.py for later sections; they live there once, and are named here.
from utils import accuracy, evaluate_accuracy  # noqa: F401

num_inputs = 784
num_outputs = 10


def transform(data, label):
    """The book's transform: pixels to float32 in [0, 1], kept HWC; labels to float32."""
    return data.astype('float32') / 255, label.astype('float32')


def load_data(batch_size, root=None, subset=None):
    """The datasets and their DataLoaders, built per example as the book does;
    `subset` keeps the first N examples of each for a quick run."""
    mnist_train = utils.FashionMNIST(train=True, transform=transform, root=root)
    mnist_test = utils.FashionMNIST(train=False, transform=transform, root=root)
    train_data = gluon.data.DataLoader(mnist_train.take(subset), batch_size, shuffle=True)
    test_data = gluon.data.DataLoader(mnist_test.take(subset), batch_size, shuffle=False)
    return mnist_train, mnist_test, train_data, test_data


def init_params(ctx=mx.cpu()):
    W = nd.random_normal(shape=(num_inputs, num_outputs), ctx=ctx)
    b = nd.random_normal(shape=num_outputs, ctx=ctx)
    for param in (W, b):
        param.attach_grad()
    return [W, b]


def softmax(X):
    """Row-wise exp(x) / sum(exp(x)): non-negative rows that sum to 1. Like the book it
    does not subtract the row maximum first, so very large inputs overflow."""
    exp = nd.exp(X)
    partition = exp.sum(axis=1, keepdims=True)
    return exp / partition


def net(X, params):
    W, b = params
    return softmax(nd.dot(X.reshape((-1, num_inputs)), W) + b)


def cross_entropy(yhat, y):
    """-log of the probability given to the true class, picked out by the label."""
    return - nd.pick(nd.log(yhat), y)


def parse_args(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.1, subset=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli.seed_everything(args.seed)

    mnist_train, mnist_test, train_data, test_data = load_data(args.batch_size, subset=args.subset)
    utils.say_subset(args.subset)
    data, label = mnist_train[0]
    print('example shape: ', data.shape, 'label:', label)
    data, label = mnist_train[0:9]
    utils.show_images(data.reshape((-1, 28, 28)), utils.get_text_labels(label),
                      args.out / "train_images.png", ncols=9)
    print(utils.get_text_labels(label))

    params = init_params(ctx=args.ctx)

    def model(X):
        return net(X, params)

    # A random model should be right about 1 time in num_outputs.
    print('test acc before training: %f' % evaluate_accuracy(test_data, model, args.ctx))
    result = utils.train(train_data, test_data, model, cross_entropy, None, args.ctx,
                         args.epochs, args.batch_size, params=params, lr=args.lr)

    data, label = mnist_test[0:9]
    predicted = model(data.as_in_context(args.ctx)).argmax(axis=1)
    print('true labels')
    print(utils.get_text_labels(label))
    print('predicted labels')
    print(utils.get_text_labels(predicted.asnumpy()))
    # One channel, so HWC and CHW hold the same pixels in the same order.
    utils.show_predictions(model, [(data.reshape((-1, 1, 28, 28)), nd.array(label))],
                           args.ctx, args.out / "predictions.png")
    return result


if __name__ == "__main__":
    sys.exit(cli.run(main))
