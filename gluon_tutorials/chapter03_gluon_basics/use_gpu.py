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
# # 使用 GPU 来计算 (Using a GPU)
#
# Book section 4.5. Contexts name devices; an NDArray lives on one, is created there or copied
# there (`copyto` always copies, `as_in_context` only when it must), and computation happens
# where the data are. A Gluon net's parameters go to a device with `initialize(ctx=...)`.
#
# Without a GPU the section still runs: `cpu(1)` stands in for the book's `gpu(0)` and
# `cpu(0)` is the host. MXNet treats them as two contexts, although they share one memory.

# %% tags=["parameters"]
ctx = "auto"   # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1       # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# The device the book's `mx.gpu()` steps use from here on: the GPU when there is one (and
# `ctx` allows it), else `cpu(1)`.

# %%
import mxnet as mx

import utils

if ctx.device_type == "gpu":
    print(f"Using {ctx}.")
else:
    reason = ("No GPU found: MXNet sees no GPU on this machine" if utils.num_gpus() == 0
              else "ctx is a CPU: the GPU is left alone")
    print(f"{reason}. The steps below use cpu(1) where the book uses gpu(0), "
          f"and cpu(0) as the host.")
    ctx = mx.cpu(1)

# %% [markdown]
# ## Contexts
# A context is only a name: making `mx.gpu(1)` needs no GPU.

# %%
print([mx.cpu(), mx.gpu(), mx.gpu(1)])

# %%
from mxnet import nd

x = nd.array([1, 2, 3])
print(x.context)

# %% [markdown]
# ## NDArrays on the device
# Created there directly:

# %%
a = nd.array([1, 2, 3], ctx=ctx)
b = nd.zeros((3, 2), ctx=ctx)
c = nd.random.uniform(shape=(2, 3), ctx=ctx)
print((a, b, c))

# %% [markdown]
# A device that is not there is refused. The book asked for `gpu(1)` on a one-GPU machine;
# here it is the first GPU index that does not exist. MXNet puts its own stack trace before
# the reason, so only the reason's line is shown.

# %%
import sys

missing = mx.gpu(utils.num_gpus())
try:
    nd.array([1, 2, 3], ctx=missing).wait_to_read()  # the error surfaces when the array is used
except mx.MXNetError as err:
    missing_device_error = str(err).strip().splitlines()[-1]
    sys.stdout.flush()  # keep the order when stdout and stderr share one pipe
    sys.stderr.write(f"{missing}: {missing_device_error}\n")

# %% [markdown]
# `copyto` and `as_in_context` both move `x` to the device. Asked to go where the array
# already is, `as_in_context` returns the array itself and `copyto` a new copy: look for
# `(True, False)`.

# %%
y = x.copyto(ctx)
z = x.as_in_context(ctx)
print((y, z))

# %%
yy = y.as_in_context(ctx)
zz = z.copyto(ctx)
same_object = (yy is y, zz is z)
print(same_object)

# %% [markdown]
# ## Computing on the device
# The result stays where the inputs are.

# %%
exp = nd.exp(z + 2) * y
print(exp)

# %% [markdown]
# MXNet does not copy between devices behind your back: a CPU array plus a GPU array is an
# error. `cpu(0)` and `cpu(1)` are both host memory, though, so without a GPU the sum runs.

# %%
print(x.context, y.context)
try:
    (x + y).wait_to_read()
    mixed_context_error = None
    print("x + y ran: MXNet refuses to mix a CPU and a GPU array, "
          "but cpu(0) and cpu(1) are both host memory")
except mx.MXNetError as err:
    mixed_context_error = str(err).strip().splitlines()[-1]
    sys.stdout.flush()
    sys.stderr.write(mixed_context_error + "\n")

# %% [markdown]
# Printing and `asnumpy()` copy to the host as needed.

# %%
print(y)
print(y.asnumpy())
print(y.sum().asscalar())

# %% [markdown]
# ## Gluon on the device
# Parameters initialised on the device, fed data on the device: the output is there too.

# %%
from mxnet import gluon

net = gluon.nn.Sequential()
net.add(gluon.nn.Dense(1))

net.initialize(ctx=ctx)

# %%
data = nd.random.uniform(shape=[3, 2], ctx=ctx)
output = net(data)
print(output)

# %%
print(net[0].weight.data())

# %% [markdown]
# ## One batch on two devices (not in the book)
# The book leaves several GPUs for later; `split_and_load` already shows the idea. A batch
# split over two contexts (two GPUs if there are, else `cpu(0)` and `cpu(1)`) gives each
# device the gradient of its half; added up they are the whole batch's gradient on one
# device. The book's exercises: time a large `nd.dot` on `cpu(0)` and on `ctx`, and save
# and load a net whose parameters live on the device.

# %%
from mxnet import autograd

gpus = utils.try_all_gpus()
ctx_list = gpus if len(gpus) > 1 and gpus[0].device_type == "gpu" else [mx.cpu(0), mx.cpu(1)]
mlp = gluon.nn.Sequential()
mlp.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(1))
mlp.initialize(ctx=ctx_list[0])
X, target = nd.random.uniform(shape=(8, 4)), nd.random.uniform(shape=(8, 1))
mlp(X.as_in_context(ctx_list[0]))
loss = gluon.loss.L2Loss()

gradients = []
for devices in (ctx_list[:1], ctx_list):
    mlp.collect_params().reset_ctx(devices)
    X_parts = gluon.utils.split_and_load(X, devices)
    target_parts = gluon.utils.split_and_load(target, devices)
    with autograd.record():
        losses = [loss(mlp(X_part), t_part) for X_part, t_part in zip(X_parts, target_parts)]
    autograd.backward(losses)
    gradients.append({name: sum(g.as_in_context(ctx_list[0]) for g in p.list_grad())
                      for name, p in mlp.collect_params().items()})
single, split = gradients
data_parallel_max_diff = max(nd.abs(single[k] - split[k]).max().asscalar() for k in single)
print(f"gradients with the batch split over {ctx_list} vs on {ctx_list[0]}: "
      f"max |diff| {data_parallel_max_diff:g}")
