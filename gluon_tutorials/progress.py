"""Progress bars for epochs that take more than a few seconds."""
import sys

from tqdm import tqdm


def bar(iterable, desc, total=None):
    """tqdm over `iterable` on a terminal; the plain iterable elsewhere (logs, tests)."""
    if not sys.stderr.isatty():
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=False, mininterval=1.0, delay=2.0)
