# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 初始化模型参数 (Parameters)
#
# Book section 4.2. A small MLP (`Dense(4, relu)`, `Dense(2)`) on a 3x5 batch: reading its
# parameters and their gradients, re-initialising them with built-in and home-made
# initialisers, how Gluon waits for data before it fixes the shapes, and two layers that
# share one set of parameters.

# %% tags=["parameters"]
ctx = "cpu"   # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1      # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %%
from mxnet.gluon import nn
from mxnet import nd


def get_net():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(4, activation="relu"))
        net.add(nn.Dense(2))
    return net


x = nd.random.uniform(shape=(3, 5), ctx=ctx)

# %% [markdown]
# A net that runs before `initialize()` stops with MXNet's message (on stderr).

# %%
import sys

try:
    net = get_net()
    net(x)
except RuntimeError as err:
    sys.stdout.flush()  # keep the order when stdout and stderr share one pipe
    sys.stderr.write(str(err) + "\n")
    uninitialized_error = str(err)

# %%
net.initialize(ctx=ctx)
print(net(x))

# %% [markdown]
# ## Accessing the parameters
# Each `Dense` holds a `weight` and a `bias` `Parameter`; `data()` and `grad()` give their
# values and gradients (all zero: nothing has been differentiated yet).

# %%
w = net[0].weight
b = net[0].bias
print('name: ', net[0].name, '\nweight: ', w, '\nbias: ', b)

# %%
print('weight:', w.data())
print('weight gradient', w.grad())
print('bias:', b.data())
print('bias gradient', b.grad())

# %% [markdown]
# `collect_params()` gathers the parameters of the block and all its children, keyed by
# full name; `get()` adds the prefix itself. The book indexed `'sequential0_dense0_bias'`,
# which is `net.prefix + 'dense0_bias'` in a fresh kernel; the prefix keeps it right in any.

# %%
params = net.collect_params()
print(params)
print(params[net.prefix + 'dense0_bias'].data())
print(params.get('dense0_weight').data())

# %% [markdown]
# ## Other initialisers
# A second initialisation needs `force_reinit=True`. Note the biases: `Dense` gives its bias
# its own initialiser (zeros), which wins over the one passed here.

# %%
from mxnet import init

params.initialize(init=init.Normal(sigma=0.02), force_reinit=True)
print(net[0].weight.data(), net[0].bias.data())

# %%
params.initialize(init=init.One(), force_reinit=True)
print(net[0].weight.data(), net[0].bias.data())
ones = bool((net[0].weight.data() == 1).asnumpy().all())


# %% [markdown]
# A home-made initialiser: weights from U(5, 10), announcing each call. It only prints for
# the two weights. The book noticed its `_init_bias` never ran (a FIXME); on MXNet 1.9.1 it
# still does not: Gluon hands every parameter to `_init_weight` of the initialiser that
# applies to it, and for a `Dense` bias that is the bias's own zeros initialiser, so the
# biases stay 0. `calls` (not in the book) keeps the shapes it saw.

# %%
class MyInit(init.Initializer):
    def __init__(self):
        super(MyInit, self).__init__()
        self.verbose = True
        self.calls = []

    def _init_weight(self, _, arr):
        # out=arr fills the parameter in place, whatever its shape
        print('init weight', arr.shape)
        self.calls.append(arr.shape)
        nd.random.uniform(low=5, high=10, out=arr)

    def _init_bias(self, _, arr):
        print('init bias', arr.shape)
        arr[:] = 2


my_init = MyInit()
params.initialize(init=my_init, force_reinit=True)
print(net[0].weight.data(), net[0].bias.data())
custom_init_calls = my_init.calls

# %% [markdown]
# ## Deferred initialisation
# A new net does not know its input size, so the weights' shapes hold a 0. `initialize()`
# only takes note; `MyInit` prints nothing until the first batch fixes the shapes.

# %%
net = get_net()
print(net.collect_params())

# %%
deferred_init = MyInit()
net.initialize(init=deferred_init, ctx=ctx)
calls_before_data = len(deferred_init.calls)

# %%
print(net(x))
deferred_init_calls = deferred_init.calls

# %%
print(net.collect_params())

# %% [markdown]
# Giving `in_units` makes the shapes known up front, so the initialiser runs at once.

# %%
net = nn.Sequential()
with net.name_scope():
    net.add(nn.Dense(4, in_units=5, activation="relu"))
    net.add(nn.Dense(2, in_units=4))

net.initialize(MyInit(), ctx=ctx)

# %% [markdown]
# ## Sharing parameters
# The second layer is given the first one's `params` instead of making its own, so the two
# print the same weight and `MyInit` runs only twice.

# %%
net = nn.Sequential()
with net.name_scope():
    net.add(nn.Dense(4, in_units=4, activation="relu"))
    net.add(nn.Dense(4, in_units=4, activation="relu", params=net[-1].params))
    net.add(nn.Dense(2, in_units=4))

# %%
net.initialize(MyInit(), ctx=ctx)
print(net[0].weight.data())
print(net[1].weight.data())
shared = net[0].weight is net[1].weight

# %% [markdown]
# The book's exercise 3, answered (not in the book): a copy of the net with separate layers
# holding the same values computes the same output, and the shared weight's gradient is the
# sum of the gradients of its two uses in the copy. Exercise 2 is yours: give each layer its
# own initialiser (`nn.Dense(..., weight_initializer=init.Normal())`).

# %%
from mxnet import autograd

separate = nn.Sequential()
with separate.name_scope():
    separate.add(nn.Dense(4, in_units=4, activation="relu"))
    separate.add(nn.Dense(4, in_units=4, activation="relu"))
    separate.add(nn.Dense(2, in_units=4))
separate.initialize(ctx=ctx)
for source, target in zip(net, separate):
    target.weight.set_data(source.weight.data())
    target.bias.set_data(source.bias.data())

x4 = nd.random.uniform(shape=(3, 4), ctx=ctx)
for model in (net, separate):
    with autograd.record():
        total = model(x4).sum()
    total.backward()
shared_grad = net[0].weight.grad()
separate_grads = [separate[0].weight.grad(), separate[1].weight.grad()]
# relative to the gradient's size: float32 sums of values in the hundreds round differently
shared_grad_rel_diff = (nd.abs(shared_grad - separate_grads[0] - separate_grads[1]).max()
                        / nd.abs(shared_grad).max()).asscalar()
print('shared weight gradient vs the sum of the two layers\' gradients, relative max |diff|:',
      shared_grad_rel_diff)
