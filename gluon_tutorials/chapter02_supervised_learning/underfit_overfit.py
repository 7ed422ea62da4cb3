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
# # 欠拟合和过拟合 (Underfitting and overfitting)
#
# Book section 3.7. Data from a cubic polynomial, fitted three ways with Gluon: a
# third-order model on 100 examples fits well, a linear model cannot follow the curve
# (underfitting), and a third-order model trained on two examples fits them and nothing else
# (overfitting). The train and test loss of each fit are drawn side by side.

# %% tags=["parameters"]
epochs = 100           # passes over the training data, in every fit
batch_size = 10        # examples per mini-batch (never more than the training set)
learning_rate = 0.01   # SGD step size
num_train = 100        # training examples of the normal and the underfitting fit
num_test = 100         # test examples
few = 2                # training examples of the overfitting fit (at most num_train)
ctx = "cpu"            # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
hybridize = True       # compile the network (faster); off, it runs imperatively as in the book
out = "out/underfit_overfit"  # folder for the figure this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Data
# `y = 1.2x - 3.4x^2 + 5.6x^3 + 5.0` plus Gaussian noise with standard deviation 0.1; the
# training and test examples come from the same function.

# %%
from mxnet import ndarray as nd
from mxnet import autograd
from mxnet import gluon

true_w = [1.2, -3.4, 5.6]
true_b = 5.0

# %% [markdown]
# The features of each example are `x`, `x^2` and `x^3`.

# %%
x = nd.random.normal(shape=(num_train + num_test, 1), ctx=ctx)
X = nd.concat(x, nd.power(x, 2), nd.power(x, 3))
y = true_w[0] * X[:, 0] + true_w[1] * X[:, 1] + true_w[2] * X[:, 2] + true_b
y += .1 * nd.random.normal(shape=y.shape, ctx=ctx)

('x:', x[:5], 'X:', X[:5], 'y:', y[:5])

# %% [markdown]
# ## Training and testing
# The Gluon linear regression of section 3.2 in one function, so that each fit below is one
# call. After every epoch it scores the whole training and test sets; the curves are kept
# in `losses` and drawn at the end.

# %%
losses = []


def train(X_train, X_test, y_train, y_test):
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Dense(1))
    net.initialize(ctx=ctx)
    runtime.hybridize(net, hybridize)
    # epochs and learning_rate come from the parameters cell; a batch never exceeds the data
    batch = min(batch_size, y_train.shape[0])
    dataset_train = gluon.data.ArrayDataset(X_train, y_train)
    data_iter_train = gluon.data.DataLoader(
        dataset_train, batch, shuffle=True)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {
        'learning_rate': learning_rate})
    square_loss = gluon.loss.L2Loss()
    train_loss = []
    test_loss = []
    # the untrained net's loss: an epoch far above it means the run diverged
    untrained_loss = square_loss(net(X_train), y_train).mean().asscalar()
    for e in runtime.epochs(epochs):
        for data, label in data_iter_train:
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = square_loss(output, label)
            loss.backward()
            trainer.step(batch)
        train_loss.append(square_loss(
            net(X_train), y_train).mean().asscalar())
        test_loss.append(square_loss(
            net(X_test), y_test).mean().asscalar())
        runtime.check_loss(train_loss[-1], untrained_loss, learning_rate, net.collect_params())
    losses.append((train_loss, test_loss))
    print("train loss %f, test loss %f, learned weight %s, learned bias %f" % (
        train_loss[-1], test_loss[-1],
        [round(v, 4) for v in net[0].weight.data().reshape((-1,)).asnumpy().tolist()],
        net[0].bias.data().asscalar()))
    return ('learned weight', net[0].weight.data(),
            'learned bias', net[0].bias.data())


# %% [markdown]
# ## Third-order fit (normal)
# The model has the same form as the function that made the data: both losses end low and
# the weights come out close to `[1.2, -3.4, 5.6]` and 5.0 (the book: 1.195, -3.385,
# 5.599 and 4.973).

# %%
_, w, _, b = train(X[:num_train, :], X[num_train:, :], y[:num_train], y[num_train:])

# %% [markdown]
# ## Linear fit (underfitting)
# A straight line through a cubic: the training loss itself stays high.

# %%
train(x[:num_train, :], x[num_train:, :], y[:num_train], y[num_train:])

# %% [markdown]
# ## Too few examples (overfitting)
# The third-order model again, trained on `few` examples, fewer than it has parameters: the
# training loss ends far below the test loss (the book's run: weights 1.11, 1.81, 3.67 and
# bias 0.65, nowhere near the truth). Set `few` higher and watch the gap close.

# %%
if few > num_train:
    raise ValueError(f"few ({few}) must not exceed num_train ({num_train})")
train(X[0:few, :], X[num_train:, :], y[0:few], y[num_train:])

# %% [markdown]
# ## The loss curves
# One panel per fit, on a log scale. The book's exercises: what happens when a third-order
# model fits data made by a linear function, and can 1000 examples drive the expected
# training error of the third-order fit to zero?

# %%
import utils

titles = ["third-order fit (normal)", "linear fit (underfitting)",
          f"third-order fit on {few} examples (overfitting)"]
utils.plot_loss_curves([(title, {"train": train_loss, "test": test_loss})
                        for title, (train_loss, test_loss) in zip(titles, losses)],
                       f"{out}/losses.png")
