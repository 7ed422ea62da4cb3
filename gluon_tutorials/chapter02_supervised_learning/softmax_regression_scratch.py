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
# # 多类逻辑回归 --- 从 0 开始 (Softmax regression from scratch)
#
# Book section 3.3. Ten output units instead of one: a linear layer followed by a
# hand-written softmax turns each Fashion-MNIST image into ten class probabilities, trained
# with a hand-written cross-entropy loss and measured by accuracy.

# %% tags=["parameters"]
epochs = 5             # passes over the training data
batch_size = 256       # examples per mini-batch
learning_rate = 0.1    # SGD step size (the gradient is averaged over the batch)
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
subset = None          # use only the first N training and N test images (a quick run)
out = "out/softmax_regression_scratch"  # folder for the figures this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Getting the data
# Fashion-MNIST: 28x28 grey images of clothes in ten classes. The book reads it with
# `gluon.data.vision.FashionMNIST`; `utils.FashionMNIST` is the same kind of dataset but
# finds the files through this project's data layer (MXNet's own class insists on its
# copy's `.gz` hashes and on downloading). Each example is an HWC image and a label.

# %%
from mxnet import gluon
from mxnet import ndarray as nd
import utils


def transform(data, label):
    return data.astype('float32')/255, label.astype('float32')


mnist_train = utils.FashionMNIST(train=True, transform=transform)
mnist_test = utils.FashionMNIST(train=False, transform=transform)

# %%
data, label = mnist_train[0]
print('example shape: ', data.shape, 'label:', label)

# %% [markdown]
# The first nine training images and their class names. The book writes `show_images` and
# `get_text_labels` here and keeps them in `utils.py`; ours take a title per image and a
# file to write as well.

# %%
from utils import show_images, get_text_labels

data, label = mnist_train[0:9]
show_images(data, get_text_labels(label), f"{out}/train_images.png", ncols=9)
print(get_text_labels(label))

# %% [markdown]
# ## Reading the data in mini-batches
# The training batches are shuffled, the test batches are not. The book wraps the two
# datasets above in `DataLoader`s, which apply `transform` one image at a time (about 17 s
# an epoch here); `utils.load_data_fashion_mnist` hands out the same batches in the same
# order, cut from whole arrays in well under a second (as CHW images, which the model
# below flattens to the same 784 numbers).

# %%
train_data, test_data = utils.load_data_fashion_mnist(batch_size, subset=subset)

# %% [markdown]
# ## Model parameters
# Each image becomes a vector of 28 * 28 = 784 inputs; ten outputs, one per class.

# %%
num_inputs = 784
num_outputs = 10

W = nd.random_normal(shape=(num_inputs, num_outputs), ctx=ctx)
b = nd.random_normal(shape=num_outputs, ctx=ctx)

params = [W, b]

# %%
for param in params:
    param.attach_grad()


# %% [markdown]
# ## The model
# Softmax exponentiates each score and divides by the row's total, so every row becomes
# non-negative numbers that sum to 1.

# %%
def softmax(X):
    exp = nd.exp(X)
    partition = exp.sum(axis=1, keepdims=True)
    return exp / partition


# %%
X = nd.random_normal(shape=(2, 5))
X_prob = softmax(X)
print(X_prob)
print(X_prob.sum(axis=1))


# %%
def net(X):
    return softmax(nd.dot(X.reshape((-1, num_inputs)), W) + b)


# %% [markdown]
# ## Cross-entropy loss
# With a one-hot label the cross-entropy is minus the log of the probability the model
# gives the true class; `nd.pick` picks that probability out of each row.

# %%
def cross_entropy(yhat, y):
    return - nd.pick(nd.log(yhat), y)


# %% [markdown]
# ## Accuracy
# The book writes `accuracy` (the share of rows whose largest output is the label) and
# `evaluate_accuracy` (its mean over a data iterator) here and keeps both in `utils.py`
# for the later sections; ours also take the device. The untrained model should be right
# about one time in ten.

# %%
from utils import accuracy, evaluate_accuracy

print('test acc before training: %f' % evaluate_accuracy(test_data, net, ctx))

# %% [markdown]
# ## Training
# The loop of linear regression, with `utils.SGD` stepping by `learning_rate / batch_size`
# (the gradient is summed over the batch, so this averages it). The test accuracy should
# end near the book's 0.72. The book's exercise: raise `learning_rate` (to 1 or 10) and
# watch the loss turn into `nan`: the softmax above overflows once the scores grow large.
# The run then stops with a message after that epoch's line.

# %%
from mxnet import autograd

for epoch in runtime.epochs(epochs):
    train_loss = 0.
    train_acc = 0.
    for data, label in train_data:
        data, label = data.as_in_context(ctx), label.as_in_context(ctx)
        with autograd.record():
            output = net(data)
            loss = cross_entropy(output, label)
        loss.backward()
        utils.SGD(params, learning_rate/batch_size)
        # summed on the device and read once an epoch: a read per batch makes MXNet wait
        train_loss += nd.mean(loss)
        train_acc += utils.batch_accuracy(output, label)
    test_acc = evaluate_accuracy(test_data, net, ctx)
    print("Epoch %d. Loss: %f, Train acc %f, Test acc %f" % (
        epoch, train_loss.asscalar() / len(train_data), train_acc.asscalar() / len(train_data),
        test_acc))
    runtime.check_loss(train_loss / len(train_data), runtime.chance_loss(10), learning_rate, params)

# %% [markdown]
# ## Predictions
# The first nine test images: their true class names, then the model's guesses.

# %%
data, label = mnist_test[0:9]
print('true labels')
print(get_text_labels(label))

predicted_labels = net(data.as_in_context(ctx)).argmax(axis=1)
print('predicted labels')
print(get_text_labels(predicted_labels.asnumpy()))

utils.show_predictions(net, test_data, ctx, f"{out}/predictions.png")
