"""Model parameters: accessing them, initialising them (built-in and custom
initialisers), deferred initialisation, and sharing parameters between layers.

A two-layer MLP (Dense(4, relu), Dense(2)) on a 3x5 batch from U(0, 1), as in the book.
"""
import sys

import mxnet as mx
from mxnet import autograd, init, nd
from mxnet.gluon import nn

from gluon_tutorials import cli


def get_net():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"))
        net.add(nn.Dense(2))
    return net


class MyInit(init.Initializer):
    """The book's initialiser: weights from U(5, 10), announcing each call.

    `calls` keeps (parameter name, shape) of every call so a caller can check them.
    The book also gave it an `_init_bias` setting 2, with a "FIXME: init_bias
    doesn't work": Gluon hands every parameter to `_init_weight` of the
    initialiser that applies to it, and a Dense layer's bias brings its own
    ('zeros'), which wins over the one given to initialize(). So biases stay 0.
    """

    def __init__(self):
        super(MyInit, self).__init__()
        self._verbose = True
        self.calls = []

    def _init_weight(self, name, arr):
        print('init weight', arr.shape)
        self.calls.append((str(name), arr.shape))
        # out=arr fills the parameter in place: no need to know its shape here.
        nd.random.uniform(low=5, high=10, out=arr)


def uninitialized_error(x):
    """The message MXNet gives when a net runs before initialize()."""
    net = get_net()
    print(net)
    try:
        net(x)
    except RuntimeError as err:
        sys.stdout.flush()  # keep the book's order when both streams share a pipe
        sys.stderr.write(str(err) + "\n")
        return str(err)
    raise AssertionError("an uninitialised net ran without error")


def fixed_input_net():
    """in_units given: shapes are known at once, so initialize() need not wait for data."""
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(4, in_units=5, activation="relu"))
        net.add(nn.Dense(2, in_units=4))
    return net


def shared_net():
    """The second layer takes the first one's parameters instead of making its own."""
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(4, in_units=4, activation="relu"))
        net.add(nn.Dense(4, in_units=4, activation="relu", params=net[-1].params))
        net.add(nn.Dense(2, in_units=4))
    return net


def unshared_copy(net):
    """shared_net's architecture with separate parameters holding the same values."""
    copy = nn.Sequential()
    with copy.name_scope():
        copy.add(nn.Dense(4, in_units=4, activation="relu"))
        copy.add(nn.Dense(4, in_units=4, activation="relu"))
        copy.add(nn.Dense(2, in_units=4))
    ctx = net[0].weight.list_ctx()
    copy.initialize(ctx=ctx)
    for src, dst in zip(net, copy):
        dst.weight.set_data(src.weight.data())
        dst.bias.set_data(src.bias.data())
    return copy


def weight_grads(net, x):
    """Each layer's weight gradient after one backward pass of net(x).sum()."""
    with autograd.record():
        y = net(x).sum()
    y.backward()
    return [layer.weight.grad().copy() for layer in net]


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    ctx = args.ctx
    x = nd.random.uniform(shape=(3, 5), ctx=ctx)

    # A fresh name counter keeps the names as the book prints them (sequential0_...).
    with mx.name.NameManager():
        error = uninitialized_error(x)

        net = get_net()
        net.initialize(ctx=ctx)
        print(net)
        print(net(x))

        # Accessing parameters
        w = net[0].weight
        b = net[0].bias
        print('name: ', net[0].name, '\nweight: ', w, '\nbias: ', b)
        print('weight:', w.data())
        print('weight gradient', w.grad())
        print('bias:', b.data())
        print('bias gradient', b.grad())

        params = net.collect_params()
        print(params)
        print(params[net.prefix + 'dense0_bias'].data())
        # get() adds the dict's prefix itself.
        print(params.get('dense0_weight').data())

        # Other initialisers; a second initialisation needs force_reinit=True.
        params.initialize(init=init.Normal(sigma=0.02), force_reinit=True)
        print(net[0].weight.data(), net[0].bias.data())
        params.initialize(init=init.One(), force_reinit=True)
        print(net[0].weight.data(), net[0].bias.data())
        ones = bool((net[0].weight.data() == 1).asnumpy().all())
        my_init = MyInit()
        params.initialize(init=my_init, force_reinit=True)
        print(net[0].weight.data(), net[0].bias.data())

        # Deferred initialisation: the input size, and so the weight shapes, are
        # unknown (0) until the first forward pass.
        net = get_net()
        print(net.collect_params())
        deferred_init = MyInit()
        net.initialize(init=deferred_init, ctx=ctx)
        calls_before_data = len(deferred_init.calls)
        net(x)
        print(net.collect_params())

        # Giving in_units avoids the wait: MyInit runs during initialize().
        net = fixed_input_net()
        net.initialize(MyInit(), ctx=ctx)

        # Sharing parameters
        net = shared_net()
        net.initialize(MyInit(), ctx=ctx)
        print(net[0].weight.data())
        print(net[1].weight.data())
        shared = net[0].weight is net[1].weight

        # Not in the book (its exercise 3): a shared weight's gradient is the sum
        # of what its two uses contribute.
        x4 = nd.random.uniform(shape=(3, 4), ctx=ctx)
        separate = weight_grads(unshared_copy(net), x4)
        summed = nd.abs(weight_grads(net, x4)[0] - (separate[0] + separate[1])).max().asscalar()
        print('shared weight gradient - sum of the two layers\' gradients, max |diff|:', summed)

    return {"uninitialized_error": error, "ones": ones,
            "custom_init_calls": [shape for _, shape in my_init.calls],
            "deferred_calls_before_data": calls_before_data,
            "deferred_init_calls": [shape for _, shape in deferred_init.calls],
            "shared": shared, "shared_grad_max_diff": summed}


if __name__ == "__main__":
    sys.exit(cli.run(main))
