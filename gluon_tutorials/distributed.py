"""`distributed [--workers N] [--servers M] [--port P] SLUG [section options]`: one section
trained by several processes on MXNet's parameter server (ps-lite, `kvstore='dist_sync'`),
all on this machine over loopback.

MXNet's own launcher (tools/launch.py, dmlc_tracker) calls `Thread.isAlive`, gone since
Python 3.9. This one starts the scheduler, the servers and the workers itself, with the
environment MXNet reads: DMLC_ROLE, DMLC_PS_ROOT_URI, DMLC_PS_ROOT_PORT, DMLC_NUM_SERVER,
DMLC_NUM_WORKER. A scheduler or server is `python -c "import mxnet"`: MXNet serves on import
when DMLC_ROLE says so. Each worker is `run SLUG --kvstore dist_sync --out OUT/workerI`.

It watches them all: a process that fails (or a scheduler/server that stops while workers
still train) ends the whole run with one line and exit status 1, the others stopped; so does
--timeout. At the end it checks that the workers' learned weights are identical.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from gluon_tutorials import cli, notebook, sections

# Batch norm's running means are each worker's own (they are not learned, so the parameter
# server does not sum them); every other parameter must be the same on every worker.
NOT_LEARNED = ("running_mean", "running_var")


def port_type(text):
    value = cli.positive_int(text)
    if value > 65535:
        raise cli.argparse.ArgumentTypeError(f"expected a port number up to 65535, got {text}")
    return value


def build_parser():
    parser = cli.OneLineParser(
        prog="python -m gluon_tutorials distributed",
        description="Train a section with several worker processes on MXNet's parameter "
                    "server (kvstore dist_sync), scheduler, servers and workers all on this "
                    "machine. Options after SLUG are the section's own (see run SLUG --help).")
    parser.add_argument("--workers", type=cli.positive_int, default=2, help="worker processes")
    parser.add_argument("--servers", type=cli.positive_int, default=1, help="server processes")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the scheduler's address (default: loopback)")
    parser.add_argument("--port", type=port_type, default=None,
                        help="the scheduler's port (default: a free one)")
    parser.add_argument("--timeout", type=cli.positive_float, default=None,
                        help="stop everything after this many seconds")
    parser.add_argument("slug", metavar="SLUG", help="a section with a kvstore parameter")
    parser.add_argument("options", nargs=cli.argparse.REMAINDER, help="the section's options")
    return parser


def _free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _port_problem(host, port):
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError as e:
            return f"port {port} on {host} is taken ({e.strerror}); give --port another"
    return None


class _Process:
    def __init__(self, name, command, env, stream):
        self.name = name
        self.popen = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._echo, args=(stream,), daemon=True)
        self.reader.start()

    def _echo(self, stream):
        for line in self.popen.stdout:
            stream.write(f"[{self.name}] {line}")
            stream.flush()

    def stop(self):
        """SIGTERM to its process group, SIGKILL after 5 s."""
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            if self.popen.poll() is not None:
                break
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(wait)
            except subprocess.TimeoutExpired:
                continue
        self.reader.join(2)


def _describe(status):
    return f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"


def supervise(processes, workers, timeout=None, linger=30.0):
    """Wait until every worker has exited 0 (then give the scheduler and servers `linger`
    seconds to finish); None, or the one-line reason the run failed.

    The scheduler and servers stop, with status 0, once every worker has said goodbye, which
    can be just before the workers' own exits; so one of them ending is a failure only with a
    non-zero status, or when a worker is still running `linger` seconds later."""
    start = time.monotonic()
    done_at = stopped_at = None
    others = [p for p in processes if p not in workers]
    while True:
        # workers first: when one fails, the scheduler may stop too, and the worker is the cause
        for p in workers:
            status = p.popen.poll()
            if status is not None and status != 0:
                return f"{p.name} {_describe(status)}"
        if done_at is None and all(w.popen.poll() == 0 for w in workers):
            done_at = time.monotonic()
        for p in others:
            status = p.popen.poll()
            if status is not None and status != 0:
                return f"{p.name} {_describe(status)}"
            if status == 0 and stopped_at is None:
                stopped_at = time.monotonic()
        now = time.monotonic()
        if done_at is not None and (all(p.popen.poll() is not None for p in others)
                                    or now - done_at > linger):
            return None  # any scheduler or server still up is stopped by the caller
        if done_at is None and stopped_at is not None and now - stopped_at > linger:
            running = next(w.name for w in workers if w.popen.poll() is None)
            return f"the scheduler or a server stopped while {running} was still training"
        if timeout and now - start > timeout:
            return f"timed out after {timeout:g} s"
        time.sleep(0.2)


def compare_weights(files):
    """The largest difference of any learned parameter between the workers' files."""
    from mxnet import nd

    loaded = [nd.load(str(f)) for f in files]
    worst = 0.0
    for name, array in loaded[0].items():
        if name.endswith(NOT_LEARNED):
            continue
        for other in loaded[1:]:
            worst = max(worst, float(nd.abs(other[name] - array).max().asscalar()))
    return worst


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        section = sections.get(args.slug)
    except KeyError:
        parser.error(f"unknown section {args.slug!r}; see `python -m gluon_tutorials list`")
    params = {p.name: p.default for p in notebook.parameters(section.path)}
    if "kvstore" not in params:
        with_kv = [s.slug for s in sections.SECTIONS
                   if any(p.name == "kvstore" for p in notebook.parameters(s.path))]
        parser.error(f"{args.slug} has no kvstore parameter; sections that train on a "
                     f"parameter server: {', '.join(with_kv)}")
    options = list(args.options)
    overrides = cli.parse(section, options)  # the section's options, checked before anything starts
    if "kvstore" in overrides:
        parser.error("--kvstore is set by the launcher (dist_sync)")
    out = Path(overrides.get("out", params.get("out", f"out/{args.slug}")))
    port = args.port or _free_port(args.host)
    problem = _port_problem(args.host, port)
    if problem:
        parser.error(problem)
    base = {**os.environ, "DMLC_PS_ROOT_URI": args.host, "DMLC_PS_ROOT_PORT": str(port),
            "DMLC_NUM_SERVER": str(args.servers), "DMLC_NUM_WORKER": str(args.workers)}
    serve = [sys.executable, "-c", "import mxnet"]
    processes, workers = [], []
    started = time.time()
    print(f"scheduler on {args.host}:{port}, {args.servers} server(s), {args.workers} worker(s)",
          file=sys.stderr)
    try:
        processes.append(_Process("scheduler", serve, {**base, "DMLC_ROLE": "scheduler"},
                                  sys.stderr))
        for i in range(args.servers):
            processes.append(_Process(f"server {i}", serve, {**base, "DMLC_ROLE": "server"},
                                      sys.stderr))
        for i in range(args.workers):
            command = [sys.executable, "-m", "gluon_tutorials", "run", args.slug, *options,
                       "--kvstore", "dist_sync", "--out", str(out / f"worker{i}")]
            workers.append(_Process(f"worker {i}", command, {**base, "DMLC_ROLE": "worker"},
                                    sys.stdout))
        processes += workers
        failure = supervise(processes, workers, args.timeout)
    except KeyboardInterrupt:
        failure = "interrupted"
    finally:
        for p in processes:
            p.stop()
    if failure:
        print(f"error: {failure}; stopped the scheduler, servers and workers", file=sys.stderr)
        return 130 if failure == "interrupted" else 1
    # this run's files only (ranks are the scheduler's, so a folder may hold an older rank's)
    files = sorted(f for f in out.glob("worker*/weights-worker*.params")
                   if f.stat().st_mtime >= started)
    if len(files) != args.workers:
        print(f"error: expected {args.workers} weight files under {out}, found {len(files)}",
              file=sys.stderr)
        return 1
    worst = compare_weights(files)
    if worst != 0:
        print(f"error: the workers' learned weights differ by up to {worst:g}", file=sys.stderr)
        return 1
    print(f"the {args.workers} workers' learned weights are identical ({', '.join(map(str, files))})")
    return 0
