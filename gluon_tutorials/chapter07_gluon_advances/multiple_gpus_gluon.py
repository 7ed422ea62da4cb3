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
# # 多GPU来训练 --- 使用Gluon (Training on multiple GPUs with Gluon)
#
# Release 0.6, chapter "Gluon高级". Data parallelism again, now with Gluon doing the work of
# the scratch version: `initialize(ctx=[...])` puts a copy of every parameter on each
# device, `gluon.utils.split_and_load` cuts a batch into one part per device, and
# `Trainer.step` sums the gradients of all copies and updates each copy with the sum.
#
# The book writes `ctx = [gpu(0), gpu(1)]`. Here `ctx` is a device list: `auto:2` takes two
# GPUs when two work and otherwise `cpu(0)` and `cpu(1)`, which MXNet treats as two devices
# although they share one processor and its memory (so expect no speed-up from them).
# `--ctx gpu:0,gpu:1` or `--ctx cpu:0,cpu:1` choose the devices yourself.

# %% tags=["parameters"]
epochs = 5             # passes over the training data in each of the three runs
batch_size = 256       # examples per mini-batch, summed over the devices
learning_rate = 0.1    # SGD step size
ctx = "auto:2"         # device list: auto:N, cpu:0,cpu:1, gpu:0,gpu:1 ... (one device is a list of one)
kvstore = "device"     # how Trainer sums the gradients: device (one process) or dist_sync (the `distributed` command)
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
out = "out/multiple_gpus_gluon"  # folder for the weights a distributed worker writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed, many=True)

# %% [markdown]
# Which devices this run uses:

# %%
import utils

if ctx[0].device_type == "cpu":
    print(f"Devices: {ctx} (CPU contexts in place of the book's GPUs; "
          f"MXNet sees {utils.num_gpus()} GPU(s) here)")
else:
    print(f"Devices: {ctx}")

# %% [markdown]
# Beyond the book: the same training across processes, and so across machines, on MXNet's
# parameter server. `python -m gluon_tutorials distributed --workers 2 --servers 1
# multiple_gpus_gluon` starts a scheduler, a server and two workers, each running this
# notebook with `kvstore = "dist_sync"`. Each worker then reads its own part of the training
# data, takes `batch_size / workers` examples a step, and the server sums all workers'
# gradients, so a step sees `batch_size` examples, as in one process.

# %%
import mxnet as mx

if kvstore == "device":
    kv, rank, num_workers = "device", 0, 1
else:
    kv = mx.kv.create(kvstore)
    rank, num_workers = kv.rank, kv.num_workers
    print(f"worker {rank} of {num_workers} ({kvstore}): training on part {rank} of "
          f"{num_workers} of the training data")

# %% [markdown]
# ## Initialising on several devices
# The ResNet-18 of the book's `utils`, with a copy of its parameters on every device of
# `ctx`. Their shapes are only known after a first batch (deferred initialisation).

# %%
from mxnet import cpu

net = utils.resnet18(10)
net.initialize(ctx=ctx)

# %% [markdown]
# `split_and_load` gives each device its part of a batch; each part is computed where it is.

# %%
from mxnet import nd
from mxnet import gluon

x = nd.random.uniform(shape=(4, 1, 28, 28))
x_list = gluon.utils.split_and_load(x, ctx)
for part in x_list:
    print(net(part))

# %% [markdown]
# Each device holds its own copy of a weight, all initialised alike; the host (`cpu()`)
# holds none unless it is in `ctx`.

# %%
weight = net[1].params.get('weight')
for device in ctx:
    print(weight.data(device)[0])
try:
    weight.data(cpu())
except Exception:
    print('Not initialized on', cpu())

# %% [markdown]
# ## Training
# The book's `train(num_gpus, batch_size, lr)` on the first `num_gpus` devices of `ctx`.
# Ours adds, after the book's lines: whether every device's copy of the weights is the same
# (Trainer keeps them so; batch norm's running means are each device's own, as they are
# not learned), and, for a distributed worker, its part of the data and its weights file.

# %%
from mxnet import autograd
from time import time
from mxnet import init

from gluon_tutorials import files

runs = []  # one entry per call of train, for the summary below


def train(num_gpus, batch_size, lr):
    if kvstore != "device" and runs:
        print('A distributed worker trains once (its parameter server holds one set of '
              'weights): this run is left out.')
        return
    train_data, test_data = utils.load_data_fashion_mnist(
        batch_size // num_workers, subset=subset, shard=(rank, num_workers))

    train_ctx = ctx[:num_gpus]
    print('Running on', train_ctx)

    net = utils.resnet18(10)
    net.initialize(init=init.Xavier(), ctx=train_ctx)
    runtime.hybridize(net, hybridize)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(
        net.collect_params(), 'sgd', {'learning_rate': lr}, kvstore=kv)

    for epoch in runtime.epochs(epochs):
        start = time()
        total_loss, examples = 0, 0
        for data, label in train_data:
            data_list = gluon.utils.split_and_load(data, train_ctx)
            label_list = gluon.utils.split_and_load(label, train_ctx)
            with autograd.record():
                losses = [loss(net(X), y) for X, y in zip(
                    data_list, label_list)]
            for l in losses:
                l.backward()
            total_loss += sum([l.sum().asscalar() for l in losses])
            examples += data.shape[0]
            trainer.step(batch_size)

        nd.waitall()
        print('Epoch %d, training time = %.1f sec' % (
            epoch, time() - start))
        runtime.check_loss(total_loss / max(examples, 1), runtime.chance_loss(10), lr)

        test_acc = utils.evaluate_accuracy(test_data, net, train_ctx[0])
        print('         validation accuracy = %.4f' % (test_acc))

    learned = [p for p in net.collect_params().values() if p.grad_req != 'null']
    identical = all((p.data(c) == p.data(train_ctx[0])).min().asscalar() == 1
                    for p in learned for c in train_ctx)
    print('weight copies on', train_ctx, 'identical:', identical)
    runs.append({'devices': len(train_ctx), 'batch_size': batch_size, 'lr': lr,
                 'test_acc': test_acc, 'identical': identical})
    if kvstore != "device":
        filename = f"{out}/weights-worker{rank}.params"
        with files.atomic_path(filename) as tmp:
            net.save_parameters(tmp)
        runtime.wrote(filename)


# %% [markdown]
# First on one device.

# %%
train(1, batch_size, learning_rate)

# %% [markdown]
# The same on every device of `ctx` (the book's two GPUs). Each step still sees the whole
# batch, so the accuracy should stay within seed noise of the one-device run; only the
# shuffling differs.

# %%
train(len(ctx), batch_size, learning_rate)

# %% [markdown]
# With more devices, a bigger batch keeps each busy; the book doubles the learning rate
# with it. Try other sizes and rates (the book's exercise).

# %%
train(len(ctx), 2 * batch_size, 2 * learning_rate)

# %% [markdown]
# ## Summary

# %%
for r in runs:
    print('%d device(s), batch %d, lr %.2f: validation accuracy %.4f, copies identical: %s'
          % (r['devices'], r['batch_size'], r['lr'], r['test_acc'], r['identical']))
test_acc_one_device = runs[0]['test_acc']
# the run on every device at the one-device run's batch size and rate (a distributed worker has
# only its one run)
test_acc_data_parallel = runs[min(1, len(runs) - 1)]['test_acc']
copies_identical = all(r['identical'] for r in runs)
