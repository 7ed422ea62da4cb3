"""Datasets: find them, verify them, download them when missing, read them.

Plain Python and numpy only. MXNet's own dataset classes check the hash of the
``.gz`` file and then retry a download; re-compressed copies (the Debian
package ``dataset-fashion-mnist``) have other ``.gz`` hashes with the same
data, so here the *decompressed* content is what gets verified.
"""
import gzip
import hashlib
import http.client
import io
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_DATA = "GLUON_TUTORIALS_DATA"
ENV_OFFLINE = "GLUON_TUTORIALS_OFFLINE"
DEBIAN_DIR = Path("/usr/share/datasets")
MXNET_DIR = Path("~/.mxnet/datasets")
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class DataError(Exception):
    """A data file is missing, corrupt or unreadable; the message says which."""


class MissingDataError(DataError):
    """Files could not be found locally nor downloaded."""


@dataclass(frozen=True)
class DataFile:
    name: str
    subdir: str  # folder inside a data directory; '' for its top level
    sha1: str  # of the decompressed bytes for .gz files, else of the file
    mirrors: tuple  # base URLs, tried in order

    @property
    def compressed(self):
        return self.name.endswith(".gz")


_FASHION_MIRRORS = (
    "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/dataset/fashion-mnist/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
_D2L_MIRRORS = ("http://d2l-data.s3-accelerate.amazonaws.com/",)

FILES = {f.name: f for f in [
    DataFile("train-images-idx3-ubyte.gz", "fashion-mnist",
             "b9bd999c0106c9b8b4b0cefce58c9a6060f27095", _FASHION_MIRRORS),
    DataFile("train-labels-idx1-ubyte.gz", "fashion-mnist",
             "4bccf37222e01638381eaa326bf730337a597267", _FASHION_MIRRORS),
    DataFile("t10k-images-idx3-ubyte.gz", "fashion-mnist",
             "880056926db704f9f713097915f99da346f5b1d1", _FASHION_MIRRORS),
    DataFile("t10k-labels-idx1-ubyte.gz", "fashion-mnist",
             "958122e8b4b97fd4e71eca2d08ef754ed77c3ad9", _FASHION_MIRRORS),
    DataFile("kaggle_house_pred_train.csv", "",
             "585e9cc93e70b39160e7921475f9bcd7d31219ce", _D2L_MIRRORS),
    DataFile("kaggle_house_pred_test.csv", "",
             "fa19780a7b011d9b009e8bff8e99922a8ee2eb90", _D2L_MIRRORS),
    DataFile("timemachine.txt", "",
             "090b5e7e70c295757f55df93cb0a180b9691891a", _D2L_MIRRORS),
]}

FASHION_MNIST_TEXT_LABELS = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)

# Swapped out by tests to simulate the network; urlopen(url, timeout=...) form.
_urlopen = urllib.request.urlopen


def search_dirs(subdir="", root=None):
    """The folders searched for a file, in order (see data/README.md)."""
    dirs = []
    if root is not None:
        dirs.append(Path(root).expanduser())
    env = os.environ.get(ENV_DATA)
    if env:
        dirs.append(Path(env).expanduser() / subdir)
    if (_PROJECT_ROOT / "pyproject.toml").exists():
        dirs.append(_PROJECT_ROOT / "data" / subdir)
    dirs += [MXNET_DIR.expanduser() / subdir, DEBIAN_DIR / subdir]
    unique = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def download_dir(subdir="", root=None):
    """Where a missing file is downloaded to: root, else $GLUON_TUTORIALS_DATA, else data/."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_DATA)
    if env:
        return Path(env).expanduser() / subdir
    if (_PROJECT_ROOT / "pyproject.toml").exists():
        return _PROJECT_ROOT / "data" / subdir
    return MXNET_DIR.expanduser() / subdir


def _content(path, spec):
    """The verified content of `path` (decompressed for .gz); DataError if it is bad."""
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    if spec.compressed:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path} is not a complete gzip file ({e}); "
                            f"it is probably truncated: delete it and run again") from None
    if spec.name.endswith("-ubyte.gz"):
        parse_idx(raw, path)  # a structural error says more than a hash mismatch
    digest = hashlib.sha1(raw).hexdigest()
    if digest != spec.sha1:
        what = "decompressed content" if spec.compressed else "content"
        raise DataError(f"{path}: {what} has sha1 {digest}, expected {spec.sha1}; "
                        f"the file is corrupt or not the expected version: delete it and run again")
    return raw


def parse_idx(raw, path="<bytes>"):
    """Read an IDX file (magic, big-endian dimensions, uint8 payload) into a numpy array."""
    if len(raw) < 4:
        raise DataError(f"{path}: too short to be an IDX file ({len(raw)} bytes)")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
        magic = struct.unpack(">I", raw[:4])[0]
        raise DataError(f"{path}: bad magic number {magic:#010x}; expected 0x00000801 "
                        f"(labels) or 0x00000803 (images) of an uint8 IDX file")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    expected = int(np.prod(dims))
    payload = len(raw) - header
    if payload != expected:
        state = "truncated" if payload < expected else "longer than its header says"
        raise DataError(f"{path}: {state}: header gives shape {dims} ({expected} bytes), "
                        f"payload holds {payload} bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _download(spec, target_dir):
    """Download one file to a temporary name, verify it, rename it. Returns its content.

    Raises ConnectionError when the network itself is unreachable (so the caller
    stops trying), DataError when every mirror answered but none gave good data.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in spec.mirrors:
        url = base + spec.name
        fd, tmp = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=target_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                with _urlopen(url, timeout=30) as response:
                    while True:
                        chunk = response.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
            content = _content(tmp, spec)
            os.replace(tmp, target_dir / spec.name)
            return content
        except urllib.error.HTTPError as e:
            failures.append(f"{url}: HTTP {e.code}")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            raise ConnectionError(getattr(e, "reason", e)) from None
        except (DataError, http.client.HTTPException) as e:
            failures.append(f"{url}: {e!r}" if not isinstance(e, DataError) else f"{url}: {e}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DataError(f"could not download {spec.name}:\n  " + "\n  ".join(failures))


def _missing_message(names, dirs, target, reason):
    lines = [f"missing data file(s): {', '.join(names)}", "searched:"]
    lines += [f"  {d}" for d in dirs]
    lines.append(f"not downloaded: {reason}")
    lines.append("to get them, do one of:")
    lines.append(f"  - run again with network access: they are downloaded to {target}")
    if any(FILES[n].subdir == "fashion-mnist" for n in names):
        lines.append("  - install the Debian/Ubuntu package: sudo apt install dataset-fashion-mnist")
    lines.append(f"  - copy them into one of the folders above, or set {ENV_DATA}=/path/to/data")
    return "\n".join(lines)


def fetch(names, root=None):
    """Verified contents of the named files, {name: bytes}, downloading any that are missing.

    A corrupt local copy raises DataError naming it; it is never overwritten.
    """
    found, missing = {}, []
    for name in names:
        spec = FILES[name]
        for d in search_dirs(spec.subdir, root):
            path = d / name
            if path.is_file():
                found[name] = _content(path, spec)
                break
        else:
            missing.append(name)
    if not missing:
        return found
    subdir = FILES[missing[0]].subdir
    dirs, target = search_dirs(subdir, root), download_dir(subdir, root)
    if os.environ.get(ENV_OFFLINE):
        raise MissingDataError(_missing_message(missing, dirs, target, f"{ENV_OFFLINE} is set"))
    for name in list(missing):
        try:
            found[name] = _download(FILES[name], target)
        except ConnectionError as e:
            raise MissingDataError(_missing_message(missing, dirs, target,
                                                    f"no network ({e})")) from None
        except OSError as e:
            raise MissingDataError(_missing_message(missing, dirs, target,
                                                    f"cannot write to {target} ({e})")) from None
        missing.remove(name)
    return found


def load_fashion_mnist(train=True, root=None):
    """Fashion-MNIST as numpy arrays: images (N, 28, 28) uint8, labels (N,) uint8."""
    prefix = "train" if train else "t10k"
    image_name, label_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
    content = fetch([image_name, label_name], root)
    images = parse_idx(content[image_name], image_name)
    labels = parse_idx(content[label_name], label_name)
    if images.ndim != 3 or labels.ndim != 1:
        raise DataError(f"{image_name} / {label_name}: expected 3-d images and 1-d labels, "
                        f"got shapes {images.shape} and {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{image_name} holds {len(images)} images but {label_name} "
                        f"holds {len(labels)} labels")
    return images, labels


def read_kaggle_house(root=None):
    """The Kaggle house-price data as two pandas DataFrames (train, test)."""
    import pandas as pd

    names = ["kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"]
    content = fetch(names, root)
    return tuple(pd.read_csv(io.BytesIO(content[n])) for n in names)


def read_time_machine(root=None):
    """The full text of H. G. Wells' The Time Machine."""
    return fetch(["timemachine.txt"], root)["timemachine.txt"].decode("utf-8")
