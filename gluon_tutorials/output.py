"""What the reader is told about the files a section writes, and where relative paths go.

At the bottom of the package with `devices` and `files` (it imports no other module of it):
plotting, runtime and utils all use it, and `runtime.wrote` / `runtime.in_notebook` are these.
"""
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout holding the package (the README installs it editable), or None when the
# package was installed into site-packages.
PROJECT_ROOT = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None


def in_notebook():
    """True inside a Jupyter kernel, where figures are shown inline as well as saved."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _Quiet:
    # IPython calls this instead of echoing a cell's last value: a figure cell ends with the
    # picture and the `wrote` line, not the path once more.
    def _ipython_display_(self):
        pass


class _QuietStr(_Quiet, str):
    pass


class _QuietPath(_Quiet, type(Path())):
    def __repr__(self):
        return repr(Path(self))


def quiet(path):
    """`path`, of the same kind (str or Path), which a notebook cell ending in it leaves
    unechoed; for Python callers it is the path as before."""
    return _QuietPath(path) if isinstance(path, os.PathLike) else _QuietStr(path)


def wrote(path):
    """Tell the reader where a file went (one short line), and return the path (quietly)."""
    print(f"wrote {path}")
    return quiet(path)


def leave_package_folder():
    """In a Jupyter kernel opened on a section, move from the section's folder (the kernel
    starts in the notebook's folder) to the project root, so that a relative `out` lands in
    the project's out/, as `run` from the root puts it, never inside the package. Elsewhere,
    and for a package outside a checkout, the working directory stays as it is. Returns it."""
    cwd = Path.cwd().resolve()
    if PROJECT_ROOT is not None and in_notebook() and cwd.is_relative_to(PACKAGE_DIR):
        os.chdir(PROJECT_ROOT)
    return Path.cwd()
