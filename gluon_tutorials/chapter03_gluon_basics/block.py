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
# # 创建神经网络 (Block)
#
# Book section 4.1. The MLP of section 3.6 written as a subclass of `nn.Block`, how layers get
# their names, a `Sequential` of our own, a block whose `forward` does more than chain layers,
# and blocks nested inside blocks. Nothing is trained; the input is a 4x20 batch from U(0, 1).

# %% tags=["parameters"]
ctx = "cpu"   # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1      # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The MLP as an `nn.Sequential`
# Section 3.6's network without the `Flatten` layer. The input size shows as `None`: it is
# only known once data arrives.

# %%
from mxnet import nd
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    net.add(nn.Dense(256, activation="relu"))
    net.add(nn.Dense(10))

print(net)


# %% [markdown]
# ## The same MLP as an `nn.Block`
# `__init__` makes the layers, `forward` says how they compute; the backward pass comes
# from `autograd`.

# %%
class MLP(nn.Block):
    def __init__(self, **kwargs):
        super(MLP, self).__init__(**kwargs)
        with self.name_scope():
            self.dense0 = nn.Dense(256)
            self.dense1 = nn.Dense(10)

    def forward(self, x):
        return self.dense1(nd.relu(self.dense0(x)))


# %%
net2 = MLP()
print(net2)
net2.initialize(ctx=ctx)
x = nd.random.uniform(shape=(4, 20), ctx=ctx)
y = net2(x)
print(y)

# %%
print(nn.Dense)

# %% [markdown]
# Not in the book: `net` and `net2` compute the same function. Initialised separately they
# give different numbers; with `net2`'s weights copied into `net` (the parameters are made in
# the same order) the outputs agree exactly.

# %%
net.initialize(ctx=ctx)
net(x)  # the first forward pass fixes the input size and creates the weights
for source, target in zip(net2.collect_params().values(), net.collect_params().values()):
    target.set_data(source.data())
block_equals_sequential = bool((net(x) == y).asnumpy().all())
print('MLP (Block) and nn.Sequential with the same weights agree:', block_equals_sequential)

# %% [markdown]
# ## Names and prefixes
# Layers made inside `name_scope()` get the block's prefix, so every parameter name is unique:
# `mlp0_` is made from the class name and a counter (the next `MLP()` would get `mlp1_`),
# `another_mlp_` is given.

# %%
print('default prefix:', net2.dense0.name)

net3 = MLP(prefix='another_mlp_')
print('customized prefix:', net3.dense0.name)
default_prefix, custom_prefix = net2.dense0.name, net3.dense0.name


# %% [markdown]
# ## `nn.Sequential` is a Block too
# A minimal version: `add` registers a child block, `forward` runs the children in order.

# %%
class Sequential(nn.Block):
    def __init__(self, **kwargs):
        super(Sequential, self).__init__(**kwargs)

    def add(self, block):
        # The book appended to self._children, a list in 2017; MXNet 1.9.1 keeps an
        # OrderedDict filled by register_child.
        self.register_child(block)

    def forward(self, x):
        for block in self._children.values():
            x = block(x)
        return x


# %%
net4 = Sequential()
with net4.name_scope():
    net4.add(nn.Dense(256, activation="relu"))
    net4.add(nn.Dense(10))

net4.initialize(ctx=ctx)
y = net4(x)
print(y)


# %% [markdown]
# ## A block with free-form `forward`
# A weight that is a plain NDArray (created once, never trained) and one `Dense` layer used
# twice. The second use feeds it 20 values, which fits the 20-input weight it got first.

# %%
class FancyMLP(nn.Block):
    def __init__(self, **kwargs):
        super(FancyMLP, self).__init__(**kwargs)
        with self.name_scope():
            self.dense = nn.Dense(256)
            # ctx=ctx: not a Parameter, so initialize() cannot move it to the device
            self.weight = nd.random_uniform(shape=(256, 20), ctx=ctx)

    def forward(self, x):
        x = nd.relu(self.dense(x))
        x = nd.relu(nd.dot(x, self.weight) + 1)
        x = nd.relu(self.dense(x))
        return x


# %%
fancy_mlp = FancyMLP()
fancy_mlp.initialize(ctx=ctx)
y = fancy_mlp(x)
print(y.shape)


# %% [markdown]
# ## Nesting
# A block holding a `Sequential` and a `Dense`, itself put into a `Sequential`. The book's
# exercise: keep RecMLP's layers in a plain Python list (`self.denses = [...]`) instead and
# see what `print(rec_mlp)` and `rec_mlp.collect_params()` lose.

# %%
class RecMLP(nn.Block):
    def __init__(self, **kwargs):
        super(RecMLP, self).__init__(**kwargs)
        self.net = nn.Sequential()
        with self.name_scope():
            self.net.add(nn.Dense(256, activation="relu"))
            self.net.add(nn.Dense(128, activation="relu"))
            self.dense = nn.Dense(64)

    def forward(self, x):
        return nd.relu(self.dense(self.net(x)))


rec_mlp = nn.Sequential()
rec_mlp.add(RecMLP())
rec_mlp.add(nn.Dense(10))
print(rec_mlp)
