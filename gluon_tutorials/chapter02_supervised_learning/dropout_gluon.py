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
# # 丢弃法 --- 使用 Gluon (Dropout with Gluon)
#
# Book section 3.11. The network of section 3.10 built from Gluon layers: an
# `nn.Dropout` after each hidden `Dense` layer. Gluon drops only while training, so the
# test accuracy is measured on the whole network.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.5    # SGD step size
drop_prob1 = 0.2       # drop probability after the first hidden layer
drop_prob2 = 0.5       # drop probability after the second hidden layer
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/dropout_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The model with dropout layers
# Less dropout near the input (`drop_prob1` 0.2) than after the second layer
# (`drop_prob2` 0.5), as in section 3.10.

# %%
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    net.add(nn.Flatten())
    net.add(nn.Dense(256, activation="relu"))
    net.add(nn.Dropout(drop_prob1))
    net.add(nn.Dense(256, activation="relu"))
    net.add(nn.Dropout(drop_prob2))
    net.add(nn.Dense(10))
net.initialize(ctx=ctx)
runtime.hybridize(net, hybridize)

# %% [markdown]
# ## Reading the data and training
# Nothing new here. The test accuracy should end near the book's 0.874, above section
# 3.10's 0.846, which dropped units while testing too. The book's exercise: try other
# pairs of `drop_prob1` and `drop_prob2`.

# %%
import utils
from mxnet import nd
from mxnet import autograd
from mxnet import gluon

train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': learning_rate})

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        data, label = data.as_in_context(ctx), label.as_in_context(ctx)
        with autograd.record():
            output = net(data)
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
