"""`distributed`: multiple_gpus_gluon on MXNet's parameter server, 2 workers and 1 server on
loopback, on a small part of the real Fashion-MNIST (the workers are separate processes, so
the tests' tiny files, accepted by patched hashes, cannot be used there)."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mxnet import nd

from gluon_tutorials import distributed

SMALL = ["--epochs", "1", "--subset", "64", "--batch-size", "32", "--ctx", "cpu"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "gluon_tutorials", "distributed", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def ours(port):
    """PIDs of live processes started for the run on `port` (their DMLC environment says so)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if f"DMLC_PS_ROOT_PORT={port}".encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_two_workers_one_server_end_with_identical_weights_and_nothing_left(real_data, tmp_path):
    port = free_port()
    run = launch("--workers", "2", "--servers", "1", "--port", str(port), "--timeout", "500",
                 "multiple_gpus_gluon", *SMALL, "--out", str(tmp_path))
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-2000:]
    assert "the 2 workers' learned weights are identical" in out
    assert out.count("training on part ") == 2 and "worker 0 of 2 (dist_sync)" in out
    files = sorted(tmp_path.glob("worker*/weights-worker*.params"))
    assert len(files) == 2
    first, second = (nd.load(str(f)) for f in files)
    learned = [k for k in first if not k.endswith(distributed.NOT_LEARNED)]
    assert learned and all((first[k] == second[k]).min().asscalar() == 1 for k in learned)
    assert ours(port) == []


def test_a_worker_that_dies_ends_the_run_in_one_line(real_data, tmp_path):
    port = free_port()
    run = launch("--port", str(port), "multiple_gpus_gluon", *SMALL, "--epochs", "50",
                 "--out", str(tmp_path))
    deadline = time.monotonic() + 300
    victim = None
    while victim is None and time.monotonic() < deadline and run.poll() is None:
        workers = [pid for pid in ours(port)
                   if b"--kvstore" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        if len(workers) == 2 and time.monotonic() > deadline - 290:  # running a few seconds
            victim = workers[0]
        time.sleep(0.5)
    assert victim is not None, "the workers never started"
    os.kill(victim, signal.SIGKILL)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: worker ") and "was killed by signal 9" in last
    assert last.endswith("stopped the scheduler, servers and workers")
    assert ours(port) == []


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = launch("--port", str(port), "multiple_gpus_gluon", *SMALL, "--out", str(tmp_path))
        out, err = run.communicate(timeout=120)
    assert run.returncode == 2 and out == ""
    assert err.strip().splitlines() == [
        f"python -m gluon_tutorials distributed: error: port {port} on 127.0.0.1 is taken "
        f"(Address already in use); give --port another (see --help)"]
    assert ours(port) == []


def test_bad_arguments_are_one_line():
    for args, message in ((["ndarray"], "ndarray has no kvstore parameter"),
                          (["nope"], "unknown section 'nope'"),
                          (["multiple_gpus_gluon", "--kvstore", "device"], "set by the launcher"),
                          (["multiple_gpus_gluon", "--epochs", "0"], "expected a positive integer")):
        run = launch(*args)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 2 and message in err and len(err.strip().splitlines()) == 1, err
