"""Atomic file writes: a reader sees the old file or the new one, never half of one."""
import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file owner-only; give it the mode an ordinary open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
