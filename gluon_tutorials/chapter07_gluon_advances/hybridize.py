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
# # Hybridize：更快和更好移植 (Hybridize: faster and more portable)
#
# Release 0.6, chapter "Gluon高级". Imperative code runs line by line through Python;
# symbolic code is first described, then compiled and run as a whole, which leaves room for
# optimisation and runs without Python. A Gluon `HybridBlock` is written imperatively and,
# after `hybridize()`, runs as a compiled symbolic graph. This section times the two and
# exports the graph.

# %% tags=["parameters"]
repeats = 1000         # forward passes timed before and after hybridizing
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
out = "out/hybridize"  # folder for the exported symbol JSON and parameters

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Imperative and symbolic programs
# Imperative: each `add` runs when Python reaches it, and `E` and `F` live until the end.

# %%
def add(A, B):
    return A + B


def fancy_func(A, B, C, D):
    E = add(A, B)
    F = add(C, D)
    G = add(E, F)
    return G


print(fancy_func(1, 2, 3, 4))

# %% [markdown]
# Symbolic: the functions only return the program as text; it is compiled, then run. The
# compiler sees the whole program and could simplify it to `print(10)`.

# %%
def add_str():
    return '''
def add(A, B):
    return A + B
'''


def fancy_func_str():
    return '''
def fancy_func(A, B, C, D):
    E = add(A, B)
    F = add(C, D)
    G = add(E, F)
    return G
'''


def evoke_str():
    return add_str() + fancy_func_str() + '''
print(fancy_func(1,2,3,4))
'''


prog = evoke_str()
y = compile(prog, '', 'exec')
exec(y)

# %% [markdown]
# ## HybridSequential
# Built like `Sequential`; imperative until `hybridize()` is called.

# %%
from mxnet.gluon import nn
from mxnet import nd


def get_net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(
            nn.Dense(256, activation="relu"),
            nn.Dense(128, activation="relu"),
            nn.Dense(2)
        )
    net.initialize(ctx=ctx)
    return net


x = nd.random.normal(shape=(1, 512), ctx=ctx)
net = get_net()
print(net(x))

# %% [markdown]
# Compiled, the same net gives the same output.

# %%
net.hybridize()
print(net(x))

# %% [markdown]
# ## Speed
# `repeats` forward passes of a fresh net, imperative and then hybridized; `nd.waitall()`
# waits until MXNet has really computed them (see the next section, lazy evaluation). The
# book saw about twice the speed. The hybridized time includes building the graph on the
# first call; try a larger `repeats` to see it fade.

# %%
from time import time


def bench(net, x):
    start = time()
    for i in range(repeats):
        y = net(x)
    # wait until every forward pass is computed
    nd.waitall()
    return time() - start


net = get_net()
before = bench(net, x)
print('Before hybridizing: %.4f sec' % (before))
net.hybridize()
after = bench(net, x)
print('After hybridizing: %.4f sec' % (after))
speedup = before / after
print('Speed-up: %.2fx' % (speedup))

# %% [markdown]
# ## The symbolic program
# Given a `Symbol` instead of an NDArray, the hybridized net returns its program.

# %%
from mxnet import sym

x = sym.var('data')
y = net(x)
print(y)
print(y.list_arguments())

# %% [markdown]
# `export` writes the program as JSON and the parameters beside it (the book left this as a
# to-do, waiting for an MXNet with `export`). Any MXNet front end can load the two files;
# here `SymbolBlock.imports` loads them back in Python, and the loaded net gives the same
# output as the one that was exported.

# %%
import warnings

from mxnet import gluon

from gluon_tutorials import files

symbol_file, params_file = files.export(net, f"{out}/hybrid_net")
runtime.wrote(symbol_file)
runtime.wrote(params_file)

with warnings.catch_warnings():
    # MXNet cannot tell the input's dtype from the JSON alone and says so; float32 it is.
    warnings.filterwarnings("ignore", message="Cannot decide type")
    loaded = gluon.SymbolBlock.imports(str(symbol_file), ['data'], str(params_file), ctx=ctx)
x = nd.random.normal(shape=(3, 512), ctx=ctx)
exported_difference = nd.abs(loaded(x) - net(x)).max().asscalar()
print('largest difference between the exported and the loaded net:', exported_difference)

# %% [markdown]
# ## How `hybridize` works: HybridBlock
# A `HybridBlock` implements `hybrid_forward(self, F, x)`: `F` is `mxnet.ndarray` when the
# block runs imperatively and `mxnet.symbol` once hybridized. The `print`s show which.

# %%
class HybridNet(nn.HybridBlock):
    def __init__(self, **kwargs):
        super(HybridNet, self).__init__(**kwargs)
        with self.name_scope():
            self.fc1 = nn.Dense(10)
            self.fc2 = nn.Dense(2)

    def hybrid_forward(self, F, x):
        print(F)
        print(x)
        x = F.relu(self.fc1(x))
        print(x)
        return self.fc2(x)

# %% [markdown]
# Imperative: `F` is `ndarray`, and the prints show the input and the first layer's output.

# %%
net = HybridNet()
net.initialize(ctx=ctx)
x = nd.random.normal(shape=(1, 4), ctx=ctx)
y = net(x)

# %% [markdown]
# Again, the same.

# %%
y = net(x)

# %% [markdown]
# Hybridized: on the first call `F` is `symbol` and `x` a `Symbol`, even though an NDArray
# went in: the Python code runs once to build the graph.

# %%
net.hybridize()
y = net(x)

# %% [markdown]
# The second call prints nothing: the compiled graph runs in MXNet's C++ back end without
# Python. The price: no `print` for debugging, and no Python `if` or `for` on the data.

# %%
y = net(x)
