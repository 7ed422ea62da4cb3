"""gluon-tutorials: the 2017 book gluon-tutorials-zh (0.3), runnable on MXNet 1.9.1."""
import os

# MXNet reads its thread count when it is first imported, and by default ends up
# computing on one thread here; use every core this process may run on.
os.environ.setdefault("OMP_NUM_THREADS", str(len(os.sched_getaffinity(0))))

__version__ = "0.3.0"
