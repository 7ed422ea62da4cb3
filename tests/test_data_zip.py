"""The data layer's zip corpora (release 0.6): found in v0.6/, verified, unpacked into a cache."""
import io
import urllib.error
import zipfile

import pytest

from gluon_tutorials import data
from conftest import register, write_zip, zip_bytes

LYRICS = "想要有直升机\n想要和你飞到宇宙去\n" * 20
PTB = {"ptb/": b"", "ptb/ptb.train.txt": " the cat sat \n a dog ran \n",
       "ptb/ptb.valid.txt": " the dog sat \n", "ptb/ptb.test.txt": " a cat ran \n"}


def _listing(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def lyrics_zip(data_dir, monkeypatch):
    raw = write_zip(data_dir / "v0.6", monkeypatch, "jaychou_lyrics.txt.zip",
                    {"jaychou_lyrics.txt": LYRICS.encode()})
    return data_dir / "v0.6" / "jaychou_lyrics.txt.zip", raw


def test_reads_the_zips_from_v06_without_writing_beside_them(data_dir, lyrics_zip, monkeypatch):
    write_zip(data_dir / "v0.6", monkeypatch, "ptb.zip", PTB)
    before = _listing(data_dir)
    assert data.read_jaychou_lyrics() == LYRICS
    ptb = data.ptb_dir()
    assert sorted(p.name for p in ptb.iterdir()) == ["ptb.test.txt", "ptb.train.txt", "ptb.valid.txt"]
    assert (ptb / "ptb.valid.txt").read_text() == PTB["ptb/ptb.valid.txt"]
    assert _listing(data_dir) == before  # the user's folder is untouched
    assert ptb.is_relative_to(data.UNPACK_DIR)
    assert sorted(p.name for p in data.UNPACK_DIR.iterdir()) == [
        "jaychou_lyrics.txt-" + data.FILES["jaychou_lyrics.txt.zip"].sha1[:12],
        "ptb-" + data.FILES["ptb.zip"].sha1[:12]]  # whole folders only, no leftovers


def test_unpacks_once(lyrics_zip, monkeypatch):
    folder = data.unpack(["jaychou_lyrics.txt.zip"])["jaychou_lyrics.txt.zip"]

    def fail(*args, **kwargs):
        raise AssertionError("unpacked again")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", fail)
    assert data.unpack("jaychou_lyrics.txt.zip") == {"jaychou_lyrics.txt.zip": folder}


def test_a_new_version_of_a_zip_gets_its_own_folder(data_dir, lyrics_zip, monkeypatch):
    assert data.read_jaychou_lyrics() == LYRICS
    write_zip(data_dir / "v0.6", monkeypatch, "jaychou_lyrics.txt.zip", {"jaychou_lyrics.txt": b"new"})
    assert data.read_jaychou_lyrics() == "new"


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: raw[:60] + bytes([raw[60] ^ 1]) + raw[61:], "content has sha1 .*expected"),
    (lambda raw: raw[:len(raw) // 2], "truncated: the zip archive has no end record"),
    (lambda raw: b"<html>404</html>", "not a zip file"),
])
def test_a_bad_zip_is_refused_and_kept(data_dir, lyrics_zip, mutate, message):
    path, raw = lyrics_zip
    bad = mutate(raw)
    path.write_bytes(bad)
    with pytest.raises(data.DataError, match=message) as err:
        data.read_jaychou_lyrics()
    assert str(path) in str(err.value) and len(str(err.value).splitlines()) == 1
    assert path.read_bytes() == bad  # kept, for the user to look at
    assert not data.UNPACK_DIR.exists() or not any(data.UNPACK_DIR.iterdir())


def test_a_valid_zip_of_other_content_is_refused(data_dir, lyrics_zip):
    path, _ = lyrics_zip
    other = zip_bytes({"jaychou_lyrics.txt": "别的歌词".encode()})
    path.write_bytes(other)
    with pytest.raises(data.DataError, match=f"{path}: content has sha1 .* expected "
                                             f"{data.FILES['jaychou_lyrics.txt.zip'].sha1}"):
        data.read_jaychou_lyrics()
    assert path.read_bytes() == other


def test_missing_zip_message(data_dir):
    with pytest.raises(data.MissingDataError) as err:
        data.ptb_dir()
    message = str(err.value)
    assert "missing data file(s): ptb.zip" in message
    for directory in data.search_dirs("v0.6"):
        assert str(directory) in message
    assert str(data_dir / "v0.6") in message and data.ENV_DATA in message
    assert f"download {data.FILES['ptb.zip'].mirrors[0]}ptb.zip by hand" in message
    assert "dataset-fashion-mnist" not in message


def test_missing_files_from_several_places_are_each_named_with_their_url(data_dir, monkeypatch):
    spec = data.FILES["ptb.zip"]
    monkeypatch.setitem(data.FILES, "other.zip",
                        data.DataFile("other.zip", spec.subdir, spec.sha1, ("https://example.org/x/",)))
    with pytest.raises(data.MissingDataError) as err:
        data.unpack(["ptb.zip", "other.zip"])
    message = str(err.value)
    assert "missing data file(s): ptb.zip, other.zip" in message
    assert f"download {spec.mirrors[0]}ptb.zip by hand" in message
    assert "download https://example.org/x/other.zip by hand" in message


def test_explicit_root_comes_first(tmp_path, lyrics_zip, monkeypatch):
    root = tmp_path / "book-data"  # the book's own flat data/ folder
    write_zip(root, monkeypatch, "jaychou_lyrics.txt.zip", {"jaychou_lyrics.txt": b"from root"})
    assert data.read_jaychou_lyrics(root=root) == "from root"
    assert data.search_dirs("v0.6", root)[:2] == [root, lyrics_zip[0].parent]


def test_an_interrupted_unpack_leaves_nothing(lyrics_zip, monkeypatch):
    real = zipfile.ZipFile.extractall

    def disk_full(self, path=None, *args, **kwargs):
        real(self, path, *args, **kwargs)  # everything written, then the last write fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", disk_full)
    with pytest.raises(data.DataError, match="cannot unpack .*No space left on device"):
        data.read_jaychou_lyrics()
    assert list(data.UNPACK_DIR.iterdir()) == []
    monkeypatch.setattr(zipfile.ZipFile, "extractall", real)
    assert data.read_jaychou_lyrics() == LYRICS


def test_unpack_cache_outside_the_project_is_a_temp_folder(data_dir, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "UNPACK_DIR", None)
    monkeypatch.setattr(data.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    assert data.unpack_root().is_relative_to(tmp_path / "tmp")
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    monkeypatch.setattr(data, "_PROJECT_ROOT", project)
    assert data.unpack_root() == project / "data" / "unpacked"


def test_a_missing_zip_is_downloaded_verified_and_unpacked(data_dir, monkeypatch):
    raw = zip_bytes(PTB)
    register(monkeypatch, "ptb.zip", raw)
    monkeypatch.delenv(data.ENV_OFFLINE)
    urls = []

    def opener(url, timeout=None):
        urls.append(url)
        if len(urls) == 1:
            return io.BytesIO(raw[:len(raw) // 2])  # a truncated answer is discarded
        return io.BytesIO(raw)

    monkeypatch.setattr(data, "_urlopen", opener)
    assert (data.ptb_dir() / "ptb.train.txt").read_text() == PTB["ptb/ptb.train.txt"]
    assert urls == [m + "ptb.zip" for m in data.FILES["ptb.zip"].mirrors]
    assert [p.name for p in (data_dir / "v0.6").iterdir()] == ["ptb.zip"]


def test_no_network_for_a_zip(data_dir, monkeypatch):
    monkeypatch.delenv(data.ENV_OFFLINE)

    def offline(url, timeout=None):
        raise urllib.error.URLError(OSError(-2, "Name or service not known"))

    monkeypatch.setattr(data, "_urlopen", offline)
    with pytest.raises(data.MissingDataError, match="no network"):
        data.read_jaychou_lyrics()
    assert not (data_dir / "v0.6").exists() or list((data_dir / "v0.6").iterdir()) == []


def test_real_zips(real_data, monkeypatch, tmp_path):
    if not (real_data / "v0.6" / "ptb.zip").is_file():
        pytest.skip(f"release 0.6 data not found at {real_data / 'v0.6'}")
    monkeypatch.setattr(data, "UNPACK_DIR", tmp_path / "unpacked")
    lyrics = data.read_jaychou_lyrics()
    assert len(lyrics) == 64925 and lyrics.startswith("想要有直升机")
    ptb = data.ptb_dir()
    with open(ptb / "ptb.train.txt") as f:
        assert sum(1 for _ in f) == 42068
