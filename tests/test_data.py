"""The data layer: finding, verifying, reading and downloading datasets."""
import gzip
import hashlib
import io
import os
import urllib.error

import numpy as np
import pytest

import utils
from gluon_tutorials import data
from conftest import idx_bytes, register, write_fashion_mnist

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


def _flip_crc(gz):
    return gz[:-8] + bytes([gz[-8] ^ 1]) + gz[-7:]  # the CRC-32 sits in the 8-byte trailer


@pytest.mark.parametrize("mutate, message, not_said", [
    (lambda gz: os.urandom(len(gz)).replace(b"\x1f\x8b", b"xx"), "not a gzip file", "truncated"),
    (_flip_crc, "corrupt", "truncated"),
    (lambda gz: gz[:len(gz) // 2], "truncated", "corrupt"),
    (lambda gz: b"", "truncated", "corrupt"),
])
def test_gzip_errors_say_what_is_wrong(tiny_fashion_mnist, data_dir, mutate, message, not_said):
    path = data_dir / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(mutate(path.read_bytes()))
    with pytest.raises(data.DataError, match=f"{path.name}.*{message}") as err:
        data.load_fashion_mnist(train=False)
    assert not_said not in str(err.value)


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
    for name in FASHION_NAMES:  # all four, so one run tells everything that is missing
        assert name in message
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
    first_labels = {True: [9, 0, 0, 3, 0, 2, 7, 2, 5], False: [9, 2, 1, 1, 6, 1, 4, 6, 5]}
    for train, n in ((True, 60000), (False, 10000)):
        images, labels = arrays = data.load_fashion_mnist(train, copy="zalando")
        assert images.shape == (n, 28, 28) and arrays.copy == "zalando"
        np.testing.assert_array_equal(np.bincount(labels, minlength=10), [n // 10] * 10)
        assert labels[:9].tolist() == first_labels[train]  # MXNet's copy, the book's, starts with 2
    train, test = data.read_kaggle_house()
    assert train.shape == (1460, 81) and test.shape == (1459, 80)
    assert len(data.read_time_machine().splitlines()) == 3221


# --- The two copies of Fashion-MNIST -------------------------------------------------

def mxnet_copy(directory, monkeypatch):
    """Tiny files standing for MXNet's copy: 200 train and 50 test examples (the Zalando
    fixture has 300 and 100), known by the SHA-1 of each .gz file as MXNet knows them."""
    zalando = {name: data.FILES[name] for name in FASHION_NAMES}
    arrays = write_fashion_mnist(directory, monkeypatch, n_train=200, n_test=50)
    for name in FASHION_NAMES:
        monkeypatch.setitem(data.FILES, name, zalando[name])  # these files are not Zalando's
        monkeypatch.setitem(data.MXNET_GZ_SHA1, name, hashlib.sha1((directory / name).read_bytes()).hexdigest())
    return arrays


@pytest.fixture
def mxnet_dir(tmp_path, data_dir, monkeypatch):
    """~/.mxnet/datasets, searched after $GLUON_TUTORIALS_DATA; returns its fashion-mnist/."""
    monkeypatch.setattr(data, "MXNET_DIR", tmp_path / "mxnet")
    return tmp_path / "mxnet" / "fashion-mnist"


def test_mxnet_copy_is_accepted_by_its_gz_hash(data_dir, monkeypatch):
    arrays = mxnet_copy(data_dir / "fashion-mnist", monkeypatch)
    monkeypatch.setitem(data.COPIES_USED, "fashion-mnist", None)
    result = data.load_fashion_mnist(train=True)
    images, labels = result
    assert result.copy == "mxnet" and data.COPIES_USED["fashion-mnist"] == "mxnet"
    np.testing.assert_array_equal(labels, arrays["train-labels-idx1-ubyte.gz"])
    assert images.shape == (200, 28, 28)


def test_zalando_copy_is_reported(tiny_fashion_mnist, monkeypatch):
    monkeypatch.setitem(data.COPIES_USED, "fashion-mnist", None)
    assert data.load_fashion_mnist(train=False).copy == "zalando"
    assert data.COPIES_USED["fashion-mnist"] == "zalando"


def test_default_prefers_mxnet_copy(tiny_fashion_mnist, mxnet_dir, monkeypatch):
    # Zalando's copy is searched first, but the book read MXNet's.
    mxnet_copy(mxnet_dir, monkeypatch)
    assert len(data.load_fashion_mnist(train=False)[1]) == 50
    assert data.load_fashion_mnist(train=True).copy == "mxnet"


def test_default_falls_back_to_zalando_when_mxnet_copy_is_incomplete(tiny_fashion_mnist, mxnet_dir, monkeypatch):
    mxnet_copy(mxnet_dir, monkeypatch)
    (mxnet_dir / "t10k-images-idx3-ubyte.gz").unlink()
    assert data.load_fashion_mnist(train=True).copy == "zalando"


@pytest.mark.parametrize("keyword, env, expected", [
    ("zalando", None, "zalando"),
    ("mxnet", None, "mxnet"),
    (None, "zalando", "zalando"),
    (None, "mxnet", "mxnet"),
    ("mxnet", "zalando", "mxnet"),  # the keyword wins
    ("zalando", "mxnet", "zalando"),
])
def test_keyword_and_env_choose_the_copy(tiny_fashion_mnist, mxnet_dir, monkeypatch, keyword, env, expected):
    mxnet_copy(mxnet_dir, monkeypatch)
    if env:
        monkeypatch.setenv(data.ENV_FASHION_COPY, env)
    result = data.load_fashion_mnist(train=True, copy=keyword)
    assert result.copy == expected and len(result[1]) == {"mxnet": 200, "zalando": 300}[expected]


@pytest.mark.parametrize("keyword, env", [(None, "book"), ("Zalando", None), ("book", "mxnet")])
def test_invalid_copy_is_a_clear_error(tiny_fashion_mnist, monkeypatch, keyword, env):
    if env:
        monkeypatch.setenv(data.ENV_FASHION_COPY, env)
    with pytest.raises(ValueError, match="mxnet.*zalando") as err:
        data.load_fashion_mnist(copy=keyword)
    assert (data.ENV_FASHION_COPY in str(err.value)) == (keyword is None)


def test_train_and_test_from_different_copies_is_refused(data_dir, mxnet_dir, monkeypatch):
    zalando_dir = data_dir / "fashion-mnist"
    write_fashion_mnist(zalando_dir, monkeypatch)
    mxnet_copy(mxnet_dir, monkeypatch)
    for name in FASHION_NAMES:  # train from MXNet's copy, test from Zalando's
        (zalando_dir if name.startswith("train") else mxnet_dir).joinpath(name).unlink()
    for train in (True, False):
        with pytest.raises(data.DataError, match="train files of MXNet's copy and test files of Zalando's copy") as err:
            data.load_fashion_mnist(train=train)
        message = str(err.value)
        assert str(mxnet_dir / "train-images-idx3-ubyte.gz") in message
        assert str(zalando_dir / "t10k-labels-idx1-ubyte.gz") in message
        assert not isinstance(err.value, data.MissingDataError)


def test_one_folder_holding_both_copies_is_refused(data_dir, mxnet_dir, monkeypatch):
    folder = data_dir / "fashion-mnist"
    write_fashion_mnist(folder, monkeypatch)
    mxnet_copy(mxnet_dir, monkeypatch)
    (mxnet_dir / "t10k-labels-idx1-ubyte.gz").replace(folder / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(data.DataError, match=f"(?s){folder}.*MXNet's copy.*t10k-labels.*Zalando's copy"):
        data.load_fashion_mnist(train=True, copy="zalando")


def test_download_accepts_either_copy_but_never_mixes(data_dir, monkeypatch):
    served = {}  # mirror index -> {name: .gz bytes}: MXNet's mirror comes first
    for i, make in enumerate((mxnet_copy, write_fashion_mnist)):
        folder = data_dir / f"mirror{i}"
        make(folder, monkeypatch)
        served[i] = {name: (folder / name).read_bytes() for name in FASHION_NAMES}
    monkeypatch.delenv(data.ENV_OFFLINE)
    monkeypatch.setenv(data.ENV_DATA, str(data_dir / "zalando"))
    monkeypatch.setattr(data, "_urlopen", lambda url, timeout=None: _Response(
        served[int(url.startswith(data.FILES[FASHION_NAMES[0]].mirrors[1]))][url.rsplit("/", 1)[1]]))
    result = data.load_fashion_mnist(train=False, copy="zalando")  # MXNet's files are turned down
    assert result.copy == "zalando" and len(result[1]) == 100
    assert sorted(p.name for p in (data_dir / "zalando" / "fashion-mnist").iterdir()) == sorted(FASHION_NAMES)
    monkeypatch.setenv(data.ENV_DATA, str(data_dir / "default"))
    assert data.load_fashion_mnist(train=False).copy == "mxnet"  # the first mirror's copy
    # A folder holding one copy is not filled up with the other's files.
    monkeypatch.setenv(data.ENV_DATA, str(data_dir / "mixed"))
    (data_dir / "mixed" / "fashion-mnist").mkdir(parents=True)
    (data_dir / "mirror0" / "train-images-idx3-ubyte.gz").rename(data_dir / "mixed" / "fashion-mnist" / "train-images-idx3-ubyte.gz")
    with pytest.raises(data.MissingDataError, match="MXNet's copy"):
        data.load_fashion_mnist(train=True, copy="zalando")
    assert len(list((data_dir / "mixed" / "fashion-mnist").iterdir())) == 1


def test_loaders_carry_the_copy_in_the_book_call_forms(tiny_fashion_mnist, mxnet_dir, monkeypatch):
    mxnet_copy(mxnet_dir, monkeypatch)
    for args in [(64,), (64, utils.transform_mnist), (64, lambda d, l: (d.astype("float32"), l))]:
        loaders = utils.load_data_fashion_mnist(*args)
        assert isinstance(loaders, tuple) and len(loaders) == 2
        assert [loader.fashion_mnist_copy for loader in loaders] == ["mxnet", "mxnet"]
    train_data, test_data = utils.load_data_fashion_mnist(64, copy="zalando")
    assert test_data.fashion_mnist_copy == "zalando" and sum(len(l) for _, l in test_data) == 100
    assert utils.FashionMNIST(train=False, copy="zalando").fashion_mnist_copy == "zalando"


def test_say_subset_states_the_real_counts():
    said = []
    utils.say_subset(100000, 60000, 10000, log=said.append)
    assert "100000 training" not in said[-1] and "100000 test" not in said[-1]
    assert "60000 training" in said[-1] and "10000 test" in said[-1]
    utils.say_subset(20000, 20000, 10000, log=said.append)
    assert "first 20000 training" in said[-1] and "all 10000 test" in said[-1]
    utils.say_subset(500, 500, 500, log=said.append)
    assert "first 500 training and first 500 test" in said[-1]
    utils.say_subset(500, log=said.append)  # the old call form: no counts known
    assert "at most" in said[-1]
    # The book's full size, asked for by its exact train size, is not called a quick run.
    utils.say_subset(60000, 60000, 10000, log=said.append, totals=(60000, 10000))
    assert "all 60000 training and 10000 test" in said[-1] and "quick run" not in said[-1]
    utils.say_subset(20000, 20000, 10000, log=said.append, totals=(60000, 10000))
    assert "first 20000 training and all 10000 test" in said[-1] and "quick run" in said[-1]
    n = len(said)
    utils.say_subset(None, 60000, 10000, log=said.append)
    assert len(said) == n
