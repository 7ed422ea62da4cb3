"""Figures are written as PNG files (Agg backend, so no window ever opens); inside a Jupyter
kernel the same PNG is also shown inline."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gluon_tutorials import output  # noqa: E402
from gluon_tutorials.files import atomic_path  # noqa: E402


def subplots(*args, **kwargs):
    return plt.subplots(*args, squeeze=False, **kwargs)


def save(fig, path):
    """Write `fig` to `path` as PNG, atomically; say where; show it inline in Jupyter;
    close it and return the path (which a notebook cell does not echo)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    path = output.wrote(path)
    if output.in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    return path
