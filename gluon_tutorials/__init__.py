"""gluon-tutorials: the 2017 book gluon-tutorials-zh (0.3), runnable on MXNet 1.9.1."""
import os

# MXNet reads these when it is first imported (utils.py imports this package first).
# By default it ends up computing on one thread here: use every core this process may run on.
os.environ.setdefault("OMP_NUM_THREADS", str(len(os.sched_getaffinity(0))))
# Idle OpenMP threads sleep instead of spinning: spinning threads starve MXNet's own engine
# threads, and everything else, on a small machine (a test run went from 47 s to 3.5 s).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.3.0"
