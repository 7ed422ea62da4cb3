"""The data layer: finding, verifying, reading and downloading datasets."""
import gzip
import io
import urllib.error

import numpy as np
import pytest

from gluon_tutorials import data
from conftest import idx_bytes, register

FASHION_NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_reads_tiny_idx_files(tiny_fashion_mnist):
    images, labels = data.load_fashion_mnist(train=True)
    assert images.shape == (300, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (300,) and labels.dtype == np.uint8
    np.testing.assert_array_equal(images, tiny_fashion_mnist["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(labels, tiny_fashion_mnist["train-labels-idx1-ubyte.gz"])
    test_images, test_labels = data.load_fashion_mnist(train=False)
    assert test_images.shape == (100, 28, 28) and test_labels.shape == (100,)


def test_recompressed_copy_is_accepted(tiny_fashion_mnist, data_dir):
    # Debian re-compresses the files: other .gz bytes, same content.
    path = data_dir / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    recompressed = gzip.compress(raw, compresslevel=1, mtime=12345)
    assert recompressed != path.read_bytes()
    path.write_bytes(recompressed)
    _, labels = data.load_fashion_mnist(train=False)
    np.testing.assert_array_equal(labels, tiny_fashion_mnist["t10k-labels-idx1-ubyte.gz"])


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: b"\x00\x00\x08\x02" + raw[4:], "bad magic number"),
    (lambda raw: raw[:-10], "truncated"),
    (lambda raw: raw + b"\x00" * 7, "longer than its header says"),
])
def test_parse_idx_rejects_bad_structure(mutate, message):
    raw = idx_bytes(np.zeros((3, 28, 28), np.uint8))
    assert data.parse_idx(raw).shape == (3, 28, 28)
    with pytest.raises(data.DataError, match=message):
        data.parse_idx(mutate(raw), "x.gz")


def test_bad_magic_in_a_file_names_the_file(tiny_fashion_mnist, data_dir, monkeypatch):
    name = "t10k-images-idx3-ubyte.gz"
    raw = b"\x00\x00\x08\x09" + idx_bytes(np.zeros((2, 28, 28), np.uint8))[4:]
    (data_dir / "fashion-mnist" / name).write_bytes(gzip.compress(raw))
    register(monkeypatch, name, raw)
    with pytest.raises(data.DataError, match=f"{name}.*bad magic number"):
        data.load_fashion_mnist(train=False)


def test_truncated_gzip_names_the_file_and_is_not_overwritten(tiny_fashion_mnist, data_dir, monkeypatch):
    path = data_dir / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    cut = path.read_bytes()[:-200]
    path.write_bytes(cut)
    monkeypatch.delenv(data.ENV_OFFLINE)
    monkeypatch.setattr(data, "_urlopen", _fail_if_called)
    with pytest.raises(data.DataError, match="train-images-idx3-ubyte.gz.*truncated"):
        data.load_fashion_mnist(train=True)
    assert path.read_bytes() == cut


def test_wrong_hash_names_the_file(tiny_fashion_mnist, data_dir, monkeypatch):
    name = "t10k-labels-idx1-ubyte.gz"
    register(monkeypatch, name, b"something else")
    with pytest.raises(data.DataError, match=f"{name}.*sha1") as err:
        data.load_fashion_mnist(train=False)
    assert not isinstance(err.value, data.MissingDataError)


def test_image_label_count_mismatch(tiny_fashion_mnist, data_dir, monkeypatch):
    name = "t10k-labels-idx1-ubyte.gz"
    raw = idx_bytes(np.zeros(99, np.uint8))
    (data_dir / "fashion-mnist" / name).write_bytes(gzip.compress(raw))
    register(monkeypatch, name, raw)
    with pytest.raises(data.DataError, match="100 images but .*99 labels"):
        data.load_fashion_mnist(train=False)


def test_search_order(tmp_path, data_dir, monkeypatch):
    # The same file name with different content in three places: the first place wins.
    debian = tmp_path / "debian"
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    for directory, text in ((debian, "debian"), (data_dir, "env")):
        directory.mkdir(exist_ok=True)
        (directory / "timemachine.txt").write_text(text)
    register(monkeypatch, "timemachine.txt", b"debian")
    with pytest.raises(data.DataError, match=str(data_dir)):
        data.read_time_machine()  # the env copy comes first and does not verify
    (data_dir / "timemachine.txt").unlink()
    assert data.read_time_machine() == "debian"
    root = tmp_path / "explicit"
    root.mkdir()
    (root / "timemachine.txt").write_text("explicit")
    register(monkeypatch, "timemachine.txt", b"explicit")
    assert data.read_time_machine(root=root) == "explicit"
    assert data.search_dirs("fashion-mnist", root)[:2] == [root, data_dir / "fashion-mnist"]


def test_missing_offline_message(data_dir):
    with pytest.raises(data.MissingDataError) as err:
        data.load_fashion_mnist(train=True)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    for directory in data.search_dirs("fashion-mnist"):
        assert str(directory) in message
    assert "dataset-fashion-mnist" in message and data.ENV_DATA in message
    assert len(message.splitlines()) < 15


def _fail_if_called(url, timeout=None):
    raise AssertionError(f"unexpected download of {url}")


def _offline(url, timeout=None):
    raise urllib.error.URLError(OSError(-2, "Name or service not known"))


def test_missing_without_network(data_dir, monkeypatch):
    monkeypatch.delenv(data.ENV_OFFLINE)
    monkeypatch.setattr(data, "_urlopen", _offline)
    with pytest.raises(data.MissingDataError, match="no network"):
        data.read_kaggle_house()
    assert list(data_dir.iterdir()) == []


class _Response(io.BytesIO):
    """A urlopen() result that can break off part-way through."""

    def __init__(self, payload, fail_after=None):
        super().__init__(payload)
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError("connection reset by peer")
        return super().read(size if self.fail_after is None else min(size, 100))


def _gz_file(monkeypatch):
    name = "t10k-labels-idx1-ubyte.gz"
    raw = idx_bytes(np.arange(1000, dtype=np.uint8) % 10)
    register(monkeypatch, name, raw)
    return name, raw, gzip.compress(raw)


def test_download_verifies_and_renames(data_dir, monkeypatch):
    name, raw, payload = _gz_file(monkeypatch)
    urls = []
    monkeypatch.delenv(data.ENV_OFFLINE)

    def opener(url, timeout=None):
        urls.append(url)
        if len(urls) == 1:  # the first mirror is gone
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return _Response(payload)

    monkeypatch.setattr(data, "_urlopen", opener)
    assert data.fetch([name])[name] == raw
    assert len(urls) == 2 and urls[1].endswith(name)
    assert sorted(p.name for p in (data_dir / "fashion-mnist").iterdir()) == [name]
    monkeypatch.setattr(data, "_urlopen", _fail_if_called)
    assert data.fetch([name])[name] == raw  # found locally now


def test_interrupted_download_leaves_nothing(data_dir, monkeypatch):
    name, _, payload = _gz_file(monkeypatch)
    monkeypatch.delenv(data.ENV_OFFLINE)
    monkeypatch.setattr(data, "_urlopen", lambda url, timeout=None: _Response(payload, fail_after=len(payload) // 2))
    with pytest.raises(data.MissingDataError):
        data.fetch([name])
    assert list((data_dir / "fashion-mnist").iterdir()) == []


def test_download_with_bad_content_is_discarded(data_dir, monkeypatch):
    name, _, payload = _gz_file(monkeypatch)
    monkeypatch.delenv(data.ENV_OFFLINE)
    monkeypatch.setattr(data, "_urlopen", lambda url, timeout=None: _Response(payload[:-30]))
    with pytest.raises(data.DataError, match="could not download"):
        data.fetch([name])
    assert list((data_dir / "fashion-mnist").iterdir()) == []


def test_kaggle_and_time_machine_readers(tiny_kaggle, tiny_time_machine):
    train, test = data.read_kaggle_house()
    assert train.shape == tiny_kaggle[0].shape and test.shape == tiny_kaggle[1].shape
    assert list(train.columns) == list(tiny_kaggle[0].columns)
    assert data.read_time_machine() == tiny_time_machine


def test_real_data(real_data):
    for train, n in ((True, 60000), (False, 10000)):
        images, labels = data.load_fashion_mnist(train)
        assert images.shape == (n, 28, 28)
        np.testing.assert_array_equal(np.bincount(labels, minlength=10), [n // 10] * 10)
    train, test = data.read_kaggle_house()
    assert train.shape == (1460, 81) and test.shape == (1459, 80)
    assert len(data.read_time_machine().splitlines()) == 3221
