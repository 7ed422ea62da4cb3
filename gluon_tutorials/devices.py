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


DEVICE_FORMS = "auto, cpu, cpu:N, gpu or gpu:N"
LIST_FORMS = "a list such as cpu:0,cpu:1 or gpu:0,gpu:1, or auto:N (N GPUs when N work, else N CPUs)"


def is_device_list(text):
    """True for the texts that name a list of devices: 'a,b,...' or 'auto:N'."""
    text = str(text).strip().lower()
    return "," in text or text.startswith("auto:")


def device(text):
    """'auto' | 'cpu' | 'cpu:N' | 'gpu' | 'gpu:N' -> an mx.Context that works here;
    'cpu:0,cpu:1', 'gpu:0,gpu:1' ... or 'auto:N' -> a list of them (see `devices`)."""
    if is_device_list(text):
        return devices(text)
    import mxnet as mx

    text = str(text).strip().lower()
    if text == "auto":
        return try_gpu()
    match = re.fullmatch(r"(cpu|gpu)(?::(\d+))?", text)
    if not match:
        raise DeviceError(f"unknown device {text!r}: use {DEVICE_FORMS}, or {LIST_FORMS}")
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


def devices(text):
    """A list of mx.Contexts, each checked as `device` checks one: 'cpu:0,cpu:1',
    'gpu:0,gpu:1', 'gpu:0' (a list of one) or 'auto:N', which takes gpu:0..N-1 when N
    GPUs work and cpu:0..N-1 otherwise (MXNet computes on cpu(0) and cpu(1) as two
    devices, though they share the processor and its memory)."""
    import mxnet as mx

    text = str(text).strip().lower()
    auto = re.fullmatch(r"auto:(\d+)", text)
    if auto:
        count = int(auto.group(1))
        if count < 1:
            raise DeviceError(f"{text!r} asks for no device: use auto:N with N >= 1")
        gpus = [mx.gpu(i) for i in range(count)]
        if num_gpus() >= count and all(_works(g) for g in gpus):
            return gpus
        return [mx.cpu(i) for i in range(count)]
    if text.startswith("auto"):
        raise DeviceError(f"unknown device list {text!r}: use {LIST_FORMS}")
    items = [item.strip() for item in text.split(",")]
    if any(item in ("", "auto") for item in items):
        raise DeviceError(f"unknown device list {text!r}: use {LIST_FORMS}")
    found = [device(item) for item in items]
    if len(set(found)) < len(found):
        raise DeviceError(f"device list {text!r} names a device twice: "
                          f"each copy of the weights needs a device of its own")
    return found


def check_cpu_list(found):
    """Two CPU contexts computing at once hang MXNet 1.9.1's OpenBLAS when it may use several
    threads (seen here with OMP_NUM_THREADS=2: two concurrent 128x128 products never
    return). `run` sets OMP_NUM_THREADS=1 before MXNet starts for a CPU list; elsewhere
    (Jupyter, tests) refuse with what to do, rather than hang."""
    import os

    threads = os.environ.get("OMP_NUM_THREADS", "1")
    if sum(c.device_type == "cpu" for c in found) > 1 and threads != "1":
        raise DeviceError(f"several CPU contexts ({found}) computing at once hang MXNet 1.9.1's "
                          f"BLAS with OMP_NUM_THREADS={threads}: set OMP_NUM_THREADS=1 before "
                          f"MXNet starts (`run` does so itself), or use one CPU and GPUs")


def blas_threads_for(ctx_text):
    """Before MXNet starts: one BLAS thread when `ctx_text` may give several CPU contexts
    (see check_cpu_list); with a GPU list the host's threads matter little."""
    import os
    import sys

    if "mxnet" not in sys.modules and is_device_list(ctx_text) and "gpu" not in str(ctx_text):
        os.environ["OMP_NUM_THREADS"] = "1"
