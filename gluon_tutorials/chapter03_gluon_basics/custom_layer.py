"""Custom layers: a layer without parameters (CenteredLayer), Parameter and
ParameterDict, and a Dense layer of our own (MyDense) built on self.params.
"""
import sys

import mxnet as mx
from mxnet import autograd, gluon, nd
from mxnet.gluon import nn

from gluon_tutorials import cli


class CenteredLayer(nn.Block):
    """Subtracts the mean of its input: no parameters, only a forward."""

    def __init__(self, **kwargs):
        super(CenteredLayer, self).__init__(**kwargs)

    def forward(self, x):
        return x - x.mean()


def centered_net():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(128))
        net.add(nn.Dense(10))
        net.add(CenteredLayer())
    return net


class MyDense(nn.Block):
    """relu(x . weight + bias), with weight (in_units, units) and bias (units,).

    Parameters come from self.params.get, so they carry the block's prefix and
    show up in collect_params() like those of a built-in layer.
    """

    def __init__(self, units, in_units, **kwargs):
        super(MyDense, self).__init__(**kwargs)
        with self.name_scope():
            self.weight = self.params.get('weight', shape=(in_units, units))
            self.bias = self.params.get('bias', shape=(units,))

    def forward(self, x):
        # data(x.context): the copy on the input's device, should there be several.
        linear = nd.dot(x, self.weight.data(x.context)) + self.bias.data(x.context)
        return nd.relu(linear)


def my_dense_net():
    net = nn.Sequential()
    with net.name_scope():
        net.add(MyDense(32, in_units=64))
        net.add(MyDense(2, in_units=32))
    return net


def train_one_step(net, x, y, learning_rate=0.1):
    """One SGD step on the L2 loss; returns each parameter's values before the step."""
    before = {name: p.data().copy() for name, p in net.collect_params().items()}
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': learning_rate})
    with autograd.record():
        loss = gluon.loss.L2Loss()(net(x), y)
    loss.backward()
    trainer.step(x.shape[0])
    return before


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    ctx = args.ctx

    # A fresh name counter keeps the printed names as the book's.
    with mx.name.NameManager():
        layer = CenteredLayer()
        centered = layer(nd.array([1, 2, 3, 4, 5], ctx=ctx))
        print(centered)

        net = centered_net()
        net.initialize(ctx=ctx)
        y = net(nd.random.uniform(shape=(4, 8), ctx=ctx))
        print(y)
        # Not exactly 0: float32 rounding leaves a tiny residue.
        print(y.mean())

        my_param = gluon.Parameter("exciting_parameter_yay", shape=(3, 3))
        my_param.initialize(ctx=ctx)
        print((my_param.data(), my_param.grad()))

        pd = gluon.ParameterDict(prefix="block1_")
        pd.get("exciting_parameter_yay", shape=(3, 3))
        print(pd)

        dense = MyDense(5, in_units=10, prefix='o_my_dense_')
        print(dense.params)
        dense.initialize(ctx=ctx)
        print(dense(nd.random.uniform(shape=(2, 10), ctx=ctx)))

        net = my_dense_net()
        net.initialize(ctx=ctx)
        print(net(nd.random.uniform(shape=(2, 64), ctx=ctx)))

        # Not in the book: MyDense trains like a built-in layer. A linear Dense on
        # top keeps gradients flowing (a relu output near 0 would pass none back).
        trained = nn.Sequential()
        with trained.name_scope():
            trained.add(MyDense(32, in_units=64))
            trained.add(nn.Dense(2, in_units=32))
        trained.initialize(ctx=ctx)
        before = train_one_step(trained, nd.random.uniform(shape=(4, 64), ctx=ctx),
                                nd.ones((4, 2), ctx=ctx))
        changed = {name: bool((p.data() != before[name]).asnumpy().any())
                   for name, p in trained.collect_params().items()}
        for name, moved in changed.items():
            print(name, 'changed after one step' if moved else 'unchanged')

    return {"centered": centered.asnumpy().tolist(),
            "centered_net_mean": y.mean().asscalar(),
            "my_dense_params": list(dense.params.keys()), "changed_after_step": changed}


if __name__ == "__main__":
    sys.exit(cli.run(main))
