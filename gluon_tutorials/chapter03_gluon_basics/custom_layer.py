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
# # 设计自定义层 (Custom layers)
#
# Book section 4.4. Layers of our own written with `NDArray`: one without parameters that
# centres its input, then `Parameter` and `ParameterDict`, and a fully connected layer
# `MyDense` whose weight and bias come from the block's `params`.

# %% tags=["parameters"]
ctx = "cpu"   # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1      # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## A layer without parameters
# Only a `forward`: it subtracts the mean of the whole input.

# %%
from mxnet import nd
from mxnet.gluon import nn


class CenteredLayer(nn.Block):
    def __init__(self, **kwargs):
        super(CenteredLayer, self).__init__(**kwargs)

    def forward(self, x):
        return x - x.mean()


# %%
layer = CenteredLayer()
centered = layer(nd.array([1, 2, 3, 4, 5], ctx=ctx))
print(centered)

# %% [markdown]
# As the last layer of a net, its output has mean 0 up to float32 rounding: expect a tiny
# number (the book got about -5e-11), not exactly 0.

# %%
net = nn.Sequential()
with net.name_scope():
    net.add(nn.Dense(128))
    net.add(nn.Dense(10))
    net.add(CenteredLayer())

# %%
net.initialize(ctx=ctx)
y = net(nd.random.uniform(shape=(4, 8), ctx=ctx))
print(y.mean())
centered_net_mean = y.mean().asscalar()

# %% [markdown]
# ## Parameters
# A `Parameter` on its own, initialised with the default initialiser: values and a zero
# gradient.

# %%
from mxnet import gluon

my_param = gluon.Parameter("exciting_parameter_yay", shape=(3, 3))

# %%
my_param.initialize(ctx=ctx)
print((my_param.data(), my_param.grad()))

# %% [markdown]
# A block keeps its parameters in a `ParameterDict` (`self.params`): names to `Parameter`s,
# each name carrying the dict's prefix.

# %%
pd = gluon.ParameterDict(prefix="block1_")
pd.get("exciting_parameter_yay", shape=(3, 3))
print(pd)


# %% [markdown]
# ## A layer with parameters: `MyDense`
# `relu(x . weight + bias)`. Its parameters come from `self.params.get`, so they are named
# with the block's prefix and collected like a built-in layer's. Unlike `nn.Dense` it needs
# `in_units`: the book leaves deferred initialisation of a home-made layer for later.

# %%
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super(MyDense, self).__init__(**kwargs)
        with self.name_scope():
            self.weight = self.params.get(
                'weight', shape=(in_units, units))
            self.bias = self.params.get('bias', shape=(units,))

    def forward(self, x):
        # data(x.context) (the book: data()): the copy on the input's device when the
        # parameters live on several
        linear = nd.dot(x, self.weight.data(x.context)) + self.bias.data(x.context)
        return nd.relu(linear)


# %%
dense = MyDense(5, in_units=10, prefix='o_my_dense_')
print(dense.params)

# %%
dense.initialize(ctx=ctx)
print(dense(nd.random.uniform(shape=(2, 10), ctx=ctx)))

# %%
net = nn.Sequential()
with net.name_scope():
    net.add(MyDense(32, in_units=64))
    net.add(MyDense(2, in_units=32))
net.initialize(ctx=ctx)
print(net(nd.random.uniform(shape=(2, 64), ctx=ctx)))

# %% [markdown]
# ## Checking `MyDense` against Gluon's `Dense` (not in the book)
# With the same values (Gluon stores the weight transposed, as (units, in_units)),
# `nn.Dense(5, activation="relu")` must give what `dense` gives. Then one SGD step on a
# net of a `MyDense` and a `Dense` must move every parameter: `MyDense` trains like a
# built-in layer. The book's exercise 1: give `self.params.get` an `init=` and watch the
# printed values change.

# %%
# a bias of both signs (it starts at 0), so that the comparison sees it added before the relu
dense.bias.set_data(nd.random.uniform(low=-0.1, high=0.1, shape=(5,), ctx=ctx))
builtin = nn.Dense(5, in_units=10, activation="relu")
builtin.initialize(ctx=ctx)
builtin.weight.set_data(dense.weight.data().T)
builtin.bias.set_data(dense.bias.data())
x = nd.random.uniform(shape=(6, 10), ctx=ctx)
my_dense_vs_dense = nd.abs(dense(x) - builtin(x)).max().asscalar()
print('MyDense vs nn.Dense with the same weights, max |diff|:', my_dense_vs_dense)

# %%
from mxnet import autograd

trained = nn.Sequential()
with trained.name_scope():
    trained.add(MyDense(32, in_units=64))
    # linear on top: a relu output stuck at 0 would pass no gradient back
    trained.add(nn.Dense(2, in_units=32))
trained.initialize(ctx=ctx)
before = {name: p.data().copy() for name, p in trained.collect_params().items()}
trainer = gluon.Trainer(trained.collect_params(), 'sgd', {'learning_rate': 0.1})
with autograd.record():
    loss = gluon.loss.L2Loss()(trained(nd.random.uniform(shape=(4, 64), ctx=ctx)),
                               nd.ones((4, 2), ctx=ctx))
loss.backward()
trainer.step(4)
changed_after_step = {name: bool((p.data() != before[name]).asnumpy().any())
                      for name, p in trained.collect_params().items()}
for name, moved in changed_after_step.items():
    print(name, 'changed after one step' if moved else 'unchanged')
