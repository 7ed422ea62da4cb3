"""Computing on a GPU: contexts, creating and moving NDArrays (copyto, as_in_context),
computing where the data lives, and Gluon parameters on a device.

Without a GPU the same steps run with cpu(1) standing in for the GPU and cpu(0)
as the host: MXNet treats them as two contexts, though they share one memory.
"""
import sys

import mxnet as mx
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli


def pick_device(ctx):
    """The context the book's "GPU" steps use, and a line saying which it is."""
    if ctx.device_type == "gpu":
        return ctx, f"Using {ctx}."
    if utils.num_gpus() == 0:
        reason = "No GPU found: MXNet sees no GPU on this machine"
    else:
        reason = "--ctx cpu: the GPU is left alone"
    return mx.cpu(1), (f"{reason}. The steps below use cpu(1) where the book uses gpu(0), "
                       f"and cpu(0) as the host.")


def mxnet_error(action):
    """The last line of the MXNetError `action()` raises (MXNet puts its own
    stack trace before it), or None when it runs."""
    try:
        action()
    except mx.base.MXNetError as err:
        return str(err).strip().splitlines()[-1]
    return None


def gradients(net, loss, X, y, ctx_list):
    """Each parameter's gradient for the summed loss of the batch (X, y), the batch
    split across `ctx_list` with split_and_load; the devices' parts are added up."""
    X_parts = gluon.utils.split_and_load(X, ctx_list)
    y_parts = gluon.utils.split_and_load(y, ctx_list)
    with autograd.record():
        losses = [loss(net(X_part), y_part) for X_part, y_part in zip(X_parts, y_parts)]
    autograd.backward(losses)
    return {name: sum(g.as_in_context(ctx_list[0]) for g in p.list_grad())
            for name, p in net.collect_params().items()}


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__)
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    device, message = pick_device(args.ctx)
    print(message)

    # Contexts are plain names: making one needs no device.
    print([mx.cpu(), mx.gpu(), mx.gpu(1)])

    x = nd.array([1, 2, 3])
    print(x.context)

    # Creating arrays on the device
    a = nd.array([1, 2, 3], ctx=device)
    b = nd.zeros((3, 2), ctx=device)
    c = nd.random.uniform(shape=(2, 3), ctx=device)
    print((a, b, c))

    # The first GPU index that does not exist here: MXNet refuses it.
    missing = mx.gpu(utils.num_gpus())
    missing_error = mxnet_error(lambda: nd.array([1, 2, 3], ctx=missing).wait_to_read())
    sys.stdout.flush()  # keep the order when stdout and stderr share a pipe
    sys.stderr.write(f"{missing}: {missing_error}\n")

    # copyto always copies; as_in_context copies only when the context differs.
    y = x.copyto(device)
    z = x.as_in_context(device)
    print((y, z))
    yy = y.as_in_context(device)
    zz = z.copyto(device)
    print((yy is y, zz is z))

    # Computing on the device: the result stays where the inputs are.
    result = nd.exp(z + 2) * y
    print(result)

    print(x.context, y.context)
    mixed_error = mxnet_error(lambda: (x + y).wait_to_read())
    if mixed_error:
        sys.stdout.flush()
        sys.stderr.write(mixed_error + "\n")
    else:
        print("x + y ran: MXNet refuses to mix a CPU and a GPU array, "
              "but cpu(0) and cpu(1) are both host memory")

    # Printing and asnumpy() copy back to the host as needed.
    print(y)
    print(y.asnumpy())
    print(y.sum().asscalar())

    # Gluon: parameters initialised on the device, fed data on the device.
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(1))
    net.initialize(ctx=device)
    data = nd.random.uniform(shape=[3, 2], ctx=device)
    output = net(data)
    print(output)
    print(net[0].weight.data())

    # Not in the book: data parallelism. One batch split across two contexts
    # gives the gradients of the whole batch on one context.
    gpus = utils.try_all_gpus()
    ctx_list = gpus if len(gpus) > 1 and gpus[0].device_type == "gpu" else [mx.cpu(0), mx.cpu(1)]
    mlp = gluon.nn.Sequential()
    mlp.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(1))
    mlp.initialize(ctx=ctx_list[0])
    X, target = nd.random.uniform(shape=(8, 4)), nd.random.uniform(shape=(8, 1))
    mlp(X.as_in_context(ctx_list[0]))
    loss = gluon.loss.L2Loss()
    single = gradients(mlp, loss, X, target, ctx_list[:1])
    mlp.collect_params().reset_ctx(ctx_list)
    split = gradients(mlp, loss, X, target, ctx_list)
    max_diff = max(nd.abs(single[k] - split[k]).max().asscalar() for k in single)
    print(f"gradients with the batch split over {ctx_list} vs on {ctx_list[0]}: "
          f"max |diff| {max_diff:g}")

    return {"gpu_found": utils.num_gpus() > 0, "device": str(device),
            "missing_device_error": missing_error, "same_object": [yy is y, zz is z],
            "exp": result.asnumpy().tolist(), "mixed_context_error": mixed_error,
            "output_context": str(output.context), "data_parallel_ctx": [str(c) for c in ctx_list],
            "data_parallel_max_diff": max_diff}


if __name__ == "__main__":
    sys.exit(cli.run(main))
