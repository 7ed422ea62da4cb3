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
# # 多GPU来训练 --- 从0开始 (Training on multiple GPUs from scratch)
#
# Release 0.6, chapter "Gluon高级". Data parallelism by hand: every device keeps a copy of
# the weights, takes its part of each batch and computes gradients on it; the gradients are
# summed over the devices (`allreduce`) and every copy takes the same SGD step, so the
# copies stay identical.
#
# The book needs two GPUs. Here `ctx` is a device list: `auto:2` takes two GPUs when two
# work and otherwise `cpu(0)` and `cpu(1)`, which MXNet treats as two devices although they
# share one processor and its memory (so expect no speed-up from them).

# %% tags=["parameters"]
epochs = 5             # passes over the training data in each of the three runs
batch_size = 256       # examples per mini-batch, split over the devices
learning_rate = 0.3    # SGD step size
ctx = "auto:2"         # device list: auto:N, cpu:0,cpu:1, gpu:0,gpu:1 ... (one device is a list of one)
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed, many=True)

# %% [markdown]
# The book looks at the GPUs with `nvidia-smi`; here we ask MXNet, and show `nvidia-smi`
# where it is installed.

# %%
import shutil
import subprocess

import utils

print(utils.num_gpus(), 'GPU(s) visible to MXNet')
if shutil.which('nvidia-smi'):
    print(subprocess.run(['nvidia-smi'], capture_output=True, text=True).stdout)
if ctx[0].device_type == "cpu":
    print(f"Devices: {ctx} (CPU contexts in place of the book's GPUs)")
else:
    print(f"Devices: {ctx}")

# %% [markdown]
# ## The model
# The LeNet of the convolutional chapter, written with `nd.Convolution` and `nd.Pooling`,
# its parameters in one list.

# %%
from mxnet import nd
from mxnet import gluon

# initialize parameters
scale = .01
W1 = nd.random.normal(shape=(20, 1, 3, 3)) * scale
b1 = nd.zeros(shape=20)
W2 = nd.random.normal(shape=(50, 20, 5, 5)) * scale
b2 = nd.zeros(shape=50)
W3 = nd.random.normal(shape=(800, 128)) * scale
b3 = nd.zeros(shape=128)
W4 = nd.random.normal(shape=(128, 10)) * scale
b4 = nd.zeros(shape=10)
params = [W1, b1, W2, b2, W3, b3, W4, b4]


# network and loss
def lenet(X, params):
    # first conv
    h1_conv = nd.Convolution(data=X, weight=params[0], bias=params[1],
                             kernel=(3, 3), num_filter=20)
    h1_activation = nd.relu(h1_conv)
    h1 = nd.Pooling(data=h1_activation, pool_type="avg",
                    kernel=(2, 2), stride=(2, 2))
    # second conv
    h2_conv = nd.Convolution(data=h1, weight=params[2], bias=params[3],
                             kernel=(5, 5), num_filter=50)
    h2_activation = nd.relu(h2_conv)
    h2 = nd.Pooling(data=h2_activation, pool_type="avg",
                    kernel=(2, 2), stride=(2, 2))
    h2 = nd.flatten(h2)
    # first dense
    h3_linear = nd.dot(h2, params[4]) + params[5]
    h3 = nd.relu(h3_linear)
    # second dense
    yhat = nd.dot(h3, params[6]) + params[7]
    return yhat


loss = gluon.loss.SoftmaxCrossEntropyLoss()

# %% [markdown]
# ## Moving data between devices
# A copy of the parameters on one device, with room for their gradients:

# %%
def get_params(params, ctx):
    new_params = [p.copyto(ctx) for p in params]
    for p in new_params:
        p.attach_grad()
    return new_params


# the parameters, copied to the first device (the book's gpu(0))
new_params = get_params(params, ctx[0])
print('b1 weight = ', new_params[1])
print('b1 grad = ', new_params[1].grad)

# %% [markdown]
# `allreduce` sums arrays that live on several devices into the first and copies the sum
# back to the others.

# %%
def allreduce(data):
    # sum on data[0].context, and then broadcast
    for i in range(1, len(data)):
        data[0][:] += data[i].copyto(data[0].context)
    for i in range(1, len(data)):
        data[0].copyto(data[i])


data = [nd.ones((1, 2), ctx=c) * (i + 1) for i, c in enumerate(ctx)]
print('Before:', data)
allreduce(data)
print('After:', data)

# %% [markdown]
# `split_and_load` cuts a batch into equal parts, one per device.

# %%
def split_and_load(data, ctx):
    n, k = data.shape[0], len(ctx)
    m = n // k
    assert m * k == n, '# examples is not divided by # devices'
    return [data[i * m:(i + 1) * m].as_in_context(ctx[i]) for i in range(k)]


batch = nd.arange(16).reshape((4, 4))
splitted = split_and_load(batch, ctx)

print('Input: ', batch)
print('Load into', ctx)
print('Output:', splitted)

# %% [markdown]
# ## Training one batch
# Forward and backward on each device, gradients summed, then the same SGD step everywhere.

# %%
from mxnet import autograd


def train_batch(data, label, params, ctx, lr):
    # split the data batch and load them on the devices
    data_list = split_and_load(data, ctx)
    label_list = split_and_load(label, ctx)
    # run forward on each device
    with autograd.record():
        losses = [loss(lenet(X, W), Y)
                  for X, Y, W in zip(data_list, label_list, params)]
    # run backward on each device
    for l in losses:
        l.backward()
    # aggregate gradient over the devices
    for i in range(len(params[0])):
        allreduce([params[c][i].grad for c in range(len(ctx))])
    # update parameters with SGD on each device
    for p in params:
        utils.SGD(p, lr / data.shape[0])

# %% [markdown]
# ## Training
# The book's `train(num_gpus, batch_size, lr)` on the first `num_gpus` devices of `ctx`,
# each time from the same initial `params`. Ours adds a check after the book's lines: the
# largest difference between any two devices' copies of the weights, which should be 0.

# %%
from time import time

runs = []  # one entry per call of train, for the summary below


def train(num_gpus, batch_size, lr):
    train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

    train_ctx = ctx[:num_gpus]
    print('Running on', train_ctx)

    # the parameters, copied to every device
    dev_params = [get_params(params, c) for c in train_ctx]

    for epoch in runtime.epochs(epochs):
        # train
        start = time()
        for data, label in train_data:
            train_batch(data, label, dev_params, train_ctx, lr)
        nd.waitall()
        print('Epoch %d, training time = %.1f sec' % (
            epoch, time() - start))
        runtime.check_finite(0.0, lr, params=dev_params[0])  # no loss here: check the weights

        # validating on the first device
        net = lambda data: lenet(data, dev_params[0])
        test_acc = utils.evaluate_accuracy(test_data, net, train_ctx[0])
        print('         validation accuracy = %.4f' % (test_acc))

    spread = max((nd.abs(p.as_in_context(train_ctx[0]) - p0).max().asscalar()
                  for copy in dev_params[1:] for p, p0 in zip(copy, dev_params[0])), default=0.0)
    print('weight copies on', train_ctx, 'differ by at most', spread)
    runs.append({'devices': len(train_ctx), 'batch_size': batch_size, 'lr': lr,
                 'test_acc': test_acc, 'spread': spread})


# %% [markdown]
# First on one device.

# %%
train(1, batch_size, learning_rate)

# %% [markdown]
# On every device of `ctx` with the same settings: each step sees the same batch as before,
# so the result agrees with the one-device run up to the order of the data.

# %%
train(len(ctx), batch_size, learning_rate)

# %% [markdown]
# A bigger batch gives each device more to do per step; the book doubles the learning rate
# with it. The book's exercises: other batch sizes and rates, evaluation on all devices, and
# what summing on the first device costs.

# %%
train(len(ctx), 2 * batch_size, 2 * learning_rate)

# %% [markdown]
# ## Summary

# %%
for r in runs:
    print('%d device(s), batch %d, lr %.2f: validation accuracy %.4f, copies differ by %g'
          % (r['devices'], r['batch_size'], r['lr'], r['test_acc'], r['spread']))
test_acc_one_device = runs[0]['test_acc']
# the run on every device at the one-device run's batch size and rate (a distributed worker has
# only its one run)
test_acc_data_parallel = runs[min(1, len(runs) - 1)]['test_acc']
copies_identical = all(r['spread'] == 0 for r in runs)
