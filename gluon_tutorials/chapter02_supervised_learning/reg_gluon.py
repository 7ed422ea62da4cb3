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
# # 正则化 --- 使用 Gluon (Regularization with Gluon)
#
# Book section 3.9. The overfitting problem of section 3.8, now with a Gluon `Dense(1)`
# model. The L2 penalty is no longer written into the loss: the `Trainer`'s `wd` (weight
# decay) argument applies it in every SGD step.

# %% tags=["parameters"]
epochs = 10            # passes over the training data
batch_size = 1         # examples per mini-batch
learning_rate = 0.005  # SGD step size
weight_decay = 5.0     # the Trainer's wd in the second run (0: no decay)
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/reg_gluon"  # folder for the figure this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The data of section 3.8
# 200 inputs, 20 training and 100 test examples; as there, the book's code leaves `true_b`
# out of `y`.

# %%
from mxnet import ndarray as nd
from mxnet import autograd
from mxnet import gluon

num_train = 20
num_test = 100
num_inputs = 200

true_w = nd.ones((num_inputs, 1), ctx=ctx) * 0.01
true_b = 0.05

X = nd.random.normal(shape=(num_train + num_test, num_inputs), ctx=ctx)
y = nd.dot(X, true_w)
y += .01 * nd.random.normal(shape=y.shape, ctx=ctx)

X_train, X_test = X[:num_train, :], X[num_train:, :]
y_train, y_test = y[:num_train], y[num_train:]

# %% [markdown]
# ## Training and testing
# The one new thing is `'wd': weight_decay` in the `Trainer`: each step also shrinks every
# parameter by `learning_rate * wd` times itself, the gradient of `wd / 2 * ||w||^2`. Each
# call of `train` keeps its curves in `losses`; they are drawn at the end.

# %%
dataset_train = gluon.data.ArrayDataset(X_train, y_train)
data_iter_train = gluon.data.DataLoader(dataset_train, batch_size, shuffle=True)

square_loss = gluon.loss.L2Loss()


def test(net, X, y):
    return square_loss(net(X), y).mean().asscalar()


losses = []


def train(weight_decay):
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Dense(1))
    net.initialize(ctx=ctx)
    runtime.hybridize(net, hybridize)

    trainer = gluon.Trainer(net.collect_params(), 'sgd', {
        'learning_rate': learning_rate, 'wd': weight_decay})

    train_loss = []
    test_loss = []
    untrained_loss = test(net, X_train, y_train)  # far above it means diverged
    for e in runtime.epochs(epochs):
        for data, label in data_iter_train:
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = square_loss(output, label)
            loss.backward()
            trainer.step(batch_size)
        train_loss.append(test(net, X_train, y_train))
        test_loss.append(test(net, X_test, y_test))
        runtime.check_loss(train_loss[-1], untrained_loss, learning_rate, net.collect_params())
    losses.append((weight_decay, train_loss, test_loss))
    print("wd %g: train loss %f, test loss %f" % (weight_decay, train_loss[-1], test_loss[-1]))
    print("  learned w[:10]:",
          [round(v, 4) for v in net[0].weight.data()[:, :10].reshape((-1,)).asnumpy().tolist()])
    print("  learned b: %f" % net[0].bias.data().asscalar())
    return ('learned w[:10]:', net[0].weight.data()[:, :10],
            'learned b:', net[0].bias.data())


# %% [markdown]
# ## Overfitting
# No weight decay: the training loss ends near 0, the test loss far above it.

# %%
train(0)

# %% [markdown]
# ## With weight decay
# A fresh net trained with `wd = weight_decay`: a higher training loss, a lower test loss.
# The book's exercise: why does "weight decay" describe what `wd` does, and why is it the
# same as an L2 penalty?

# %%
train(weight_decay)

# %% [markdown]
# ## The loss curves

# %%
import utils

utils.plot_loss_curves([(f"wd = {wd:g}", {"train": train_loss, "test": test_loss})
                        for wd, train_loss, test_loss in losses], f"{out}/losses.png")
