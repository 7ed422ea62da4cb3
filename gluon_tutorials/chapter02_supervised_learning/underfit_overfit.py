"""Underfitting and overfitting: polynomial fits of a cubic with Gluon.

y = 1.2x - 3.4x^2 + 5.6x^3 + 5.0 + N(0, 0.1), 100 train and 100 test examples.
Dense(1), L2Loss, sgd lr 0.01, 100 epochs, batch min(10, n): a third-order fit
(normal), a linear fit (underfitting) and a third-order fit on 2 examples
(overfitting), with train and test loss per epoch drawn to a PNG.
"""
import sys

import mxnet as mx
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.linear_regression_gluon import (
    build_net, data_loader)

num_train = 100
num_test = 100
true_w = [1.2, -3.4, 5.6]
true_b = 5.0


def make_data(num_train=num_train, num_test=num_test):
    """x from N(0, 1), the features X = [x, x^2, x^3], and y from the cubic plus noise."""
    x = nd.random.normal(shape=(num_train + num_test, 1))
    X = nd.concat(x, nd.power(x, 2), nd.power(x, 3))
    y = true_w[0] * X[:, 0] + true_w[1] * X[:, 1] + true_w[2] * X[:, 2] + true_b
    y += .1 * nd.random.normal(shape=y.shape)
    return x, X, y


square_loss = gluon.loss.L2Loss()


def test(net, X, y):
    """Mean L2 loss of `net` on (X, y)."""
    return square_loss(net(X), y).mean().asscalar()


def train(X_train, X_test, y_train, y_test, epochs=100, learning_rate=.01, batch_size=10,
          weight_decay=0., ctx=mx.cpu()):
    """Fit a fresh Dense(1) with sgd; returns (net, train losses, test losses), one per epoch.

    The batch never exceeds the training set (the book's min(10, n)), so the
    two-example fit still takes whole steps. `weight_decay` is the Trainer's 'wd',
    the L2 penalty that reg_gluon turns on; the fits here leave it at 0.
    """
    batch_size = min(batch_size, y_train.shape[0])
    data_iter = data_loader(X_train, y_train, batch_size)
    X_train, X_test = X_train.as_in_context(ctx), X_test.as_in_context(ctx)
    y_train, y_test = y_train.as_in_context(ctx), y_test.as_in_context(ctx)
    net = build_net(ctx)
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': learning_rate, 'wd': weight_decay})
    train_loss, test_loss = [], []
    for e in range(epochs):
        for data, label in data_iter:
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                loss = square_loss(net(data), label)
            loss.backward()
            trainer.step(batch_size)
        train_loss.append(test(net, X_train, y_train))
        test_loss.append(test(net, X_test, y_test))
    return net, train_loss, test_loss


def learned_params(net):
    """The Dense layer's weights (a list) and bias (a float)."""
    dense = net[0]
    return dense.weight.data().reshape((-1,)).asnumpy().tolist(), dense.bias.data().asscalar()


def parser():
    p = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                           epochs=100, batch_size=10, lr=.01, ctx="cpu")
    p.add_argument("--num-train", type=cli.positive_int, default=num_train,
                   help="training examples of the normal and underfitting fits")
    p.add_argument("--num-test", type=cli.positive_int, default=num_test)
    p.add_argument("--few", type=cli.positive_int, default=2,
                   help="training examples of the overfitting fit")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.few > args.num_train:
        p.error(f"--few ({args.few}) cannot exceed --num-train ({args.num_train})")
    cli.seed_everything(args.seed)

    x, X, y = make_data(args.num_train, args.num_test)
    n = args.num_train
    fits = [  # (name, title, train features, test features, train labels)
        ("third_order", "third-order fit (normal)", X[:n], X[n:], y[:n]),
        ("linear", "linear fit (underfitting)", x[:n], x[n:], y[:n]),
        ("few_examples", f"third-order fit on {args.few} examples (overfitting)",
         X[:args.few], X[n:], y[:args.few]),
    ]
    results, panels = {}, []
    for name, title, X_train, X_test, y_train in fits:
        net, train_loss, test_loss = train(X_train, X_test, y_train, y[n:], args.epochs,
                                           args.lr, args.batch_size, ctx=args.ctx)
        w, b = learned_params(net)
        print("%s: train loss %f, test loss %f" % (title, train_loss[-1], test_loss[-1]))
        print("  learned weight", [round(v, 4) for v in w], "learned bias", round(b, 4))
        results[name] = {"w": w, "b": b, "train_loss": train_loss[-1], "test_loss": test_loss[-1]}
        panels.append((title, {"train": train_loss, "test": test_loss}))
    print("true weight", true_w, "true bias", true_b)
    utils.plot_loss_curves(panels, args.out / "losses.png")
    # The third-order fit is the one whose weights the book compares with the truth.
    return dict(results["third_order"], fits=results)


if __name__ == "__main__":
    sys.exit(cli.run(main))
