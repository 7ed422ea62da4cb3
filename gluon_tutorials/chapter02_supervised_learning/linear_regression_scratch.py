"""Linear regression from scratch: NDArray, autograd and hand-written SGD.

y = 2 * x0 - 3.4 * x1 + 4.2 + noise, 1000 examples; batch 10, lr 0.001, 5 epochs.
"""
import random
import sys

import mxnet as mx
from mxnet import autograd, nd

import utils
from gluon_tutorials import cli, plotting

num_inputs = 2
num_examples = 1000
true_w = [2, -3.4]
true_b = 4.2


def make_data(num_examples=num_examples, ctx=mx.cpu()):
    """Features from N(0, 1) and labels from the true model plus N(0, 0.01) noise."""
    X = nd.random_normal(shape=(num_examples, num_inputs), ctx=ctx)
    y = true_w[0] * X[:, 0] + true_w[1] * X[:, 1] + true_b
    y += .01 * nd.random_normal(shape=y.shape, ctx=ctx)
    return X, y


def data_iter(batch_size, X, y):
    """Random mini-batches, picked with nd.take from a shuffled index."""
    n = len(X)
    idx = list(range(n))
    random.shuffle(idx)
    for i in range(0, n, batch_size):
        j = nd.array(idx[i:min(i + batch_size, n)], ctx=X.context)
        yield nd.take(X, j), nd.take(y, j)


def init_params(ctx=mx.cpu()):
    w = nd.random_normal(shape=(num_inputs, 1), ctx=ctx)
    b = nd.zeros((1,), ctx=ctx)
    for param in (w, b):
        param.attach_grad()
    return [w, b]


def net(X, w, b):
    return nd.dot(X, w) + b


def square_loss(yhat, y):
    # reshape y to yhat's (n, 1) so the subtraction does not broadcast to (n, n)
    return (yhat - y.reshape(yhat.shape)) ** 2


def train(X, y, params, epochs=5, batch_size=10, learning_rate=.001, log=print):
    """The book's loop; returns the average loss of each epoch."""
    w, b = params
    losses = []
    for e in range(epochs):
        total_loss = 0
        for data, label in data_iter(batch_size, X, y):
            with autograd.record():
                output = net(data, w, b)
                loss = square_loss(output, label)
            loss.backward()
            utils.SGD(params, learning_rate)
            total_loss += nd.sum(loss).asscalar()
        losses.append(total_loss / len(X))
        log("Epoch %d, average loss: %f" % (e, losses[-1]))
    return losses


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=10, lr=.001, ctx="cpu")
    parser.add_argument("--num-examples", type=cli.positive_int, default=num_examples)
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    X, y = make_data(args.num_examples, ctx=args.ctx)
    fig, axes = plotting.subplots(1, 1, figsize=(4, 3))
    axes[0, 0].scatter(X[:, 1].asnumpy(), y.asnumpy(), s=2)
    axes[0, 0].set_xlabel("x[1]")
    axes[0, 0].set_ylabel("y")
    plotting.save(fig, args.out / "data.png")

    params = init_params(ctx=args.ctx)
    losses = train(X, y, params, args.epochs, args.batch_size, args.lr)
    w, b = params
    learned_w = w.reshape((-1,)).asnumpy().tolist()
    learned_b = b.asscalar()
    print("true_w", true_w, "learned w", [round(v, 4) for v in learned_w])
    print("true_b", true_b, "learned b", round(learned_b, 4))
    return {"w": learned_w, "b": learned_b, "loss": losses[-1], "losses": losses}


if __name__ == "__main__":
    sys.exit(cli.run(main))
