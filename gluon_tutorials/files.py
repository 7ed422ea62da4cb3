"""Atomic file writes: a reader sees the old file or the new one, never half of one."""
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path


class WriteError(OSError):
    """A file could not be written (disk full, folder made read-only ...); the message
    names the file and the cause. Any older file of that name is left as it was."""


def _write_errors():
    """OSError, and MXNet's error where MXNet is loaded (nd.save reports I/O failures so)."""
    mxnet = sys.modules.get("mxnet")
    return (OSError,) + ((mxnet.base.MXNetError,) if mxnet and hasattr(mxnet, "base") else ())


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds.
    A failure to write raises WriteError naming `path`; nothing is left behind."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        yield tmp
        # mkstemp makes the file owner-only; give it the mode an ordinary open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except _write_errors() as e:
        if isinstance(e, WriteError):
            raise
        cause = getattr(e, "strerror", None) or str(e).strip().splitlines()[-1]
        raise WriteError(f"cannot write {path}: {cause}"
                         f"{'; the file there before is unchanged' if os.path.exists(path) else ''}") from e
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_folder(path):
    """Yield a temporary folder beside `path` to fill; when the block succeeds it takes the
    place of `path` (an older `path` is moved aside first, then deleted), else it is deleted.
    A reader sees the old folder or the new one, never one half filled."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old = None
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes the folder owner-only
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        try:
            os.replace(tmp, path)
        except OSError:
            if old is not None:
                os.replace(old / path.name, path)  # put the old folder back
            raise
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover)


def write_text(path, text):
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export(net, prefix, epoch=0):
    """``net.export(prefix, epoch)`` (a hybridized Gluon net's symbol JSON and parameters),
    written beside their final names first and renamed once both are complete; returns
    (symbol file, params file)."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    names = [f"{prefix.name}-symbol.json", f"{prefix.name}-{epoch:04d}.params"]
    with tempfile.TemporaryDirectory(prefix=f".{prefix.name}.", dir=prefix.parent) as tmp:
        net.export(os.path.join(tmp, prefix.name), epoch)
        for name in names:
            os.chmod(os.path.join(tmp, name), 0o666 & ~_umask())
            os.replace(os.path.join(tmp, name), prefix.parent / name)
    return tuple(prefix.parent / name for name in names)
