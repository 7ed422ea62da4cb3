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
# # 自动并行 (Automatic parallelism)
#
# Release 0.6, chapter "Gluon高级". MXNet's back end knows which queued operations depend
# on which; those that do not may run at the same time. One operator such as `dot` already
# uses a whole device, so the gain is across devices, and between computing and copying.
#
# The book runs on the CPU and a GPU. Here `ctx` is a list of two devices: the first plays
# the book's CPU, the second its GPU. `auto:2` takes two GPUs when two work and otherwise
# `cpu(0)` and `cpu(1)`; on a machine with one GPU, `--ctx cpu:0,gpu:0` is the book's
# setting. `cpu(0)` and `cpu(1)` are separate devices to MXNet, each with its own worker
# thread, but they share the processor's cores, so expect less overlap than the book saw.

# %% tags=["parameters"]
cpu_size = 2000        # side of the matrices multiplied on a CPU (the book's x_cpu)
gpu_size = 6000        # side of the matrices multiplied on a GPU (the book's x_gpu)
ctx = "auto:2"         # two devices: the book's CPU, then its GPU (auto:2, cpu:0,cpu:1, cpu:0,gpu:0 ...)
seed = 1               # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed, many=True)

# %% [markdown]
# The two devices used:

# %%
from gluon_tutorials.runtime import DeviceError

if len(ctx) != 2:
    raise DeviceError(f"auto_parallelism compares two devices; ctx names {len(ctx)}: {ctx}")
first, second = ctx
print('Running on', first, '(the book\'s CPU) and', second, '(the book\'s GPU)')

# %% [markdown]
# ## Computing on two devices at once
# Ten matrix products, queued:

# %%
from mxnet import nd


def run(x):
    """push 10 matrix-matrix multiplications"""
    return [nd.dot(x, x) for i in range(10)]

# %% [markdown]
# Each device alone, after a warm-up run:

# %%
from time import time


def size(device):
    return gpu_size if device.device_type == 'gpu' else cpu_size


x_cpu = nd.random.uniform(shape=(size(first), size(first)), ctx=first)
x_gpu = nd.random.uniform(shape=(size(second), size(second)), ctx=second)
nd.waitall()

# warm up
run(x_cpu)
run(x_gpu)
nd.waitall()

start = time()
run(x_cpu)
nd.waitall()
time_first = time() - start
print('Run on %s: %f sec' % (first, time_first))

start = time()
run(x_gpu)
nd.waitall()
time_second = time() - start
print('Run on %s: %f sec' % (second, time_second))

# %% [markdown]
# Both, with no `waitall` between them: if the back end runs them in parallel, the total
# is less than the sum of the two.

# %%
start = time()
run(x_cpu)
run(x_gpu)
nd.waitall()
time_both = time() - start
print('Run on both %s and %s: %f sec' % (first, second, time_both))
print('Both together take %.2f of the two alone' % (time_both / (time_first + time_second)))

# %% [markdown]
# ## Computing and copying at once
# Results computed on the second device, then copied to the host, `cpu()`:

# %%
from mxnet import cpu


def copy_to_cpu(x):
    """copy data to a device"""
    return [y.copyto(cpu()) for y in x]


start = time()
y = run(x_gpu)
nd.waitall()
time_run = time() - start
print('Run on %s: %f sec' % (second, time_run))

start = time()
copy_to_cpu(y)
nd.waitall()
time_copy = time() - start
print('Copy to CPU: %f sec' % (time_copy))

# %% [markdown]
# Without the wait, `y[i - 1]` can be copied while `y[i]` is computed, though each copy
# must wait for its own product. The book's exercises: are the ten products in `run`
# themselves run in parallel, and what about tasks with more complex dependencies?

# %%
start = time()
y = run(x_gpu)
copy_to_cpu(y)
nd.waitall()
time_run_copy = time() - start
print('Run on %s then Copy to CPU: %f sec' % (second, time_run_copy))
print('Together they take %.2f of the two apart' % (time_run_copy / (time_run + time_copy)))
