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
# # 批量归一化 --- 使用 Gluon (Batch normalization with Gluon)
#
# Book section 5.4. The LeNet of section 5.2 with an `nn.BatchNorm(axis=1)` layer (one mean
# and variance per channel) after each convolution and before its ReLU. Gluon keeps the
# moving statistics itself and uses them whenever the net runs outside `autograd.record()`.

# %% tags=["parameters"]
epochs = 5                    # passes over the training data
batch_size = 256              # examples per mini-batch
learning_rate = 0.2           # SGD step size
ctx = "auto"                  # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1                      # seeds random, numpy and mx.random
subset = None                 # use only the first N training and N test images (a quick run)
hybridize = True              # compile the network (faster); off, it runs imperatively as in the book
out = "out/batch_norm_gluon"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The model with batch-normalization layers

# %%
from mxnet.gluon import nn

net = nn.Sequential()
with net.name_scope():
    # first convolution block
    net.add(nn.Conv2D(channels=20, kernel_size=5))
    # batch normalization, per channel
    net.add(nn.BatchNorm(axis=1))
    net.add(nn.Activation(activation='relu'))
    net.add(nn.MaxPool2D(pool_size=2, strides=2))
    # second convolution block
    net.add(nn.Conv2D(channels=50, kernel_size=3))
    # batch normalization, per channel
    net.add(nn.BatchNorm(axis=1))
    net.add(nn.Activation(activation='relu'))
    net.add(nn.MaxPool2D(pool_size=2, strides=2))
    net.add(nn.Flatten())
    # first dense layer
    net.add(nn.Dense(128, activation="relu"))
    # second dense layer
    net.add(nn.Dense(10))

# %% [markdown]
# ## Training
# The rest is section 5.2's. The book ends at a test accuracy of 0.906, against 0.882 without
# batch normalization and 0.885 for the from-scratch version. The book's exercise: add
# batch normalization after the first dense layer too (an `nn.BatchNorm()` before its
# activation) and compare.

# %%
import utils
from mxnet import autograd
from mxnet import gluon
from mxnet import nd

net.initialize(ctx=ctx)
runtime.hybridize(net, hybridize)
print(net)

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
