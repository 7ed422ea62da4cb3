"""Shared fixtures: tiny datasets written in the real formats (IDX .gz, CSV, text),
registered with the data layer so that its real reading and checking code runs."""
import dataclasses
import gzip
import hashlib
import io
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gluon_tutorials import data

SHARED_DATA = Path(os.environ.get(data.ENV_DATA, Path(__file__).resolve().parents[2] / "shared" / "data"))


def idx_bytes(array):
    """The IDX encoding of a uint8 array: magic 0x0000080N, big-endian dims, payload."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.tobytes()


def register(monkeypatch, name, content):
    """Make the data layer accept `content` as the verified content of `name`."""
    spec = dataclasses.replace(data.FILES[name], sha1=hashlib.sha1(content).hexdigest())
    monkeypatch.setitem(data.FILES, name, spec)


def zip_bytes(members):
    """A zip archive of {member path: bytes or str}; a path ending in '/' is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def write_zip(directory, monkeypatch, name, members):
    """Write the zip `name` of `members` into `directory` and register its SHA-1; returns
    the zip's bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    raw = zip_bytes(members)
    (directory / name).write_bytes(raw)
    register(monkeypatch, name, raw)
    return raw


def fake_fashion_images(n, seed):
    """Images whose class shows as a bright 6x6 patch at a class-specific place, plus noise:
    easy enough that a few steps of training visibly help."""
    rng = np.random.RandomState(seed)
    labels = np.arange(n, dtype=np.uint8) % 10
    rng.shuffle(labels)
    images = rng.randint(0, 60, size=(n, 28, 28)).astype(np.uint8)
    for i, c in enumerate(labels):
        r, col = 2 + 8 * (c // 4), 2 + 6 * (c % 4)
        images[i, r:r + 6, col:col + 6] = 250
    return images, labels


def write_fashion_mnist(directory, monkeypatch, n_train=300, n_test=100):
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        images, labels = fake_fashion_images(n, seed)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte.gz"
            raw = idx_bytes(array)
            (directory / name).write_bytes(gzip.compress(raw))
            register(monkeypatch, name, raw)
            arrays[name] = array
    return arrays


def kaggle_frames(n_train=60, n_test=40, seed=0):
    """A small house-price table with the real file's first and last feature columns,
    numeric and categorical features, and missing values in both."""
    import pandas as pd

    rng = np.random.RandomState(seed)
    n = n_train + n_test
    area = rng.randint(2000, 20000, n).astype(float)
    frontage = rng.randint(30, 120, n).astype(float)
    frontage[rng.rand(n) < 0.15] = np.nan
    zoning = rng.choice(["RL", "RM", "FV"], n).astype(object)
    zoning[rng.rand(n) < 0.1] = np.nan
    frame = pd.DataFrame({
        "Id": np.arange(1, n + 1),
        "MSSubClass": rng.choice([20, 60, 120], n),
        "MSZoning": zoning,
        "LotFrontage": frontage,
        "LotArea": area,
        "SaleCondition": rng.choice(["Normal", "Abnorml", "Partial"], n),
    })
    price = 50000 + 12 * area + 400 * np.nan_to_num(frontage, nan=60) + rng.normal(0, 5000, n)
    train = frame.iloc[:n_train].assign(SalePrice=price[:n_train].round())
    return train, frame.iloc[n_train:].reset_index(drop=True)


TIME_MACHINE = (
    "The Time Traveller (for so it will be convenient to speak of him) was expounding a "
    "recondite matter to us. His grey eyes shone and twinkled, and his usually pale face "
    "was flushed and animated. The fire burned brightly, and the soft radiance of the "
    "incandescent lights in the lilies of silver caught the bubbles that flashed and "
    "passed in our glasses.\nThe Medical Man rose, came to the lamp, and examined the "
    "thing.\n"
)


@pytest.fixture
def offline(monkeypatch):
    """No downloads: the data layer must make do with what is on disk."""
    monkeypatch.setenv(data.ENV_OFFLINE, "1")


@pytest.fixture
def data_dir(tmp_path, monkeypatch, offline):
    """An empty data directory that the data layer searches first (after an explicit root)."""
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setenv(data.ENV_DATA, str(directory))
    monkeypatch.setattr(data, "MXNET_DIR", tmp_path / "no-mxnet")
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data, "_PROJECT_ROOT", tmp_path / "no-project")
    monkeypatch.setattr(data, "UNPACK_DIR", tmp_path / "unpacked")
    return directory


@pytest.fixture
def tiny_fashion_mnist(data_dir, monkeypatch):
    """300 train and 100 test images in real IDX .gz files; returns {file name: array}."""
    return write_fashion_mnist(data_dir / "fashion-mnist", monkeypatch)


@pytest.fixture
def tiny_kaggle(data_dir, monkeypatch):
    """Small kaggle_house_pred_{train,test}.csv files; returns the (train, test) frames."""
    train, test = kaggle_frames()
    for name, frame in (("kaggle_house_pred_train.csv", train), ("kaggle_house_pred_test.csv", test)):
        raw = frame.to_csv(index=False).encode()
        (data_dir / name).write_bytes(raw)
        register(monkeypatch, name, raw)
    return train, test


@pytest.fixture
def tiny_time_machine(data_dir, monkeypatch):
    """A short timemachine.txt (the opening repeated); returns its text."""
    text = TIME_MACHINE * 40
    raw = text.encode()
    (data_dir / "timemachine.txt").write_bytes(raw)
    register(monkeypatch, "timemachine.txt", raw)
    return text


@pytest.fixture
def real_data(monkeypatch):
    """The real datasets (../shared/data in CI, or $GLUON_TUTORIALS_DATA); skips when absent."""
    if not (SHARED_DATA / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (set {data.ENV_DATA})")
    monkeypatch.setenv(data.ENV_DATA, str(SHARED_DATA))
    monkeypatch.setenv(data.ENV_OFFLINE, "1")
    return SHARED_DATA


def run_section(slug, out=None, **overrides):
    """Execute a section in this process, as `run SLUG` does, with `overrides` in the
    injected cell (and `out` when given); returns the section's namespace."""
    from gluon_tutorials import notebook, runtime, sections

    if out is not None:
        overrides["out"] = str(out)
    runtime.epoch_seconds.clear()  # as reproduce does: the times of this run only
    return notebook.execute(sections.get(slug).path, overrides)
