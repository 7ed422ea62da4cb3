"""A PEP 517 backend that builds "mxnet 1.9.1" from the PyPI wheel, for Python 3.12+.

MXNet 1.9.1 is the last release, and its wheel is tagged py3-none, so it installs on any
Python 3; two things stop it on today's Pythons:
- its metadata says `numpy<2`, and Python 3.13 has no numpy below 2.1. pip cannot be told to
  ignore one package's bound, so this wheel says `numpy>1.16` instead;
- its code binds numpy names at import that numpy later removed (`onp.PZERO`), and imports
  distutils, which left the standard library in 3.12. This wheel's `mxnet/__init__.py` calls
  `mxnet_numpy_compat.restore()` first and `.remove()` last, and it requires setuptools,
  which provides distutils again.
Every other byte is PyPI's: the wheel pip downloads is checked against its SHA-256 below.
"""
import base64
import csv
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = "1.9.1"
DIST_INFO = f"mxnet-{VERSION}.dist-info"
# The three wheels PyPI has of mxnet 1.9.1, by file name.
SHA256 = {
    "mxnet-1.9.1-py3-none-manylinux2014_x86_64.whl":
        "65d5dac162c87a14d138d888b54494d515036d9047ae804ff51f770bd02197a6",
    "mxnet-1.9.1-py3-none-manylinux2014_aarch64.whl":
        "5e51a0c05d99f8f1b3b5e7c02170be57af2e6edb3ad9af2cb9551ace3e22942c",
    "mxnet-1.9.1-py3-none-macosx_10_13_x86_64.whl":
        "73c045f65ad05fe9ca3c4202e10471703b57231f8ac8b05d973ec2ab362178fb",
}
NUMPY_BOUND = ("Requires-Dist: numpy (<2.0.0,>1.16.0)", "Requires-Dist: numpy>1.16.0")
COMPAT = "mxnet_numpy_compat.py"
PROLOGUE = ("import mxnet_numpy_compat as _numpy_compat  # gluon-tutorials: numpy names, "
            "see that module\n_numpy_compat.restore()\n")
EPILOGUE = "\n_numpy_compat.remove()\ndel _numpy_compat\n"


def _download(folder):
    """PyPI's wheel for this platform, fetched by pip (so pip's index settings apply)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--dest", str(folder),
               f"mxnet=={VERSION}"]
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = list(Path(folder).glob("mxnet-*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"could not download mxnet {VERSION}: {result.stderr.strip()}")
    wheel = wheels[0]
    expected = SHA256.get(wheel.name)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if expected is None:
        raise RuntimeError(f"{wheel.name} is not one of the mxnet {VERSION} wheels this build knows")
    if digest != expected:
        raise RuntimeError(f"{wheel.name} has SHA-256 {digest}, expected {expected}")
    return wheel


def _patched(name, data):
    """The new bytes of an entry of the wheel, or None to keep it."""
    if name == f"{DIST_INFO}/METADATA":
        text = data.decode()
        if NUMPY_BOUND[0] not in text:
            raise RuntimeError(f"mxnet's METADATA has no line {NUMPY_BOUND[0]!r}")
        text = text.replace(NUMPY_BOUND[0], NUMPY_BOUND[1] + "\nRequires-Dist: setuptools")
        return text.encode()
    if name == "mxnet/__init__.py":
        text = data.decode()
        marker = "\nfrom .context import"
        if marker not in text:
            raise RuntimeError("mxnet/__init__.py does not look like MXNet 1.9.1's")
        head, tail = text.split(marker, 1)
        return (head + "\n" + PROLOGUE + marker.lstrip("\n") + tail.rstrip("\n") + "\n"
                + EPILOGUE).encode()
    return None


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _repack(source, target):
    """Copy the wheel `source` to `target` with the patched entries, the compat module and
    a RECORD that matches."""
    record_name = f"{DIST_INFO}/RECORD"
    rows = []
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == record_name:
                continue
            data = zin.read(info)
            new = _patched(info.filename, data)
            if new is not None:
                data = new
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            rows.append(_record_line(info.filename, data))
        compat = (HERE / COMPAT).read_bytes()
        zout.writestr(COMPAT, compat)
        rows.append(_record_line(COMPAT, compat))
        rows.append([record_name, "", ""])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        zout.writestr(record_name, out.getvalue())


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _download(tmp)
        partial = Path(wheel_directory) / (wheel.name + ".part")
        _repack(wheel, partial)
        os.replace(partial, Path(wheel_directory) / wheel.name)
    return wheel.name


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _download(tmp)
        with zipfile.ZipFile(wheel) as zin:
            for name in zin.namelist():
                if name.startswith(f"{DIST_INFO}/") and not name.endswith("/RECORD"):
                    data = zin.read(name)
                    path = Path(metadata_directory) / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(_patched(name, data) or data)
    return DIST_INFO


def get_requires_for_build_wheel(config_settings=None):
    return []
