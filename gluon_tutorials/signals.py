"""Ctrl-C (SIGINT) and SIGTERM on the command line: the command stops with one line and exit
status 128 + the signal's number (130, 143), never a traceback, and never goes on as if
nothing had happened.

Python drops an exception raised inside a destructor ("Exception ignored in ..."): on 3.12 a
Ctrl-C often lands in MXNet's `NDArrayBase.__del__`, and the run went on and exited 0. So the
handler records the signal as well as raising, and `check()`, called after every cell and
every epoch, raises it again when it was swallowed.
"""
import contextlib
import gc
import signal
import sys
import threading
import traceback

NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}

received = None  # the first signal caught since `handled()` began, or None
_deferring = False  # inside `deferred()`: a signal is recorded, and raised when the block ends


class Interrupted(KeyboardInterrupt):
    """A SIGINT or SIGTERM; a KeyboardInterrupt, so the code that handles Ctrl-C handles both."""

    def __init__(self, signum=signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def signum(exc):
    """The signal behind a KeyboardInterrupt (a plain one is a Ctrl-C)."""
    return getattr(exc, "signum", signal.SIGINT)


def status(exc):
    """The exit status a shell gives a process ended by the signal: 130 or 143."""
    return 128 + signum(exc)


def name(exc):
    return NAMES.get(signum(exc), f"signal {signum(exc)}")


def message(exc):
    """The one line the command prints when it stops."""
    return "interrupted" if signum(exc) == signal.SIGINT else f"interrupted by {name(exc)}"


def _handler(number, frame):
    global received
    if received is None:
        received = number
    if not _deferring:
        raise Interrupted(number)


def check():
    """Raise Interrupted again if a signal came whose exception was swallowed on the way."""
    if received is not None:
        raise Interrupted(received)


@contextlib.contextmanager
def deferred():
    """Hold a signal that comes inside the block until the block has ended, for bookkeeping
    that must happen whole or not at all; then raise it as `check()` does."""
    global _deferring
    before, _deferring = _deferring, True
    try:
        yield
    finally:
        _deferring = before
    check()


def _quiet_unraisable(previous):
    def hook(unraisable):
        # After our signal, an "Exception ignored in ... __del__" block is only noise: either
        # the interrupt itself, dropped in a destructor (`check()` raises it again), or an
        # object it left half built, such as an NDArray whose __init__ never set .handle.
        if received is not None and (isinstance(unraisable.exc_value, KeyboardInterrupt)
                                     or getattr(unraisable.object, "__name__", "") == "__del__"):
            return
        previous(unraisable)
    return hook


@contextlib.contextmanager
def handled():
    """SIGINT and SIGTERM raise Interrupted inside the block (only the main thread may set
    handlers; elsewhere the block runs as it is). The previous handlers come back after."""
    global received
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in NAMES}
    previous_hook = sys.unraisablehook
    received = None
    for number in NAMES:
        signal.signal(number, _handler)
    sys.unraisablehook = _quiet_unraisable(previous_hook)
    try:
        yield
    except KeyboardInterrupt as e:
        if received is not None:  # what the unwound frames hold is freed below, not later
            traceback.clear_frames(e.__traceback__)
        raise
    finally:
        if received is not None:  # free it while the quiet hook is in, not after the one line
            gc.collect()  # (a caller that kept the interrupt made a cycle with its frame)
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        sys.unraisablehook = previous_hook
        received = None
