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
# # 多层感知机 --- 使用 Gluon (Multilayer perceptron with Gluon)
#
# Book section 3.6. The Gluon softmax regression of section 3.4 with one more line: a
# hidden `Dense` layer with a ReLU between the input and the output layer.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.5    # SGD step size
num_hidden = 256       # units in the hidden layer
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/mlp_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The model

# %%
from mxnet import gluon

net = gluon.nn.Sequential()
with net.name_scope():
    net.add(gluon.nn.Flatten())
    net.add(gluon.nn.Dense(num_hidden, activation="relu"))
    net.add(gluon.nn.Dense(10))
net.initialize(ctx=ctx)
runtime.hybridize(net, hybridize)

# %% [markdown]
# ## Data and training
# Loss, trainer and loop are section 3.4's. Look at the last line: the test accuracy should
# end near the book's 0.879, a few points above softmax regression's. Exercises from the
# book: add more hidden layers, or try another `activation`.

# %%
from mxnet import ndarray as nd
from mxnet import autograd
import utils

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
