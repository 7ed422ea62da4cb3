"""Datasets: find them, verify them, download them when missing, read them.

Plain Python and numpy only. MXNet's own dataset classes check the hash of the
``.gz`` file and then retry a download; re-compressed copies (the Debian
package ``dataset-fashion-mnist``) have other ``.gz`` hashes with the same
data, so here the *decompressed* content is what gets verified.

Fashion-MNIST exists in two copies with the same file names:

- ``"zalando"``: Zalando's canonical files, known by the SHA-1 of their
  decompressed content (so Debian's re-compressed files pass);
- ``"mxnet"``: the copy MXNet hosted, which the book read, known by the SHA-1
  of each ``.gz`` file, exactly as MXNet 1.9.1's ``FashionMNIST`` checks it.

All four files of one load come from one copy; a folder holding files of
both, or train files of one copy and test files of the other, is a DataError.
``load_fashion_mnist(copy=...)``, else ``$GLUON_TUTORIALS_FASHION_MNIST_COPY``,
chooses; by default MXNet's copy when all four of its files are found in the
search path, else Zalando's. The result carries ``.copy``, and
``COPIES_USED["fashion-mnist"]`` holds the copy last loaded, for reports.

The zip corpora of the book's release 0.6 (``v0.6/`` in a data folder) are verified by
the SHA-1 of the zip file and unpacked by ``unpack`` into a cache (``data/unpacked/`` of
the project, else a temporary folder), never beside the zip: the folder holding it may be
the user's, or read-only.
"""
import gzip
import hashlib
import http.client
import io
import errno
import os
import shutil
import stat
import struct
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import _umask

ENV_DATA = "GLUON_TUTORIALS_DATA"
ENV_OFFLINE = "GLUON_TUTORIALS_OFFLINE"
ENV_FASHION_COPY = "GLUON_TUTORIALS_FASHION_MNIST_COPY"
DEBIAN_DIR = Path("/usr/share/datasets")
MXNET_DIR = Path("~/.mxnet/datasets")
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
UNPACK_DIR = None  # where zips are unpacked; None: see unpack_root()


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
# The book's repository at release 0.6 shipped these in its data/ folder.
_BOOK_V06 = "https://raw.githubusercontent.com/d2l-ai/d2l-zh/v0.6/data/"
V06 = "v0.6"  # the folder of release 0.6's files inside a data folder

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
    DataFile("jaychou_lyrics.txt.zip", V06,
             "aea46bd5d5fb2f05d6cd38d8e6b461d679fa4f00", (_BOOK_V06,)),
    DataFile("ptb.zip", V06,
             "319d85e578af0cdc590547f26231e4e31cdf1e42", _D2L_MIRRORS + (_BOOK_V06,)),
    DataFile("fr-en-small.txt", V06,
             "4192ace3405b0b6a2f9761eb6c19494b1f8a9761", (_BOOK_V06,)),
    # Kaggle CIFAR-10, the book's demo set: 100 training images, 1 test image, all labels.
    DataFile("train_tiny.zip", V06 + "/kaggle_cifar10",
             "cc9c71aa630e854698c5ae3a9cd486f83d58c101", (_BOOK_V06 + "kaggle_cifar10/",)),
    DataFile("test_tiny.zip", V06 + "/kaggle_cifar10",
             "13c650bc8e92931df66ef9d3467d92a16c1ef1a9", (_BOOK_V06 + "kaggle_cifar10/",)),
    DataFile("trainLabels.csv.zip", V06 + "/kaggle_cifar10",
             "27a66502d432e43d91f7506806b930d196ce4a6e", (_BOOK_V06 + "kaggle_cifar10/",)),
]}
KAGGLE_CIFAR10_ZIPS = ("train_tiny.zip", "test_tiny.zip", "trainLabels.csv.zip")
# The full competition data (Kaggle wants a login, so it is never downloaded): the labels
# file, also inside trainLabels.csv.zip, by its SHA-1; the image folders by their counts.
KAGGLE_CIFAR10_LABELS_SHA1 = "98ab464b9f2b39dd178a98b787cea2a5da5c222e"
KAGGLE_CIFAR10_SIZES = {"train": 50000, "test": 300000}

FASHION_MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FASHION_MNIST_SIZES = (60000, 10000)  # train and test examples, in both copies
FASHION_MNIST_COPIES = ("mxnet", "zalando")  # in order of preference: the book read MXNet's
_COPY_TITLES = {"mxnet": "MXNet's copy", "zalando": "Zalando's copy"}
# MXNet's copy: SHA-1 of each .gz file, from mxnet/gluon/data/vision/datasets.py (1.9.1).
MXNET_GZ_SHA1 = {
    "train-images-idx3-ubyte.gz": "0cf37b0d40ed5169c6b3aba31069a9770ac9043d",
    "train-labels-idx1-ubyte.gz": "236021d52f1e40852b06a4c3008d8de8aef1e40b",
    "t10k-images-idx3-ubyte.gz": "626ed6a7c06dd17c0eec72fa3be1740f146a2863",
    "t10k-labels-idx1-ubyte.gz": "17f9ab60e7257a1620f4ad76bbbaf857c3920701",
}
COPIES_USED = {}  # dataset -> the copy it was last loaded from, e.g. {"fashion-mnist": "mxnet"}

FASHION_MNIST_TEXT_LABELS = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)

# Swapped out by tests to simulate the network; urlopen(url, timeout=...) form.
_urlopen = urllib.request.urlopen


def _checked_root(root):
    """An explicit `root` must be an existing folder: falling back to the other folders
    would read data from somewhere the caller did not ask for."""
    path = Path(root).expanduser()
    if not path.is_dir():
        state = "is not a folder" if path.exists() else "does not exist"
        raise DataError(f"root={os.fspath(root)!r} {state}: give an existing folder (missing "
                        f"files are downloaded into it), or leave root out to search "
                        f"${ENV_DATA}, data/ and the usual places")
    return path


def _is_data_file(path):
    """True for a regular file (or a link to one), False when nothing is there; DataError
    when something else sits under the data file's name, so it is not called missing."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        if not os.path.islink(path):
            return False
        what = ("a symbolic link loop" if e.errno == errno.ELOOP
                else f"a broken symbolic link to {os.readlink(path)}")
    else:
        if stat.S_ISREG(mode):
            return True
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise DataError(f"{path} is {what}, not the data file: remove it, or put the file there")


def search_dirs(subdir="", root=None):
    """The folders searched for a file, in order (see data/README.md)."""
    dirs = []
    if root is not None:
        dirs.append(_checked_root(root))
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
        return _checked_root(root)
    env = os.environ.get(ENV_DATA)
    if env:
        return Path(env).expanduser() / subdir
    if (_PROJECT_ROOT / "pyproject.toml").exists():
        return _PROJECT_ROOT / "data" / subdir
    return MXNET_DIR.expanduser() / subdir


def _read(path):
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None


def _gunzip(raw, path):
    if raw and raw[:2] != b"\x1f\x8b":
        raise DataError(f"{path} is not a gzip file (it starts with {raw[:2]!r}, not b'\\x1f\\x8b'): "
                        f"delete it and run again")
    try:
        content = gzip.decompress(raw)
    except EOFError:
        content = None
    except (OSError, zlib.error) as e:
        raise DataError(f"{path} is a corrupt gzip file ({e}): delete it and run again") from None
    if not raw or content is None:
        raise DataError(f"{path} is truncated: the gzip data ends early ({len(raw)} bytes), "
                        f"as after an interrupted download: delete it and run again")
    return content


def _content(path, spec):
    """(verified content, copy) of `path`, content decompressed for .gz; copy is "mxnet"
    or "zalando" for a Fashion-MNIST file, else None. DataError if the file is bad."""
    raw = _read(path)
    mxnet_sha1 = MXNET_GZ_SHA1.get(spec.name)
    if mxnet_sha1 and hashlib.sha1(raw).hexdigest() == mxnet_sha1:
        return _gunzip(raw, path), "mxnet"
    if spec.compressed:
        raw = _gunzip(raw, path)
    if spec.name.endswith("-ubyte.gz"):
        parse_idx(raw, path)  # a structural error says more than a hash mismatch
    if spec.name.endswith(".zip"):
        _check_zip(raw, path)
    digest = hashlib.sha1(raw).hexdigest()
    if digest != spec.sha1:
        what = "decompressed content" if spec.compressed else "content"
        also = f", nor is it {_COPY_TITLES['mxnet']} (.gz sha1 {mxnet_sha1})" if mxnet_sha1 else ""
        raise DataError(f"{path}: {what} has sha1 {digest}, expected {spec.sha1}{also}; "
                        f"the file is corrupt or not the expected version: delete it and run again")
    return raw, ("zalando" if mxnet_sha1 else None)


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


def _download(spec, target_dir, copy=None):
    """Download one file to a temporary name, verify it, rename it. Returns (content, copy);
    with `copy` given, a file of the other copy of Fashion-MNIST is turned down.

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
            content, got = _content(tmp, spec)
            if copy and got != copy:
                failures.append(f"{url}: {_COPY_TITLES[got]}, not {_COPY_TITLES[copy]}")
                continue
            os.replace(tmp, target_dir / spec.name)
            return content, got
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


def _missing_message(names, dirs, target, reason, copy=None):
    of_copy = f" of {_COPY_TITLES[copy]}" if copy else ""
    lines = [f"missing data file(s){of_copy}: {', '.join(names)}", "searched:"]
    lines += [f"  {d}" for d in dirs]
    lines.append(f"not downloaded: {reason}")
    lines.append("to get them, do one of:")
    lines.append(f"  - run again with network access: they are downloaded to {target}")
    if any(FILES[n].subdir == "fashion-mnist" for n in names):
        lines.append("  - install the Debian/Ubuntu package: sudo apt install dataset-fashion-mnist")
    urls = [FILES[n].mirrors[0] + n for n in names]
    if len(urls) == 1 or len({u.rsplit("/", 1)[0] for u in urls}) > 1:
        lines += [f"  - download {u} by hand" for u in urls]
    else:  # one place for all, e.g. the four Fashion-MNIST files
        lines.append(f"  - download them by hand from {urls[0].rsplit('/', 1)[0]}/")
    lines.append(f"  - copy them into one of the folders above, or set {ENV_DATA}=/path/to/data")
    return "\n".join(lines)


def _download_missing(missing, subdir, root, copy=None):
    """Download the `missing` files: {name: (content, copy)}. MissingDataError naming all
    the files still missing if that cannot be done (offline, no network)."""
    missing = list(missing)
    dirs, target = search_dirs(subdir, root), download_dir(subdir, root)
    if os.environ.get(ENV_OFFLINE):
        raise MissingDataError(_missing_message(missing, dirs, target, f"{ENV_OFFLINE} is set",
                                                copy))
    got = {}
    for name in list(missing):
        try:
            got[name] = _download(FILES[name], target, copy)
        except ConnectionError as e:
            raise MissingDataError(_missing_message(missing, dirs, target,
                                                    f"no network ({e})", copy)) from None
        except OSError as e:
            raise MissingDataError(_missing_message(missing, dirs, target,
                                                    f"cannot write to {target} ({e})", copy)) from None
        copy = got[name][1]  # the first file fixes the copy of the rest
        missing.remove(name)
    return got


def fetch(names, root=None):
    """Verified contents of the named files, {name: bytes}, downloading any that are missing.

    A corrupt local copy raises DataError naming it; it is never overwritten. Each file
    is taken on its own: load_fashion_mnist keeps the four Fashion-MNIST files to one copy.
    """
    return {name: content for name, (_, content) in _fetch_paths(names, root).items()}


def _fetch_paths(names, root=None):
    """{name: (path, verified content)} of the named files, downloading any that are missing."""
    found, missing = {}, []
    for name in names:
        spec = FILES[name]
        for d in search_dirs(spec.subdir, root):
            path = d / name
            if _is_data_file(path):
                found[name] = path, _content(path, spec)[0]
                break
        else:
            missing.append(name)
    if missing:
        subdir = FILES[missing[0]].subdir
        got = _download_missing(missing, subdir, root)
        target = download_dir(subdir, root)
        found.update((name, (target / name, content)) for name, (content, _) in got.items())
    return found


def unpack_root():
    """The cache that zips are unpacked into: UNPACK_DIR if set, else the project's
    data/unpacked/, else a per-user folder in the temporary directory."""
    if UNPACK_DIR is not None:
        return Path(UNPACK_DIR)
    if (_PROJECT_ROOT / "pyproject.toml").exists() and os.access(_PROJECT_ROOT / "data", os.W_OK):
        return _PROJECT_ROOT / "data" / "unpacked"
    return Path(tempfile.gettempdir()) / f"gluon_tutorials-{os.getuid()}" / "unpacked"


def _check_zip(raw, path):
    if raw[:2] != b"PK":
        raise DataError(f"{path} is not a zip file (it starts with {raw[:2]!r}, not b'PK'): "
                        f"delete it and run again")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise DataError(f"{path} is truncated: the zip archive has no end record "
                        f"({len(raw)} bytes), as after an interrupted download: "
                        f"delete it and run again")


def unpack(names, root=None):
    """Folders holding the named zips unpacked, {name: Path}, found, downloaded and
    verified as by ``fetch``; a bad zip raises DataError naming it and is left in place.

    Each zip is unpacked once into ``unpack_root()/<name>-<sha1>/`` (a temporary folder
    renamed when complete, so a folder there is always whole); its members keep their
    paths inside it, e.g. ``unpack(["ptb.zip"])["ptb.zip"] / "ptb" / "ptb.train.txt"``.
    """
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if not name.endswith(".zip"):
            raise ValueError(f"{name} is not a zip file")
    folders = {}
    for name, (path, raw) in _fetch_paths(names, root).items():
        cache = unpack_root()
        folder = cache / f"{name[:-len('.zip')]}-{FILES[name].sha1[:12]}"
        if not folder.is_dir():
            try:
                cache.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=cache))
            except OSError as e:
                raise DataError(f"cannot unpack {path}: cannot write to {cache} "
                                f"({e.strerror or e}); set {ENV_DATA} or free some space") from None
            try:
                with zipfile.ZipFile(io.BytesIO(raw)) as archive:  # the bytes just verified
                    archive.extractall(tmp)
                os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's folder is owner-only
                os.replace(tmp, folder)
            except OSError as e:
                if not folder.is_dir():  # else another process unpacked it first
                    raise DataError(f"cannot unpack {path} into {cache}: {e.strerror or e}") from None
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        folders[name] = folder
    return folders


class CopyChoiceError(DataError, ValueError):
    """copy= or $GLUON_TUTORIALS_FASHION_MNIST_COPY names no copy of Fashion-MNIST."""


def requested_copy(copy=None):
    """(copy, how it was asked for): the copy of Fashion-MNIST asked for by keyword, else
    by environment, else (None, None). A name that is no copy raises CopyChoiceError."""
    source = f"copy={copy!r}"
    if copy is None:
        copy = os.environ.get(ENV_FASHION_COPY) or None
        source = f"{ENV_FASHION_COPY}={copy}" if copy else None
    if copy is not None and copy not in FASHION_MNIST_COPIES:
        raise CopyChoiceError(f"{source}: the copy of Fashion-MNIST must be one of "
                              f"{', '.join(map(repr, FASHION_MNIST_COPIES))} "
                              f"(or unset: MXNet's when all its files are found, else Zalando's)")
    return copy, source


def _copy_listing(paths_by_copy):
    """Verify the files presumed Zalando's (a corrupt one is reported as such), then list
    each copy's files, for an error about mixed copies."""
    lines = []
    for copy, paths in paths_by_copy.items():
        if copy == "zalando":
            for path in paths:
                _content(path, FILES[path.name])
        lines.append(f"  {_COPY_TITLES[copy]}: " + ", ".join(map(str, paths)))
    return "\n".join(lines)


def _mixed_copies_error(what, paths_by_copy):
    return DataError(
        f"{what}; train and test must come from one copy of Fashion-MNIST, never a mix:\n"
        f"{_copy_listing(paths_by_copy)}\n"
        f"delete or move one copy's files, so that each folder holds one copy and all four "
        f"files of the copy you want are found (choose one with copy= or {ENV_FASHION_COPY})")


def _fashion_paths(root, copy, source=None):
    """(paths, copy): the four Fashion-MNIST files {name: path} from one copy, downloading
    what is missing. A file is presumed Zalando's unless its .gz hash is MXNet's;
    _content verifies it when it is read."""
    subdir = "fashion-mnist"
    found = {c: {} for c in FASHION_MNIST_COPIES}  # copy -> {name: first path found}
    folder_copy = {}
    for d in search_dirs(subdir, root):
        here = {c: [] for c in FASHION_MNIST_COPIES}
        for path in (d / name for name in FASHION_MNIST_FILES):
            if _is_data_file(path):
                is_mxnet = hashlib.sha1(_read(path)).hexdigest() == MXNET_GZ_SHA1[path.name]
                here["mxnet" if is_mxnet else "zalando"].append(path)
        here = {c: paths for c, paths in here.items() if paths}
        if len(here) > 1:
            raise _mixed_copies_error(f"{d} holds files of both copies", here)
        for c, paths in here.items():
            folder_copy[d] = c
            for path in paths:
                found[c].setdefault(path.name, path)
    if copy is None:
        complete = [c for c in FASHION_MNIST_COPIES if len(found[c]) == len(FASHION_MNIST_FILES)]
        partial = [c for c in FASHION_MNIST_COPIES if found[c]]
        if not complete and len(partial) > 1:
            splits = {c: sorted({n.split("-")[0].replace("t10k", "test") for n in found[c]},
                                reverse=True) for c in partial}
            what = " and ".join(f"{'+'.join(splits[c])} files of {_COPY_TITLES[c]}" for c in partial)
            raise _mixed_copies_error(f"found {what}, neither complete",
                                      {c: list(found[c].values()) for c in partial})
        copy = (complete or partial or [None])[0]
    paths = dict(found[copy]) if copy else {}
    missing = [name for name in FASHION_MNIST_FILES if name not in paths]
    if missing:
        target = download_dir(subdir, root)
        other = folder_copy.get(target, copy)
        if other != copy:  # the files of the copy asked for would go where the other one is
            undo = (f"pass copy={other!r}" if (source or "").startswith("copy=")
                    else f"set {ENV_FASHION_COPY}={other} or unset it")
            raise MissingDataError(
                f"{source} asks for {_COPY_TITLES[copy]} of Fashion-MNIST, but {target} holds "
                f"{_COPY_TITLES[other]} and the two are never mixed in one folder: to read "
                f"{_COPY_TITLES[other]}, {undo}; to read {_COPY_TITLES[copy]}, put its four "
                f"files in a folder of their own and set {ENV_DATA} to the folder above it")
        got = _download_missing(missing, subdir, root, copy)
        copy = copy or next(iter(got.values()))[1]
        paths.update((name, target / name) for name in got)
    return paths, copy


class FashionArrays(tuple):
    """(images, labels), which unpack as a pair, with ``.copy``: "mxnet" or "zalando"."""

    def __new__(cls, images, labels, copy):
        arrays = super().__new__(cls, (images, labels))
        arrays.copy = copy
        return arrays


def load_fashion_mnist(train=True, root=None, copy=None):
    """Fashion-MNIST as numpy arrays: images (N, 28, 28) uint8, labels (N,) uint8.

    Returns FashionArrays: ``images, labels = load_fashion_mnist(...)``, and ``.copy``
    tells which copy they came from. ``copy`` is None, "mxnet" or "zalando" (see the
    module docstring); the four files, train and test, always come from one copy.
    """
    paths, copy = _fashion_paths(root, *requested_copy(copy))
    prefix = "train" if train else "t10k"
    image_name, label_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
    images = parse_idx(_content(paths[image_name], FILES[image_name])[0], paths[image_name])
    labels = parse_idx(_content(paths[label_name], FILES[label_name])[0], paths[label_name])
    if images.ndim != 3 or labels.ndim != 1:
        raise DataError(f"{image_name} / {label_name}: expected 3-d images and 1-d labels, "
                        f"got shapes {images.shape} and {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{image_name} holds {len(images)} images but {label_name} "
                        f"holds {len(labels)} labels")
    COPIES_USED["fashion-mnist"] = copy
    return FashionArrays(images, labels, copy)


def local_rows(name, root=None):
    """The number of records in the CSV file `name` where it is found (not downloaded),
    header excluded; None when it is not here or cannot be read."""
    import csv

    for d in search_dirs(FILES[name].subdir, root):
        if (d / name).is_file():
            try:
                content = _content(d / name, FILES[name])[0]
            except DataError:
                return None  # reported, with its cause, when the section reads it
            return max(sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8")))) - 1, 0)
    return None


def read_kaggle_house(root=None):
    """The Kaggle house-price data as two pandas DataFrames (train, test)."""
    import pandas as pd

    names = ["kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"]
    content = fetch(names, root)
    return tuple(pd.read_csv(io.BytesIO(content[n])) for n in names)


def read_time_machine(root=None):
    """The full text of H. G. Wells' The Time Machine."""
    return fetch(["timemachine.txt"], root)["timemachine.txt"].decode("utf-8")


def read_jaychou_lyrics(root=None):
    """The text of jaychou_lyrics.txt, from the book's jaychou_lyrics.txt.zip."""
    folder = unpack("jaychou_lyrics.txt.zip", root)["jaychou_lyrics.txt.zip"]
    return _read(folder / "jaychou_lyrics.txt").decode("utf-8")


def ptb_dir(root=None):
    """The folder holding ptb.train.txt, ptb.valid.txt and ptb.test.txt, from ptb.zip."""
    return unpack("ptb.zip", root)["ptb.zip"] / "ptb"


def read_fr_en_small(root=None):
    """The 20 French-English sentence pairs of the book's nmt section, one tab-separated
    pair a line."""
    return fetch(["fr-en-small.txt"], root)["fr-en-small.txt"].decode("utf-8")


def kaggle_cifar10_dir(root=None):
    """The folder of the full Kaggle CIFAR-10 data, unpacked as the book describes:
    ``trainLabels.csv``, ``train/1.png ... 50000.png`` and ``test/1.png ... 300000.png``;
    ``kaggle_cifar10/`` in the data folders (or `root` itself). The labels file is checked
    by SHA-1 and the folders must hold PNG files; the data is only read, never written."""
    dirs = search_dirs("kaggle_cifar10", root)
    for d in dirs:
        if (d / "trainLabels.csv").is_file():
            digest = hashlib.sha1(_read(d / "trainLabels.csv")).hexdigest()
            if digest != KAGGLE_CIFAR10_LABELS_SHA1:
                raise DataError(f"{d / 'trainLabels.csv'}: content has sha1 {digest}, expected "
                                f"{KAGGLE_CIFAR10_LABELS_SHA1} (Kaggle's CIFAR-10 labels)")
            empty = [f"{d / name}/" for name in KAGGLE_CIFAR10_SIZES
                     if not (d / name).is_dir() or not any((d / name).glob("*.png"))]
            if empty:
                raise DataError(f"{d} has trainLabels.csv but no PNG images in "
                                f"{' or '.join(empty)}: unpack train.7z and test.7z there")
            return d
    lines = ["missing data: the full Kaggle CIFAR-10 data (trainLabels.csv, train/ of 50000 "
             "and test/ of 300000 PNG images)", "searched:"]
    lines += [f"  {d}" for d in dirs]
    lines += ["to get it (Kaggle asks you to log in, so it is never downloaded here):",
              "  - download train.7z, test.7z and trainLabels.csv from "
              "https://www.kaggle.com/c/cifar-10/data",
              "  - unpack them with 7z x into kaggle_cifar10/ of one of the folders above, "
              f"e.g. ${ENV_DATA}/kaggle_cifar10/",
              "  - or run with demo = True (--demo) for the book's 100 shipped images"]
    raise MissingDataError("\n".join(lines))
