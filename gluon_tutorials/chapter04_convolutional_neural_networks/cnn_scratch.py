"""Convolutional networks from scratch: nd.Convolution, nd.Pooling and LeNet.

First the book's small convolution and pooling examples, then LeNet built from
raw parameters (conv 20@5x5, max-pool 2, conv 50@3x3, max-pool 2, dense 128,
dense 10) on Fashion-MNIST; batch 256, SGD lr 0.2, 5 epochs.
"""
import sys

import mxnet as mx
from mxnet import gluon, nd

import utils
from gluon_tutorials import cli


def conv(data, w, b, **kwargs):
    """nd.Convolution with the kernel size and the number of filters read off the weight
    (out_channels x in_channels x height x width)."""
    return nd.Convolution(data, w, b, kernel=w.shape[2:], num_filter=w.shape[0], **kwargs)


def convolution_examples():
    """The book's examples, name -> (input, weight, bias, output); data is batch x channel x
    height x width."""
    examples = {}
    data = nd.arange(9).reshape((1, 1, 3, 3))
    w, b = nd.arange(4).reshape((1, 1, 2, 2)), nd.array([1])
    examples["one channel"] = (data, w, b, conv(data, w, b))
    examples["stride 2, pad 1"] = (data, w, b, conv(data, w, b, stride=(2, 2), pad=(1, 1)))
    # Several input channels: each channel has its own kernel and the results add up.
    data = nd.arange(18).reshape((1, 2, 3, 3))
    w = nd.arange(8).reshape((1, 2, 2, 2))
    examples["two input channels"] = (data, w, b, conv(data, w, b))
    # Several output channels: one multi-channel kernel (and one bias) per output channel.
    w, b = nd.arange(16).reshape((2, 2, 2, 2)), nd.array([1, 2])
    examples["two output channels"] = (data, w, b, conv(data, w, b))
    return examples


def pooling_examples():
    """Max and average pooling over 2x2 windows, each channel on its own."""
    data = nd.arange(18).reshape((1, 2, 3, 3))
    return data, {pool_type: nd.Pooling(data=data, pool_type=pool_type, kernel=(2, 2))
                  for pool_type in ("max", "avg")}


def get_params(ctx=mx.cpu(), weight_scale=.01):
    """LeNet's weights from N(0, weight_scale^2) and zero biases, created on `ctx`."""
    # 20 output channels, 5x5 kernels
    W1 = nd.random_normal(shape=(20, 1, 5, 5), scale=weight_scale, ctx=ctx)
    b1 = nd.zeros(W1.shape[0], ctx=ctx)
    # 50 output channels, 3x3 kernels
    W2 = nd.random_normal(shape=(50, 20, 3, 3), scale=weight_scale, ctx=ctx)
    b2 = nd.zeros(W2.shape[0], ctx=ctx)
    # 28 -conv5-> 24 -pool-> 12 -conv3-> 10 -pool-> 5, so 50 * 5 * 5 = 1250 inputs
    W3 = nd.random_normal(shape=(1250, 128), scale=weight_scale, ctx=ctx)
    b3 = nd.zeros(W3.shape[1], ctx=ctx)
    W4 = nd.random_normal(shape=(W3.shape[1], 10), scale=weight_scale, ctx=ctx)
    b4 = nd.zeros(W4.shape[1], ctx=ctx)
    params = [W1, b1, W2, b2, W3, b3, W4, b4]
    for param in params:
        param.attach_grad()
    return params


def net(X, params, verbose=False):
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    X = X.as_in_context(W1.context)
    h1_conv = conv(X, W1, b1)
    h1 = nd.Pooling(data=nd.relu(h1_conv), pool_type="max", kernel=(2, 2), stride=(2, 2))
    h2_conv = conv(h1, W2, b2)
    h2 = nd.Pooling(data=nd.relu(h2_conv), pool_type="max", kernel=(2, 2), stride=(2, 2))
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

    for name, (data, w, b, out) in convolution_examples().items():
        print(f"convolution, {name}:\ninput: {data}\nweight: {w}\nbias: {b}\noutput: {out}\n")
    data, pooled = pooling_examples()
    print(f"pooling input: {data}\nmax pooling: {pooled['max']}\navg pooling: {pooled['avg']}\n")

    train_data, test_data = utils.load_data_fashion_mnist(args.batch_size, subset=args.subset)
    utils.say_subset(args.subset)
    params = get_params(args.ctx)
    for data, _ in train_data:
        net(data, params, verbose=True)  # the shape after each block, on one batch
        break

    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    result = utils.train(train_data, test_data, lambda X: net(X, params), softmax_cross_entropy,
                         None, args.ctx, args.epochs, args.batch_size, params=params, lr=args.lr)
    utils.show_predictions(lambda X: net(X, params), test_data, args.ctx,
                           args.out / "predictions.png")
    return result


if __name__ == "__main__":
    sys.exit(cli.run(main))
