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
# # 序列化 --- 读写模型 (Serialization)
#
# Book section 4.3. NDArrays (a list, a dict) written with `nd.save` and read back with
# `nd.load`, then a Gluon net's parameters written with `save_params` and loaded into a fresh
# net, which then gives the same output. Beyond the book: MXNet 1.9.1's `save_parameters`, and
# what happens when a file does not fit the net.

# %% tags=["parameters"]
ctx = "cpu"                   # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                      # seeds random, numpy and mx.random
out = "out/serialization"     # folder for the parameter files this section writes

# %%
from gluon_tutorials import files, runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Reading and writing NDArrays
# The book wrote into `data/`; here every file goes to `out`. Each is written under a
# temporary name and renamed into place, so an interrupted run never leaves half a file.

# %%
from mxnet import nd

x = nd.ones(3, ctx=ctx)
y = nd.zeros(4, ctx=ctx)
filename = f"{out}/test1.params"
with files.atomic_path(filename) as tmp:
    nd.save(tmp, [x, y])
runtime.wrote(filename)

# %%
a, b = nd.load(filename)
print(a, b)

# %% [markdown]
# A dict of NDArrays works the same way and comes back as a dict.

# %%
mydict = {"x": x, "y": y}
filename = f"{out}/test2.params"
with files.atomic_path(filename) as tmp:
    nd.save(tmp, mydict)
runtime.wrote(filename)

# %%
c = nd.load(filename)
print(c)

# %% [markdown]
# ## Reading and writing a Gluon net's parameters
# The same two-layer MLP, built twice by `get_net`.

# %%
from mxnet.gluon import nn


def get_net():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(10, activation="relu"))
        net.add(nn.Dense(2))
    return net


net = get_net()
net.initialize(ctx=ctx)
x = nd.random.uniform(shape=(2, 10), ctx=ctx)
print(net(x))

# %% [markdown]
# The book's `save_params` and `load_params`. MXNet 1.9.1 still has them but warns that they
# are deprecated; the warnings are caught and shown as one note each, so the book's calls also
# run where warnings are errors (`python -W error::UserWarning`). The second net, loaded from
# the file instead of initialised, must print the same two rows as the first.

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    filename = f"{out}/mlp.params"
    with files.atomic_path(filename) as tmp:
        net.save_params(tmp)
    runtime.wrote(filename)

    net2 = get_net()
    net2.load_params(filename, ctx)
deprecations = [str(w.message).split(". ")[0] for w in caught]
for note in deprecations:
    print("note: MXNet 1.9.1 says", note)
print(net2(x))
save_params_identical = bool((net2(x) == net(x)).asnumpy().all())

# %% [markdown]
# ## Beyond the book
# The names MXNet 1.9.1 prefers: `save_parameters` / `load_parameters`. Their file names each
# parameter by its place in the net (`0.weight`) rather than by its generated name.

# %%
filename = f"{out}/mlp.parameters"
with files.atomic_path(filename) as tmp:
    net.save_parameters(tmp)
runtime.wrote(filename)

net3 = get_net()
net3.load_parameters(filename, ctx=ctx)
print(net3(x))
save_parameters_identical = bool((net3(x) == net(x)).asnumpy().all())

# %% [markdown]
# A file that does not fit: a net whose last layer has 3 outputs instead of 2. MXNet loads
# parameter after parameter and stops at the misfit, after it has already overwritten the
# first layer. `utils.load_params_checked` holds the whole file against the net first and
# either loads everything or changes nothing; it also names a file that was cut short.

# %%
import tempfile
from pathlib import Path

import utils

wrong = nn.Sequential()
with wrong.name_scope():
    wrong.add(nn.Dense(10, activation="relu"))
    wrong.add(nn.Dense(3))
wrong.initialize(ctx=ctx)
wrong(x)

first_weight = wrong[0].weight.data().copy()
try:
    wrong.load_parameters(filename, ctx=ctx)
except (AssertionError, ValueError) as err:  # ValueError: python -O strips MXNet's assert
    print("MXNet:", err)
mxnet_half_loaded = not bool((wrong[0].weight.data() == first_weight).asnumpy().all())
print("first layer overwritten all the same:", mxnet_half_loaded)

# %%
before = [p.data().copy() for p in wrong.collect_params().values()]
try:
    utils.load_params_checked(wrong, filename, ctx)
except ValueError as err:
    wrong_shape_error = str(err)
    print("utils.load_params_checked:", wrong_shape_error)
checked_load_unchanged = all(bool((p.data() == old).asnumpy().all())
                             for p, old in zip(wrong.collect_params().values(), before))
print("net left unchanged:", checked_load_unchanged)

# %%
with tempfile.TemporaryDirectory() as scratch:
    truncated = Path(scratch) / "mlp-truncated.params"
    data = Path(filename).read_bytes()
    truncated.write_bytes(data[:len(data) // 2])
    try:
        utils.load_params_checked(get_net(), truncated, ctx)
    except ValueError as err:
        truncated_error = str(err)
        print("utils.load_params_checked:", truncated_error)
