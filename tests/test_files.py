"""Atomic writes."""
import os
import stat

import pytest

from gluon_tutorials import files


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "sub" / "report.md"
    files.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with files.atomic_path(target) as tmp:
            with open(tmp, "w") as f:
                f.write("half of the new")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert os.listdir(target.parent) == ["report.md"]


def test_written_files_get_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = files.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_atomic_folder_replaces_a_folder_only_on_success(tmp_path):
    target = tmp_path / "out" / "train_valid_test"
    with files.atomic_folder(target) as tmp:
        (tmp / "train").mkdir()
        (tmp / "train" / "1.png").write_bytes(b"first")
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "train", "train/1.png"]
    with pytest.raises(RuntimeError):
        with files.atomic_folder(target) as tmp:
            (tmp / "valid").mkdir()
            raise RuntimeError("interrupted")
    assert (target / "train" / "1.png").read_bytes() == b"first"
    assert os.listdir(target.parent) == ["train_valid_test"]  # no half-filled folder left
    with files.atomic_folder(target) as tmp:
        (tmp / "test").mkdir()
    assert os.listdir(target) == ["test"]  # the old folder went, whole
    assert os.listdir(target.parent) == ["train_valid_test"]


def test_atomic_folder_keeps_the_old_one_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "data"
    target.mkdir()
    (target / "keep").write_text("x")
    real_replace = os.replace

    def fail_second(src, dst):
        if str(src).endswith(".tmp"):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(OSError, match="disk full"):
        with files.atomic_folder(target) as tmp:
            (tmp / "new").write_text("y")
    assert os.listdir(target) == ["keep"] and os.listdir(tmp_path) == ["data"]
