"""What a section's cells call besides the book's code: turn the parameters cell's values into
a device and seeds, compile a net, time the epochs, and stop a run that diverged. The same
calls work in Jupyter, from the shell and under `reproduce`."""
import contextlib
import math
import random
import time
import warnings

import numpy as np

import gluon_tutorials  # noqa: F401  (thread settings before MXNet loads)
# Devices and the reader-facing output helpers live below this module; their names stay here.
from gluon_tutorials.devices import (  # noqa: F401
    DEVICE_FORMS, LIST_FORMS, DeviceError, blas_threads_for, check_cpu_list, device, devices,
    is_device_list)
from gluon_tutorials.output import in_notebook, wrote  # noqa: F401
from gluon_tutorials import output
from gluon_tutorials import signals

# Seconds each epoch of the last `epochs()` loop took; reproduce reads it after a run.
epoch_seconds = []


class Diverged(ArithmeticError):
    """The training produced a loss or a parameter that is no longer a finite number."""


class ParameterError(ValueError):
    """Parameters that cannot work together (a corpus too short for one batch, a prefix with
    characters the model never saw), found before training; `run` shows it as one line."""


def seed_everything(seed):
    """The DataLoader shuffles with numpy and the book's data_iter with random; seed all three."""
    import mxnet as mx

    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def setup(ctx=None, seed=1, many=False):
    """Seed everything and start block names afresh (mlp0_, sequential0_, as in a new
    kernel); return the mx.Context for `ctx` ('auto', 'cpu', 'gpu:1' ...). In a kernel
    started in the section's own folder, first move to the project root (see
    `output.leave_package_folder`): a relative `out` then lands where `run` puts it.

    ``many=True`` is for the sections that compute on several devices: they get a list of
    Contexts for any `ctx` ('cpu' gives [cpu(0)]). The others refuse a list of several."""
    import mxnet as mx

    output.leave_package_folder()
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
        signals.check()  # a Ctrl-C swallowed in a destructor stops the loop here
        start = time.perf_counter()
        yield epoch
        epoch_seconds.append(time.perf_counter() - start)


def check_resize(net, resize, min_resize, book):
    """Refuse images smaller than `net` can take (ValueError, before any data is read), and
    say so when a run uses smaller ones than the book's (its accuracy will differ)."""
    if resize < min_resize:
        raise ValueError(f"{net} needs images of at least {min_resize}x{min_resize}, "
                         f"but resize = {resize}")
    if resize < book:
        print(f"Quick run on images resized to {resize}x{resize} (the book: {book}x{book}); "
              f"expect other accuracies than the book's.")


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


# An epoch loss this many times the untrained model's means the steps wrecked the model,
# even when every number is finite (mlp_gluon at learning_rate 1e9: 1.25e17 after one
# epoch; at 10, 16.8 against an untrained 2.3). Normal runs stay below the untrained loss;
# kaggle_gluon_cifar10's demo at a batch of 1 need not, so it checks only check_finite.
FAR_ABOVE = 5


def chance_loss(classes):
    """The cross-entropy of a guess giving each of `classes` classes the same probability:
    where an untrained classifier's loss starts (its outputs are near zero). Known without
    a forward pass, which in a dropout net would draw random numbers and shift the run."""
    return math.log(classes)


def check_loss(loss, untrained_loss, learning_rate=None, params=None, what="loss"):
    """Raise Diverged when an epoch's mean `loss` is not finite (see check_finite) or is
    FAR_ABOVE times the untrained model's or more; return the loss otherwise."""
    check_finite(loss, learning_rate, params, what)
    value = float(_as_numpy(loss).mean())
    if value >= FAR_ABOVE * float(untrained_loss):
        raise _diverged(f"the {what} is {value:g}, far above the untrained model's "
                        f"{float(untrained_loss):g}", learning_rate)
    return loss


def check_improved(loss, untrained_loss, learning_rate=None, what="loss"):
    """Raise Diverged when a fit ended with a higher `loss` than the untrained model's: with
    an optimizer such as Adam, which moves each weight by about the learning rate whatever the
    gradient, a far too large rate wrecks a model without any infinity."""
    if float(loss) > float(untrained_loss):
        raise _diverged(f"the {what} ended at {float(loss):g}, above the untrained model's "
                        f"{float(untrained_loss):g}", learning_rate)
    return loss


_meant_to_diverge = []  # non-empty inside meant_to_diverge()


@contextlib.contextmanager
def meant_to_diverge():
    """Around a run that shows a too large step on purpose: its divergence is told in one
    line and the section goes on; any other error still stops it. Inside, `diverging_shown()`
    is true, so that the run may draw its curve up to the divergence."""
    _meant_to_diverge.append(True)
    try:
        yield
    except Diverged as e:
        print(f"{str(e).split('. ')[0]}, as this run was meant to show")
    finally:
        _meant_to_diverge.pop()


def diverging_shown():
    return bool(_meant_to_diverge)


def _diverged(bad, learning_rate):
    rate = "" if learning_rate is None else f" (learning_rate = {learning_rate:g})"
    return Diverged(f"training diverged: {bad}. The steps were too large for this model; "
                    f"try a smaller learning rate{rate}, e.g. ten times smaller. "
                    f"Nothing was saved from this run.")
