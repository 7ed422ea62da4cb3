"""Batch normalisation from scratch: pure_batch_norm, batch_norm and LeNet with batch norm.

Each feature (dense input) or each channel (convolutional input) is normalised over the
batch, then scaled by gamma and shifted by beta.

`pure_batch_norm` on the book's small arrays, then `batch_norm` with moving statistics
for prediction, and LeNet with batch norm after each convolution (before the relu) on
Fashion-MNIST; batch 256, SGD lr 0.2, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli
from gluon_tutorials.chapter04_convolutional_neural_networks.cnn_scratch import conv


def batch_statistics(X):
    """Mean and (biased) variance over the batch: per feature for batch x feature input,
    per channel for batch x channel x height x width input, where keepdims leaves a
    1 x channel x 1 x 1 shape that broadcasts against X."""
    assert len(X.shape) in (2, 4), "batch norm takes dense (2D) or convolutional (4D) input"
    axis = 0 if len(X.shape) == 2 else (0, 2, 3)
    mean = X.mean(axis=axis, keepdims=True)
    # nd.square rather than ** 2: MXNet's power op is several times slower, forward and backward
    variance = nd.square(X - mean).mean(axis=axis, keepdims=True)
    return mean, variance


def pure_batch_norm(X, gamma, beta, eps=1e-5):
    mean, variance = batch_statistics(X)
    X_hat = (X - mean) / nd.sqrt(variance + eps)
    return gamma.reshape(mean.shape) * X_hat + beta.reshape(mean.shape)


def batch_norm(X, gamma, beta, is_training, moving_mean, moving_variance,
               eps=1e-5, moving_momentum=0.9):
    """Training normalises with the batch's statistics and folds them into the moving ones;
    prediction normalises with the moving statistics, so one example alone works too."""
    mean, variance = batch_statistics(X)
    # reshape gives views: writing into them below updates the caller's arrays in place
    moving_mean = moving_mean.reshape(mean.shape)
    moving_variance = moving_variance.reshape(mean.shape)
    if is_training:
        X_hat = (X - mean) / nd.sqrt(variance + eps)
        moving_mean[:] = moving_momentum * moving_mean + (1.0 - moving_momentum) * mean
        moving_variance[:] = moving_momentum * moving_variance + (1.0 - moving_momentum) * variance
    else:
        X_hat = (X - moving_mean) / nd.sqrt(moving_variance + eps)
    return gamma.reshape(mean.shape) * X_hat + beta.reshape(mean.shape)


def get_params(ctx=mx.cpu(), weight_scale=.01):
    """LeNet's parameters with a gamma and beta per conv channel (from N(0, weight_scale^2),
    as in the book), and the moving statistics, which SGD must not touch: (params, moving)."""
    c1, c2, o3 = 20, 50, 128
    W1 = nd.random.normal(shape=(c1, 1, 5, 5), scale=weight_scale, ctx=ctx)
    b1 = nd.zeros(c1, ctx=ctx)
    gamma1 = nd.random.normal(shape=c1, scale=weight_scale, ctx=ctx)
    beta1 = nd.random.normal(shape=c1, scale=weight_scale, ctx=ctx)
    W2 = nd.random.normal(shape=(c2, c1, 3, 3), scale=weight_scale, ctx=ctx)
    b2 = nd.zeros(c2, ctx=ctx)
    gamma2 = nd.random.normal(shape=c2, scale=weight_scale, ctx=ctx)
    beta2 = nd.random.normal(shape=c2, scale=weight_scale, ctx=ctx)
    W3 = nd.random.normal(shape=(1250, o3), scale=weight_scale, ctx=ctx)
    b3 = nd.zeros(o3, ctx=ctx)
    W4 = nd.random.normal(shape=(o3, 10), scale=weight_scale, ctx=ctx)
    b4 = nd.zeros(10, ctx=ctx)
    params = [W1, b1, gamma1, beta1, W2, b2, gamma2, beta2, W3, b3, W4, b4]
    for param in params:
        param.attach_grad()
    moving = [nd.zeros(c, ctx=ctx) for c in (c1, c1, c2, c2)]
    return params, moving


def net(X, params, moving, is_training=None, verbose=False):
    """LeNet with batch norm between each convolution and its relu. `is_training=None`
    follows autograd (training inside `autograd.record()`), as Gluon's BatchNorm does, so
    utils.train and utils.evaluate_accuracy pick the right mode on their own."""
    W1, b1, gamma1, beta1, W2, b2, gamma2, beta2, W3, b3, W4, b4 = params
    moving_mean1, moving_variance1, moving_mean2, moving_variance2 = moving
    if is_training is None:
        is_training = autograd.is_training()
    X = X.as_in_context(W1.context)
    h1_bn = batch_norm(conv(X, W1, b1), gamma1, beta1, is_training,
                       moving_mean1, moving_variance1)
    h1 = nd.Pooling(data=nd.relu(h1_bn), pool_type="max", kernel=(2, 2), stride=(2, 2))
    h2_bn = batch_norm(conv(h1, W2, b2), gamma2, beta2, is_training,
                       moving_mean2, moving_variance2)
    h2 = nd.Pooling(data=nd.relu(h2_bn), pool_type="max", kernel=(2, 2), stride=(2, 2))
    h2 = nd.flatten(h2)
    h3 = nd.relu(nd.dot(h2, W3) + b3)
    h4_linear = nd.dot(h3, W4) + b4
    if verbose:
        print("1st conv block:", h1.shape)
        print("2nd conv block:", h2.shape)
        print("1st dense:", h3.shape)
        print("2nd dense (output):", h4_linear.shape)
    return h4_linear


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                                epochs=5, batch_size=256, lr=.2, subset=True)
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    A = nd.arange(6).reshape((3, 2))
    print("dense input:", A, "\nnormalised per column:",
          pure_batch_norm(A, gamma=nd.array([1, 1]), beta=nd.array([0, 0])))
    B = nd.arange(18).reshape((1, 2, 3, 3))
    print("convolutional input:", B, "\nnormalised per channel:",
          pure_batch_norm(B, gamma=nd.array([1, 1]), beta=nd.array([0, 0])), "\n")

    train_data, test_data = utils.load_data_fashion_mnist(args.batch_size, subset=args.subset)
    utils.say_subset(args.subset)
    params, moving = get_params(args.ctx)
    for data, _ in train_data:
        net(data, params, moving, is_training=False, verbose=True)
        break

    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    result = utils.train(train_data, test_data, lambda X: net(X, params, moving),
                         softmax_cross_entropy, None, args.ctx, args.epochs, args.batch_size,
                         params=params, lr=args.lr)
    utils.show_predictions(lambda X: net(X, params, moving), test_data, args.ctx,
                           args.out / "predictions.png")
    return result


if __name__ == "__main__":
    sys.exit(cli.run(main))
