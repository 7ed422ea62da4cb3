"""Regularisation from scratch: an L2 penalty against overfitting.

High-dimensional linear regression with few examples: p = 200 inputs,
20 training and 100 test examples, y = 0.05 + sum_i 0.01 x_i + N(0, 0.01).
Batch 1, SGD lr 0.002, 10 epochs; train(0) overfits, train(2) adds
lambda * ((w**2).sum() + b**2) to the loss and lowers the test loss.
"""
import sys

import mxnet as mx
from mxnet import autograd, nd

import utils
from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.linear_regression_scratch import (
    data_iter, net, square_loss)

num_train = 20
num_test = 100
num_inputs = 200
true_w = [0.01] * num_inputs
true_b = 0.05


def make_data():
    """(X_train, X_test, y_train, y_test): N(0, 1) features, labels from the true model
    plus N(0, 0.01) noise. The book's code leaves true_b out of y although its formula
    has it; here y follows the formula."""
    X = nd.random.normal(shape=(num_train + num_test, num_inputs))
    y = nd.dot(X, nd.array(true_w).reshape((-1, 1))) + true_b
    y += .01 * nd.random.normal(shape=y.shape)
    return X[:num_train], X[num_train:], y[:num_train], y[num_train:]


def get_params(ctx=mx.cpu()):
    w = nd.random.normal(shape=(num_inputs, 1), ctx=ctx) * 0.1
    b = nd.zeros((1,), ctx=ctx)
    for param in (w, b):
        param.attach_grad()
    return [w, b]


def L2_penalty(w, b):
    # The bias is penalised too; whether it is makes little difference here.
    return (w ** 2).sum() + b ** 2


def test(params, X, y):
    """Mean squared error of the unpenalised model: the penalty only shapes training."""
    return square_loss(net(X, *params), y).mean().asscalar()


def train(lambd, X_train, X_test, y_train, y_test, epochs=10, batch_size=1,
          learning_rate=.002, ctx=mx.cpu()):
    """Fresh parameters trained with loss + lambd * L2_penalty; returns
    (params, train losses, test losses), one loss per epoch."""
    X_train, X_test = X_train.as_in_context(ctx), X_test.as_in_context(ctx)
    y_train, y_test = y_train.as_in_context(ctx), y_test.as_in_context(ctx)
    params = get_params(ctx)
    train_loss, test_loss = [], []
    for e in range(epochs):
        for data, label in data_iter(batch_size, X_train, y_train):
            with autograd.record():
                output = net(data, *params)
                loss = square_loss(output, label) + lambd * L2_penalty(*params)
            loss.backward()
            utils.SGD(params, learning_rate)
        train_loss.append(test(params, X_train, y_train))
        test_loss.append(test(params, X_test, y_test))
    return params, train_loss, test_loss


def compare(name, strengths, fit, path, log=print):
    """Fit once per regularisation strength, print each run's final losses and learned
    parameters, draw the loss curves to `path`, and return the metrics dict: the last
    (regularised) run's numbers, and the first run's losses under *_no_reg keys.

    `fit(strength)` returns (w as a list, b, train losses, test losses)."""
    runs, panels = [], []
    for strength in strengths:
        w, b, train_loss, test_loss = fit(strength)
        log("%s=%g: train loss %f, test loss %f" % (name, strength, train_loss[-1], test_loss[-1]))
        log("  learned w[:10]: %s" % [round(v, 4) for v in w[:10]])
        log("  learned b: %f" % b)
        runs.append({"train_loss": train_loss[-1], "test_loss": test_loss[-1],
                     "w": w[:10], "b": b})
        panels.append((f"{name} = {strength:g}", {"train": train_loss, "test": test_loss}))
    utils.plot_loss_curves(panels, path)
    return dict(runs[-1], train_loss_no_reg=runs[0]["train_loss"],
                test_loss_no_reg=runs[0]["test_loss"])


def parser():
    p = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                           epochs=10, batch_size=1, lr=.002, ctx="cpu")
    p.add_argument("--lambd", type=cli.positive_float, default=2.,
                   help="L2 penalty weight of the regularised run (the first run uses 0)")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    cli.seed_everything(args.seed)

    data = make_data()

    def fit(lambd):
        (w, b), train_loss, test_loss = train(lambd, *data, args.epochs, args.batch_size,
                                              args.lr, ctx=args.ctx)
        return w.reshape((-1,)).asnumpy().tolist(), b.asscalar(), train_loss, test_loss

    return compare("lambda", (0, args.lambd), fit, args.out / "losses.png")


if __name__ == "__main__":
    sys.exit(cli.run(main))
