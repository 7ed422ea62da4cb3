"""What a section's cells call besides the book's code: turn the parameters cell's values into
a device and seeds, compile a net, time the epochs, and stop a run that diverged. The same
calls work in Jupyter, from the shell and under `reproduce`."""
import random
import re
import time
import warnings

import numpy as np

import gluon_tutorials  # noqa: F401  (thread settings before MXNet loads)

# Seconds each epoch of the last `epochs()` loop took; reproduce reads it after a run.
epoch_seconds = []


class Diverged(ArithmeticError):
    """The training produced a loss or a parameter that is no longer a finite number."""


class DeviceError(ValueError):
    """A --ctx / `ctx` value that names no usable device; the message says what to use."""


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

    import utils

    text = str(text).strip().lower()
    if text == "auto":
        return utils.try_gpu()
    match = re.fullmatch(r"(cpu|gpu)(?::(\d+))?", text)
    if not match:
        raise DeviceError(f"unknown device {text!r}: use {DEVICE_FORMS}, or {LIST_FORMS}")
    kind, index = match.group(1), int(match.group(2) or 0)
    if kind == "cpu":
        return mx.cpu(index)
    count = utils.num_gpus()
    if index >= count:
        seen = "no GPU is" if count == 0 else f"only {count} GPU(s) are"
        raise DeviceError(
            f"gpu:{index} was asked for but {seen} visible to MXNet "
            f"(a CPU-only mxnet wheel, no driver, or CUDA_VISIBLE_DEVICES); "
            f"use ctx cpu, or auto to take a GPU only when there is one")
    if not utils._works(mx.gpu(index)):
        raise DeviceError(f"gpu:{index} is visible but MXNet cannot compute on it; "
                          f"see the README's GPU notes")
    return mx.gpu(index)


def devices(text):
    """A list of mx.Contexts, each checked as `device` checks one: 'cpu:0,cpu:1',
    'gpu:0,gpu:1', 'gpu:0' (a list of one) or 'auto:N', which takes gpu:0..N-1 when N
    GPUs work and cpu:0..N-1 otherwise (MXNet computes on cpu(0) and cpu(1) as two
    devices, though they share the processor and its memory)."""
    import mxnet as mx

    import utils

    text = str(text).strip().lower()
    auto = re.fullmatch(r"auto:(\d+)", text)
    if auto:
        count = int(auto.group(1))
        if count < 1:
            raise DeviceError(f"{text!r} asks for no device: use auto:N with N >= 1")
        gpus = [mx.gpu(i) for i in range(count)]
        if utils.num_gpus() >= count and all(utils._works(g) for g in gpus):
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


def seed_everything(seed):
    """The DataLoader shuffles with numpy and the book's data_iter with random; seed all three."""
    import mxnet as mx

    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def setup(ctx=None, seed=1, many=False):
    """Seed everything and start block names afresh (mlp0_, sequential0_, as in a new
    kernel); return the mx.Context for `ctx` ('auto', 'cpu', 'gpu:1' ...).

    ``many=True`` is for the sections that compute on several devices: they get a list of
    Contexts for any `ctx` ('cpu' gives [cpu(0)]). The others refuse a list of several."""
    import mxnet as mx

    found = None if ctx is None else device(ctx)
    if isinstance(found, list) and not many and len(found) > 1:
        raise DeviceError(f"ctx {ctx!r} is a list of devices, but this section computes on "
                          f"one: use {DEVICE_FORMS}")
    if isinstance(found, list) and not many:
        found = found[0]
    elif many and isinstance(found, mx.Context):
        found = [found]
    if many:
        check_cpu_list(found)
    seed_everything(seed)
    # Gluon names blocks from a per-thread counter: without a reset, a second run in one
    # process (reproduce --seeds, the tests) prints mlp1_dense0 where the book has mlp0_dense0.
    mx.name.NameManager._current.value = mx.name.NameManager()
    return found


def hybridize(net, on=True):
    """Compile a Gluon net when `on` (the same computation, faster: a LeNet epoch 19.7 s ->
    14.7 s here); off, it runs imperatively as the book's did."""
    if on:
        with warnings.catch_warnings():
            # The book builds nn.Sequential, not HybridSequential; hybridizing it compiles
            # each child, which is all we want, so its advice to switch is noise here.
            warnings.filterwarnings("ignore", message="All children of this Sequential")
            net.hybridize(static_alloc=True, static_shape=True)
    return net


def epochs(count):
    """range(count), timing each pass; the times are added to `epoch_seconds`, which
    reproduce empties before each run (a section may train several times)."""
    for epoch in range(count):
        start = time.perf_counter()
        yield epoch
        epoch_seconds.append(time.perf_counter() - start)


def _as_numpy(value):
    from mxnet import nd

    return np.asarray(value.asnumpy() if isinstance(value, nd.NDArray) else value,
                      dtype=np.float64)


def check_finite(loss, learning_rate=None, params=None, what="loss"):
    """Raise Diverged when `loss` (a number or NDArray) or any of `params` (NDArrays, or a
    Gluon ParameterDict) is no longer finite; the message says what to try."""
    bad = None
    loss_values = _as_numpy(loss)
    if not np.isfinite(loss_values).all():
        bad = f"the {what} is {loss_values[~np.isfinite(loss_values)].ravel()[0]}"
    elif params is not None:
        arrays = params.values() if hasattr(params, "values") else params
        for i, p in enumerate(arrays):
            data = p.data() if hasattr(p, "data") and callable(p.data) else p
            if not np.isfinite(_as_numpy(data)).all():
                bad = f"parameter {getattr(p, 'name', i)} holds non-finite values"
                break
    if bad:
        raise _diverged(bad, learning_rate)
    return loss


def check_improved(loss, untrained_loss, learning_rate=None, what="loss"):
    """Raise Diverged when a fit ended with a higher `loss` than the untrained model's: with
    an optimizer such as Adam, which moves each weight by about the learning rate whatever the
    gradient, a far too large rate wrecks a model without any infinity."""
    if float(loss) > float(untrained_loss):
        raise _diverged(f"the {what} ended at {float(loss):g}, above the untrained model's "
                        f"{float(untrained_loss):g}", learning_rate)
    return loss


def _diverged(bad, learning_rate):
    rate = "" if learning_rate is None else f" (learning_rate = {learning_rate:g})"
    return Diverged(f"training diverged: {bad}. The steps were too large for this model; "
                    f"try a smaller learning rate{rate}, e.g. ten times smaller. "
                    f"Nothing was saved from this run.")


def in_notebook():
    """True inside a Jupyter kernel, where figures are shown inline as well as saved."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def wrote(path):
    """Tell the reader where a file went (one short line), and return the path."""
    print(f"wrote {path}")
    return path

