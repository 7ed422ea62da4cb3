# syntax=docker/dockerfile:1
# The whole gluon-tutorials suite on a GPU: MXNet 1.9.1 (mxnet-cu112) on CUDA 11.2 + cuDNN 8.
#
#   docker build -t gluon-tutorials .
#   docker run --rm --gpus all -v gluon-data:/data -v "$PWD/reports:/work/reports" gluon-tutorials
#
# mxnet-cu112 has GPU code for sm_50/60/70/80/86 only (Maxwell to Ampere). For Hopper (H100,
# H200) and newer, build on NVIDIA's NGC MXNet image; its MXNet is kept and the pip one skipped:
#
#   docker build --build-arg BASE_IMAGE=nvcr.io/nvidia/mxnet:24.06-py3 -t gluon-tutorials:ngc .
#
# The Python pins come from requirements-gpu.txt, which mirrors pyproject.toml.
ARG BASE_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM ${BASE_IMAGE}

# Python for the pip MXNet (the NGC base brings its own): within requires-python, as environment.yml.
ARG PYTHON_VERSION=3.11
# The user's uid: match it to yours (--build-arg USER_ID="$(id -u)") to write to bind mounts.
ARG USER_ID=1000

ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    UV_PYTHON_INSTALL_DIR=/opt/python \
    UV_NO_CACHE=1 \
    UV_LINK_MODE=copy \
    GLUON_TUTORIALS_DATA=/data

# libmxnet.so's bundled OpenBLAS and gfortran need libgomp and libquadmath from the system.
# Versions are left to the base image's Ubuntu release: its point versions leave the archive.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libgomp1 libquadmath0 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=uv /uv /usr/local/bin/uv

WORKDIR /opt/gluon-tutorials
COPY requirements-gpu.txt docker/install-python-env.sh ./
RUN PYTHON_VERSION="$PYTHON_VERSION" sh install-python-env.sh requirements-gpu.txt

COPY pyproject.toml README.md utils.py ./
COPY gluon_tutorials ./gluon_tutorials
RUN uv pip install --python /opt/venv/bin/python --no-deps . \
    && python -m gluon_tutorials list

COPY docker/entrypoint.sh /usr/local/bin/gluon-tutorials-entrypoint
RUN useradd --create-home --uid "$USER_ID" gluon \
    && mkdir -p /data /work \
    && chown gluon /data /work
USER ${USER_ID}
WORKDIR /work

# Datasets: mount a volume at /data (or let the first run download into it); the full report
# goes to /work/reports (mount a folder there), the sections' files under /work/out.
ENTRYPOINT ["/usr/local/bin/gluon-tutorials-entrypoint"]
CMD ["python", "-m", "gluon_tutorials", "reproduce", "--ctx", "gpu", "--out", "reports"]
