"""Figures go to PNG files (Agg backend); scripts never open a window."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gluon_tutorials.files import atomic_path  # noqa: E402


def subplots(*args, **kwargs):
    return plt.subplots(*args, squeeze=False, **kwargs)


def save(fig, path):
    """Write `fig` to `path` as PNG, atomically, close it, and return the path."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
