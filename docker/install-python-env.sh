#!/bin/sh
# Build step of the image: the Python environment $VENV with the project's pins, and the list
# of GPU architectures its MXNet carries code for (read by the entry point).
#
# A base image that already has MXNet (NVIDIA's NGC MXNet image) keeps it: the environment is
# made on the base's Python with its packages visible, and the pip MXNet is left out.
# Otherwise uv installs a standalone CPython $PYTHON_VERSION (Ubuntu 20.04 has only 3.8)
# and every pin, mxnet-cu112 included, comes from PyPI.
set -eu

requirements=${1:?usage: install-python-env.sh REQUIREMENTS_FILE}
venv=${VENV:-/opt/venv}
archs_file=${GLUON_TUTORIALS_MXNET_ARCHS_FILE:-/etc/gluon-tutorials/mxnet-archs}
# SASS in the mxnet-cu112 1.9.1 wheel's libmxnet.so (read from its fatbin headers); no PTX.
# Only that exact pin gets this list (tests/test_packaging.py checks the pin below against
# pyproject.toml); any other MXNet gets none, and the entry point then checks nothing.
cu112_archs="50 60 70 80 86"

pins=$(mktemp)
archs=
base_python=$(command -v python3 || true)
if [ -n "$base_python" ] && "$base_python" -c \
        'import importlib.util, sys; sys.exit(importlib.util.find_spec("mxnet") is None)'; then
    echo "install: keeping the MXNet of the base image ($base_python); no pip MXNet"
    uv venv --system-site-packages --python "$base_python" "$venv"
    grep -v -i '^mxnet' "$requirements" > "$pins"
else
    uv venv --python-preference only-managed --python "${PYTHON_VERSION:?}" "$venv"
    cp "$requirements" "$pins"
    if grep -q -x -F 'mxnet-cu112==1.9.1' "$requirements"; then
        archs=$cu112_archs
    fi
fi
uv pip install --python "$venv/bin/python" -r "$pins"
rm "$pins"

mkdir -p "$(dirname "$archs_file")"
printf '%s\n' "$archs" > "$archs_file"

# Fail the build here, not at the first `import mxnet`, when the base image lacks a library
# MXNet links (cuDNN, NCCL, NVRTC ...). libcuda.so.1 comes with the driver at run time.
mxnet_dir=$("$venv/bin/python" -c \
    'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("mxnet").origin))')
missing=$(ldd "$mxnet_dir/libmxnet.so" | grep 'not found' | grep -v 'libcuda\.so\.1' || true)
if [ -n "$missing" ]; then
    echo "install: $mxnet_dir/libmxnet.so needs libraries that this base image lacks:" >&2
    echo "$missing" >&2
    exit 1
fi
