"""Building networks from nn.Block: name_scope and prefixes, a Sequential of our own,
a Block with free-form forward (FancyMLP), and Blocks nested in Sequentials (RecMLP).

Input: a 4x20 batch from U(0, 1), as in the book.
"""
import sys

import mxnet as mx
from mxnet import nd
from mxnet.gluon import nn

from gluon_tutorials import cli


def sequential_mlp():
    """The MLP of the Gluon MLP section (without Flatten), as an nn.Sequential."""
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(256, activation="relu"))
        net.add(nn.Dense(10))
    return net


class MLP(nn.Block):
    """The same MLP as a Block: layers made in __init__, the computation in forward."""

    def __init__(self, **kwargs):
        super(MLP, self).__init__(**kwargs)
        # Layers made inside name_scope get this block's prefix: mlp0_dense0, ...
        with self.name_scope():
            self.dense0 = nn.Dense(256)
            self.dense1 = nn.Dense(10)

    def forward(self, x):
        return self.dense1(nd.relu(self.dense0(x)))


class Sequential(nn.Block):
    """A minimal nn.Sequential: `add` registers children, `forward` runs them in order.

    The book appended to `self._children`, a list in 2017; MXNet 1.9.1 keeps
    children in an OrderedDict filled by `register_child`, so we use that.
    """

    def __init__(self, **kwargs):
        super(Sequential, self).__init__(**kwargs)

    def add(self, block):
        self.register_child(block)

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x


class FancyMLP(nn.Block):
    """A constant (untrained) weight and one Dense layer used twice in forward."""

    def __init__(self, ctx=mx.cpu(), **kwargs):
        super(FancyMLP, self).__init__(**kwargs)
        with self.name_scope():
            self.dense = nn.Dense(256)
            # A plain NDArray is no Parameter: initialize() and trainers ignore it,
            # so it is made on the device the net will run on.
            self.weight = nd.random_uniform(shape=(256, 20), ctx=ctx)

    def forward(self, x):
        x = nd.relu(self.dense(x))
        x = nd.relu(nd.dot(x, self.weight) + 1)
        # The same layer again: its 20-input weight is applied to a 20-wide x.
        x = nd.relu(self.dense(x))
        return x


class RecMLP(nn.Block):
    """A Block holding a Sequential and a Dense: Blocks nest to any depth."""

    def __init__(self, **kwargs):
        super(RecMLP, self).__init__(**kwargs)
        self.net = nn.Sequential()
        with self.name_scope():
            self.net.add(nn.Dense(256, activation="relu"))
            self.net.add(nn.Dense(128, activation="relu"))
            self.dense = nn.Dense(64)

    def forward(self, x):
        return nd.relu(self.dense(self.net(x)))


def rec_mlp():
    net = nn.Sequential()
    net.add(RecMLP())
    net.add(nn.Dense(10))
    return net


def copy_params(src, dst):
    """Give `dst` the values of `src`'s parameters, matched in creation order."""
    src_params = list(src.collect_params().values())
    dst_params = list(dst.collect_params().values())
    if [p.shape for p in src_params] != [p.shape for p in dst_params]:
        raise ValueError("copy_params: the two nets' parameter shapes differ")
    for s, d in zip(src_params, dst_params):
        d.set_data(s.data())


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    ctx = args.ctx

    # A fresh name counter, so the names are the book's (mlp0_...) however many
    # blocks this process made before.
    with mx.name.NameManager():
        net = sequential_mlp()
        print(net)

        net2 = MLP()
        print(net2)
        net2.initialize(ctx=ctx)
        x = nd.random.uniform(shape=(4, 20), ctx=ctx)
        y = net2(x)
        print(y)

        print('default prefix:', net2.dense0.name)
        net3 = MLP(prefix='another_mlp_')
        print('customized prefix:', net3.dense0.name)

        net4 = Sequential()
        with net4.name_scope():
            net4.add(nn.Dense(256, activation="relu"))
            net4.add(nn.Dense(10))
        net4.initialize(ctx=ctx)
        y4 = net4(x)
        print(y4)

        # Not in the book: the Block MLP and the Sequential compute the same
        # function, which shows once they share weights.
        net.initialize(ctx=ctx)
        net(x)
        copy_params(net2, net)
        same = bool((net(x) == y).asnumpy().all())
        print('MLP (Block) and nn.Sequential with the same weights agree:', same)

        fancy_mlp = FancyMLP(ctx=ctx)
        fancy_mlp.initialize(ctx=ctx)
        y_fancy = fancy_mlp(x)
        print(y_fancy.shape)

        rec = rec_mlp()
        print(rec)

    return {"default_prefix": net2.dense0.name, "custom_prefix": net3.dense0.name,
            "mlp_output_shape": y.shape, "sequential_output_shape": y4.shape,
            "block_equals_sequential": same, "fancy_output_shape": y_fancy.shape,
            "rec_mlp": str(rec)}


if __name__ == "__main__":
    sys.exit(cli.run(main))
