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
# # 延迟执行 (Lazy evaluation)
#
# Release 0.6, chapter "Gluon高级". Python, the front end, only queues MXNet's operations;
# the C++ back end computes them on its own threads, and Python waits only when it needs a
# value (`print`, `asnumpy`, `asscalar`, `wait_to_read`, `nd.waitall`). This section times
# queueing against computing, and shows what too little waiting does to memory.

# %% tags=["parameters"]
size = 2000            # side of the square matrices that are multiplied
repeats = 1000         # additions timed with and without a wait after each
batch_size = 1024      # examples per batch in the memory experiments
num_batches = 60       # batches get_data yields
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# Plain Python computes `a` at once, even if it is needed only much later.

# %%
a = 1 + 1
# some other things
print(a)

# %% [markdown]
# ## Queued, then computed
# `nd.dot` returns as soon as the work is queued; `print(y)` has to wait for the result.

# %%
from mxnet import nd
from time import time

start = time()
x = nd.random_uniform(shape=(size, size), ctx=ctx)
y = nd.dot(x, x)
print('workloads are queued:\t%f sec' % (time() - start))
print(y)
print('workloads are finished:\t%f sec' % (time() - start))

# %% [markdown]
# ## Waiting for a result
# `wait_to_read` waits for one array, `nd.waitall` for everything queued.

# %%
start = time()
y = nd.dot(x, x)
y.wait_to_read()
print('wait_to_read: %f sec' % (time() - start))

# %%
start = time()
y = nd.dot(x, x)
z = nd.dot(x, x)
nd.waitall()
print('waitall: %f sec' % (time() - start))

# %% [markdown]
# Copying a result out of MXNet, to numpy or to a Python number, waits as well.

# %%
start = time()
y = nd.dot(x, x)
y.asnumpy()
print('asnumpy: %f sec' % (time() - start))

# %%
start = time()
y = nd.dot(x, x)
y.norm().asscalar()
print('asscalar: %f sec' % (time() - start))

# %% [markdown]
# ## What lazy evaluation saves
# Waiting after every `y = x + 1` makes Python and the back end take turns; queueing them
# all and waiting once lets the back end run while Python goes on.

# %%
start = time()

for i in range(repeats):
    y = x + 1
    y.wait_to_read()

synchronous = time() - start
print('No lazy evaluation: %f sec' % (synchronous))

start = time()
for i in range(repeats):
    y = x + 1
nd.waitall()
asynchronous = time() - start
print('With evaluation: %f sec' % (asynchronous))
print('Ratio: %.2fx' % (synchronous / asynchronous))

# %% [markdown]
# ## What it changes
# Only the results must come out as written: statements without a dependency, such as these
# two, may run in either order, and that can change how much memory is in use.

# %%
a = 1
b = 2
print(a + b)

# %% [markdown]
# A data source that says when each batch is asked for:

# %%
def get_data():
    start = time()
    for i in range(num_batches):
        if i % 10 == 0:
            print('batch %d, time %f sec' % (i, time() - start))
        x = nd.ones((batch_size, 1024), ctx=ctx)
        y = nd.ones((batch_size,), ctx=ctx)
        yield x, y

# %% [markdown]
# A two-layer net, an L2 loss, and a Trainer with its default learning rate.

# %%
from mxnet import gluon
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    net.add(
        nn.Dense(1024, activation='relu'),
        nn.Dense(1024, activation='relu'),
        nn.Dense(1),
    )
net.initialize(ctx=ctx)
trainer = gluon.Trainer(net.collect_params(), 'sgd', {})
loss = gluon.loss.L2Loss()

# %% [markdown]
# This process's resident memory. The book asked `ps`; we read the same number from Linux's
# `/proc` (so, as in the book, this works on Linux only).

# %%
def get_mem():
    """resident memory of this process in MB"""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1e3

# %% [markdown]
# One batch first, so that the net's parameters exist (deferred initialisation).

# %%
for x, y in get_data():
    break
loss(y, net(x)).wait_to_read()

# %% [markdown]
# Predicting with a wait per batch (as printing or saving each result would): one batch at
# a time is in memory.

# %%
mem = get_mem()

for x, y in get_data():
    loss(y, net(x)).wait_to_read()
nd.waitall()

mem_predict_sync = get_mem() - mem
print('Increased memory %f MB' % (mem_predict_sync))

# %% [markdown]
# Without the wait, Python hands out all batches at once (see the times of the batch lines)
# and the back end holds them all while it works through them.

# %%
mem = get_mem()

for x, y in get_data():
    loss(y, net(x))

nd.waitall()
mem_predict_async = get_mem() - mem
print('Increased memory %f MB' % (mem_predict_async))

# %% [markdown]
# Training with the loss read every batch (`asscalar`) waits each time:

# %%
from mxnet import autograd

mem = get_mem()

total_loss = 0
for x, y in get_data():
    with autograd.record():
        L = loss(y, net(x))
    total_loss += L.sum().asscalar()
    L.backward()
    trainer.step(x.shape[0])

nd.waitall()
mem_train_sync = get_mem() - mem
print('Increased memory %f MB' % (mem_train_sync))

# %% [markdown]
# and without it, all batches are queued again. Hence the book's advice: read at least one
# value per batch, such as the loss. Its exercise: why does the synchronous training need
# so much less memory?

# %%
mem = get_mem()

total_loss = 0
for x, y in get_data():
    with autograd.record():
        L = loss(y, net(x))
    L.backward()
    trainer.step(x.shape[0])

nd.waitall()
mem_train_async = get_mem() - mem
print('Increased memory %f MB' % (mem_train_async))
