"""The numpy names MXNet 1.9.1 binds at import time and today's numpy no longer has.

MXNet's Python code copies numpy attributes into its own modules when it is imported
(`PZERO = onp.PZERO`), so `import mxnet` fails on numpy >= 1.24 and, for more names, on
numpy 2. The wheel that `mxnet-wheel` builds calls `restore()` as the first statement of
`mxnet/__init__.py` and `remove()` as its last: the names exist while MXNet imports, whatever
the user imported first, and are gone again afterwards, so numpy means the same in the user's
own code as without MXNet. A name numpy still has is never touched.

If a later numpy drops another name MXNet binds, `import mxnet` fails with numpy's own
AttributeError naming it; add it to MISSING below with the MXNet line that needs it. The
project pins numpy per Python (pyproject.toml), so that happens only when a pin is raised.
"""
import builtins
import math
import warnings

import numpy


def _financial(name):
    # Removed in numpy 1.20 (NEP 32); numpy 1.20-1.26 answered with a stub that raised.
    def removed(*args, **kwargs):
        raise RuntimeError(f"numpy.{name} was removed in numpy 1.20 (NEP 32); "
                           f"use the numpy_financial package instead")
    removed.__name__ = name
    return removed


def _alias(name, function):
    # A function object of its own: MXNet registers numpy functions as dispatch keys
    # (numpy_dispatch_protocol.py), so reusing numpy.any itself would re-route `any`.
    def alias(*args, **kwargs):
        return function(*args, **kwargs)
    alias.__name__ = name
    return alias


def _msort(a):
    return numpy.sort(a, axis=0)


def _in1d(ar1, ar2, assume_unique=False, invert=False):
    return numpy.isin(ar1, ar2, assume_unique=assume_unique, invert=invert).ravel()


def _trapz(y, x=None, dx=1.0, axis=-1):
    return numpy.trapezoid(y, x=x, dx=dx, axis=axis)


# name -> the value it had, with the MXNet 1.9.1 line that binds it at import.
MISSING = {
    "bool": builtins.bool,        # mxnet/numpy/utils.py:37 `bool = onp.bool` (gone in 1.24-1.26)
    "PZERO": 0.0,                 # mxnet/numpy/utils.py:42 (gone in numpy 2.0)
    "NZERO": -0.0,                # mxnet/numpy/utils.py:43 (gone in numpy 2.0)
    "NINF": -math.inf,            # mxnet/numpy/utils.py:44 (gone in numpy 2.0)
    "PINF": math.inf,             # mxnet/numpy/utils.py:45 (gone in numpy 2.0)
    "NAN": math.nan,              # mxnet/numpy/utils.py:47 (gone in numpy 2.0)
    "NaN": math.nan,              # mxnet/numpy/utils.py:48 (gone in numpy 2.0)
    "Inf": math.inf,              # mxnet/gluon/contrib/estimator/event_handler.py:248, a default
                                  # argument (gone in numpy 2.0; the handlers' bodies use it too)
    "alltrue": _alias("alltrue", numpy.all),  # mxnet/numpy/fallback.py:111 (gone in numpy 2.0)
    # Looked up by name from _NUMPY_ARRAY_FUNCTION_LIST in mxnet/numpy_dispatch_protocol.py:
    "sometrue": _alias("sometrue", numpy.any),  # line 87 (gone in numpy 2.0)
    "round_": _alias("round_", numpy.round),    # line 92 (gone in numpy 2.0)
    "product": _alias("product", numpy.prod),   # line 124 (gone in numpy 2.0)
    "in1d": _in1d,                # mxnet/numpy/fallback.py:135 (deprecated in 2.0, gone by 2.4)
    "mirr": _financial("mirr"),   # mxnet/numpy/fallback.py:143 (stub gone in numpy 2.0)
    "msort": _msort,              # mxnet/numpy/fallback.py:145 (gone in numpy 2.0)
    "npv": _financial("npv"),     # mxnet/numpy/fallback.py:160 (stub gone in numpy 2.0)
    "pmt": _financial("pmt"),     # mxnet/numpy/fallback.py:164 (stub gone in numpy 2.0)
    "ppmt": _financial("ppmt"),   # mxnet/numpy/fallback.py:173 (stub gone in numpy 2.0)
    "pv": _financial("pv"),       # mxnet/numpy/fallback.py:176 (stub gone in numpy 2.0)
    "rate": _financial("rate"),   # mxnet/numpy/fallback.py:177 (stub gone in numpy 2.0)
    "trapz": _trapz,              # mxnet/numpy/fallback.py:190 (deprecated in 2.0, gone by 2.4)
}

_added = []


def _has(name):
    # Deprecated names still exist; numpy's __getattr__ warns for them, or raises for
    # expired ones (an AttributeError, which hasattr reads as missing).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hasattr(numpy, name)


def restore():
    """Give numpy each missing name, for the length of `import mxnet`."""
    for name, value in MISSING.items():
        if not _has(name):
            setattr(numpy, name, value)
            _added.append(name)


def remove():
    """Take back exactly the names `restore` added."""
    while _added:
        delattr(numpy, _added.pop())
