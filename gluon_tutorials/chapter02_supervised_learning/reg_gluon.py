"""Regularisation with Gluon: the Trainer's 'wd' (weight decay) is an L2 penalty.

The same high-dimensional data as reg_scratch (p = 200, 20 training and 100 test
examples). Dense(1), L2Loss, batch 1, sgd lr 0.005, 10 epochs; train(0) overfits,
train(5) sets wd=5 and lowers the test loss.
"""
import sys

import mxnet as mx

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning import underfit_overfit
from gluon_tutorials.chapter02_supervised_learning.reg_scratch import compare, make_data


def train(weight_decay, X_train, X_test, y_train, y_test, epochs=10, batch_size=1,
          learning_rate=.005, ctx=mx.cpu()):
    """A fresh Dense(1) trained by sgd with {'learning_rate': ..., 'wd': weight_decay}:
    each step also shrinks every weight by lr * wd * weight, the gradient of
    wd/2 * ||w||^2. Returns (net, train losses, test losses), one per epoch."""
    return underfit_overfit.train(X_train, X_test, y_train, y_test, epochs, learning_rate,
                                  batch_size, weight_decay, ctx)


def parser():
    p = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                           epochs=10, batch_size=1, lr=.005, ctx="cpu")
    p.add_argument("--wd", type=cli.positive_float, default=5.,
                   help="weight decay of the regularised run (the first run uses 0)")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    cli.seed_everything(args.seed)

    data = make_data()

    def fit(wd):
        net, train_loss, test_loss = train(wd, *data, args.epochs, args.batch_size, args.lr,
                                           ctx=args.ctx)
        return (*underfit_overfit.learned_params(net), train_loss, test_loss)

    return compare("wd", (0, args.wd), fit, args.out / "losses.png")


if __name__ == "__main__":
    sys.exit(cli.run(main))
