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
# # 卷积神经网络 --- 使用 Gluon (Convolutional neural networks with Gluon)
#
# Book section 5.2. The LeNet of section 5.1 again, now from `nn.Conv2D`, `nn.MaxPool2D` and
# `nn.Dense`. Gluon works out each layer's input size on the first batch, so the 1250 inputs
# of the first dense layer no longer have to be counted by hand.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.5    # SGD step size
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/cnn_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The model

# %%
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    net.add(nn.Conv2D(channels=20, kernel_size=5, activation='relu'))
    net.add(nn.MaxPool2D(pool_size=2, strides=2))
    net.add(nn.Conv2D(channels=50, kernel_size=3, activation='relu'))
    net.add(nn.MaxPool2D(pool_size=2, strides=2))
    net.add(nn.Flatten())
    net.add(nn.Dense(128, activation="relu"))
    net.add(nn.Dense(10))

# %% [markdown]
# The weights are created on `ctx` (the book's `utils.try_gpu()` is `ctx = "auto"` here).

# %%
import utils

net.initialize(ctx=ctx)
runtime.hybridize(net, hybridize)

print('initialize weight on', ctx)
print(net)

# %% [markdown]
# ## Data and training
# The loop of chapter 3. The test accuracy should end near the book's 0.882, above the
# from-scratch LeNet's 0.845, which trained at a smaller step. The book's exercise: change the
# convolution layers (`channels`, `kernel_size`) and see how much easier it is than in 5.1.

# %%
from mxnet import autograd
from mxnet import gluon
from mxnet import nd

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': learning_rate})

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        label = label.as_in_context(ctx)
        with autograd.record():
            output = net(data.as_in_context(ctx))
            loss = softmax_cross_entropy(output, label)
        loss.backward()
        trainer.step(batch_size)
        # summed on the device and read once an epoch: a read per batch makes MXNet wait
        train_loss += nd.mean(loss)
        train_acc += utils.batch_accuracy(output, label)
    test_acc = utils.evaluate_accuracy(test_data, net, ctx)
    print("Epoch %d. Loss: %f, Train acc %f, Test acc %f" % (
        epoch, train_loss.asscalar() / len(train_data), train_acc.asscalar() / len(train_data),
        test_acc))
    runtime.check_loss(train_loss / len(train_data), runtime.chance_loss(10), learning_rate)

# %% [markdown]
# ## Predictions
# The first test images with their true and predicted labels.

# %%
utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png")
