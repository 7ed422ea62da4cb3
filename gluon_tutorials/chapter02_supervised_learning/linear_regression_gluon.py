"""Linear regression with Gluon: ArrayDataset, DataLoader, nn.Dense, L2Loss, Trainer.

The same data as the scratch section; batch 10, sgd lr 0.1, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import autograd, gluon, nd

from gluon_tutorials import cli
from gluon_tutorials.chapter02_supervised_learning.linear_regression_scratch import (
    make_data, num_examples, true_b, true_w)


def data_loader(X, y, batch_size):
    dataset = gluon.data.ArrayDataset(X, y)
    return gluon.data.DataLoader(dataset, batch_size, shuffle=True)


def build_net(ctx=mx.cpu()):
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(1))
    net.initialize(ctx=ctx)
    return net


def train(net, data_iter, num_examples, epochs=5, batch_size=10, learning_rate=.1,
          ctx=mx.cpu(), log=print):
    """The book's loop; returns the average loss of each epoch."""
    square_loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': learning_rate})
    losses = []
    for e in range(epochs):
        total_loss = 0
        for data, label in data_iter:
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = square_loss(output, label)
            loss.backward()
            trainer.step(batch_size)
            total_loss += nd.sum(loss).asscalar()
        losses.append(total_loss / num_examples)
        log("Epoch %d, average loss: %f" % (e, losses[-1]))
    return losses


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=10, lr=.1, ctx="cpu")
    parser.add_argument("--num-examples", type=cli.positive_int, default=num_examples)
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    X, y = make_data(args.num_examples)
    net = build_net(ctx=args.ctx)
    losses = train(net, data_loader(X, y, args.batch_size), len(X), args.epochs,
                   args.batch_size, args.lr, ctx=args.ctx)
    dense = net[0]
    learned_w = dense.weight.data().reshape((-1,)).asnumpy().tolist()
    learned_b = dense.bias.data().asscalar()
    print("true_w", true_w, "learned w", [round(v, 4) for v in learned_w])
    print("true_b", true_b, "learned b", round(learned_b, 4))
    return {"w": learned_w, "b": learned_b, "loss": losses[-1], "losses": losses}


if __name__ == "__main__":
    sys.exit(cli.run(main))
