"""Seconds per Fashion-MNIST epoch: this project (MXNet 1.9.1) beside PyTorch on the CPU.

One epoch = one training pass over the 60000 training images (batch 256, SGD) plus
the accuracy over the 10000 test images: for MXNet, the mlp_gluon and cnn_gluon sections
themselves, executed as `run` does, book style (--no-hybridize) and hybridized. Each measurement runs
in a fresh process (importing mxnet changes torch's thread count, and the two must
not share caches or thread pools); the frameworks alternate, run after run, so a
slow spell on the machine hits both. Prints the medians and MXNet / PyTorch.

    python benchmarks/epoch_time.py [--repeats 3] [--models mlp lenet]

PyTorch is optional (`pip install -e ".[bench]"`); without it the MXNet and
FLOP-bound figures are still printed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# Multiply-adds per example in the forward pass, counted from the layer shapes.
FORWARD_MACS = {
    "mlp": 784 * 256 + 256 * 10,
    "lenet": (24 * 24 * 20 * 5 * 5            # conv 20@5x5 on 28x28
              + 10 * 10 * 50 * 3 * 3 * 20     # conv 50@3x3 on 12x12x20
              + 1250 * 128 + 128 * 10),       # dense layers
}
LR = {"mlp": 0.5, "lenet": 0.5}
TRAIN, TEST = 60000, 10000


def epoch_flops(model):
    """Training costs about three forward passes (forward, and two products backward)."""
    return 2 * FORWARD_MACS[model] * (3 * TRAIN + TEST)


def peak_gflops(seconds=2.0):
    """Measured float32 matrix-multiply rate on this machine (numpy's BLAS, all cores)."""
    a = np.random.rand(2048, 2048).astype(np.float32)
    a @ a
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ a
        runs += 1
    return 2 * 2048 ** 3 * runs / (time.perf_counter() - start) / 1e9


def mxnet_epoch(model, batch_size, hybridize):
    """One epoch of the section itself (mlp_gluon or cnn_gluon), executed as `run` does."""
    import contextlib
    import tempfile

    from gluon_tutorials import notebook, runtime, sections

    slug = {"mlp": "mlp_gluon", "lenet": "cnn_gluon"}[model]
    overrides = {"epochs": 1, "batch_size": batch_size, "learning_rate": LR[model], "ctx": "cpu",
                 "seed": 0, "hybridize": hybridize, "out": tempfile.mkdtemp()}
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the result line
        namespace = notebook.execute(sections.get(slug).path, overrides)
    return runtime.epoch_seconds[0], namespace["test_acc"]


def torch_epoch(model, batch_size):
    import torch
    from torch import nn

    from gluon_tutorials import data

    torch.manual_seed(0)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    splits = []
    for train in (True, False):
        images, labels = data.load_fashion_mnist(train)
        splits.append((torch.from_numpy(images[:, None].astype(np.float32) / np.float32(255)),
                       torch.from_numpy(labels.astype(np.int64))))
    (X, y), (X_test, y_test) = splits
    if model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    else:
        net = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(20, 50, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(1250, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.SGD(net.parameters(), lr=LR[model])
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    order = torch.randperm(TRAIN)
    for i in range(0, TRAIN, batch_size):
        idx = order[i:i + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(net(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    correct = 0
    with torch.no_grad():
        for i in range(0, TEST, batch_size):
            correct += (net(X_test[i:i + batch_size]).argmax(1) == y_test[i:i + batch_size]).sum().item()
    return time.perf_counter() - start, correct / TEST


def worker(args):
    if args.framework == "pytorch":
        seconds, acc = torch_epoch(args.model, args.batch_size)
    else:
        seconds, acc = mxnet_epoch(args.model, args.batch_size, args.framework == "mxnet-hybrid")
    print(json.dumps({"seconds": seconds, "test_acc": acc}))


def measure(framework, model, batch_size):
    out = subprocess.run([sys.executable, __file__, "--worker", framework, "--model", model,
                          "--batch-size", str(batch_size)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{framework} {model} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", choices=sorted(FORWARD_MACS), default=["mlp", "lenet"])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--worker", choices=["mxnet", "mxnet-hybrid", "pytorch"], help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=sorted(FORWARD_MACS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.framework = args.worker
        return worker(args)

    try:
        import torch
        frameworks = ["mxnet", "mxnet-hybrid", "pytorch"]
        print(f"PyTorch {torch.__version__} found: timing it beside MXNet.")
    except ImportError:
        frameworks = ["mxnet", "mxnet-hybrid"]
        print('PyTorch is not installed (pip install -e ".[bench]"): MXNet and FLOP-bound figures only.')
    import mxnet

    peak = peak_gflops()
    print(f"MXNet {mxnet.__version__}, {len(os.sched_getaffinity(0))} cores, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset (the project sets it to the cores)')}, "
          f"matmul peak {peak:.0f} GFLOP/s, batch {args.batch_size}, {args.repeats} repeats, interleaved")
    times = {(f, m): [] for f in frameworks for m in args.models}
    accs = {}
    for repeat in range(args.repeats):
        for model in args.models:
            for framework in frameworks:
                run = measure(framework, model, args.batch_size)
                times[framework, model].append(run["seconds"])
                accs[framework, model] = run["test_acc"]
                print(f"  run {repeat + 1}: {model:5} {framework:12} {run['seconds']:6.2f} s "
                      f"(test acc {run['test_acc']:.3f})", flush=True)
    print()
    print(f"{'model':6} {'framework':12} {'median s/epoch':>14} {'vs PyTorch':>10} {'vs FLOP bound':>13}")
    for model in args.models:
        bound = epoch_flops(model) / (peak * 1e9)
        torch_median = statistics.median(times["pytorch", model]) if "pytorch" in frameworks else None
        for framework in frameworks:
            median = statistics.median(times[framework, model])
            ratio = f"{median / torch_median:9.2f}x" if torch_median else f"{'-':>10}"
            print(f"{model:6} {framework:12} {median:14.2f} {ratio} {median / bound:12.1f}x")
        print(f"{model:6} {'FLOP bound':12} {bound:14.2f}")


if __name__ == "__main__":
    main()
