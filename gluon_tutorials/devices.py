"""Devices: which GPUs MXNet can use, and the `ctx` text of a parameters cell as an mx.Context.

At the bottom of the package (it imports no other module of it), so that utils, runtime and
the command line can all use it; `utils.try_gpu` and `runtime.device` are these functions."""
import re

import gluon_tutorials  # noqa: F401  (thread settings before MXNet loads)


class DeviceError(ValueError):
    """A --ctx / `ctx` value that names no usable device; the message says what to use."""


def num_gpus():
    """GPUs MXNet can see; 0 for the CPU build or when the driver is missing."""
    import mxnet as mx

    try:
        return mx.context.num_gpus()
    except mx.base.MXNetError:
        return 0


def _works(ctx):
    import mxnet as mx

    try:
        mx.nd.zeros((1,), ctx=ctx).asscalar()
        return True
    except mx.base.MXNetError:
        return False


def try_gpu():
    """gpu(0) if a GPU works, else cpu(0)."""
    import mxnet as mx

    ctx = mx.gpu()
    return ctx if num_gpus() > 0 and _works(ctx) else mx.cpu()


def try_all_gpus():
    """Every working GPU, or [cpu(0)] when there is none."""
    import mxnet as mx

    ctxes = [mx.gpu(i) for i in range(num_gpus()) if _works(mx.gpu(i))]
    return ctxes or [mx.cpu()]


def device(text):
    """'auto' | 'cpu' | 'cpu:N' | 'gpu' | 'gpu:N' -> an mx.Context that works here."""
    import mxnet as mx

    text = str(text).strip().lower()
    if text == "auto":
        return try_gpu()
    match = re.fullmatch(r"(cpu|gpu)(?::(\d+))?", text)
    if not match:
        raise DeviceError(f"unknown device {text!r}: use auto, cpu, gpu or gpu:N")
    kind, index = match.group(1), int(match.group(2) or 0)
    if kind == "cpu":
        return mx.cpu(index)
    count = num_gpus()
    if index >= count:
        seen = "no GPU is" if count == 0 else f"only {count} GPU(s) are"
        raise DeviceError(
            f"gpu:{index} was asked for but {seen} visible to MXNet "
            f"(a CPU-only mxnet wheel, no driver, or CUDA_VISIBLE_DEVICES); "
            f"use ctx cpu, or auto to take a GPU only when there is one")
    if not _works(mx.gpu(index)):
        raise DeviceError(f"gpu:{index} is visible but MXNet cannot compute on it; "
                          f"see the README's GPU notes")
    return mx.gpu(index)
