"""What every section's command line shares: the standard options, seeding, devices,
and turning data errors into one readable message."""
import argparse
import random
import re
import sys
import warnings
from pathlib import Path

import numpy as np

DEFAULT_SEED = 1


def parse_ctx(text):
    """'auto' | 'cpu' | 'cpu:N' | 'gpu' | 'gpu:N' -> an mx.Context that exists here."""
    import mxnet as mx
    import utils

    text = text.strip().lower()
    if text == "auto":
        return utils.try_gpu()
    match = re.fullmatch(r"(cpu|gpu)(?::(\d+))?", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"unknown device {text!r}: use auto, cpu, gpu or gpu:N")
    kind, index = match.group(1), int(match.group(2) or 0)
    if kind == "cpu":
        return mx.cpu(index)
    count = utils.num_gpus()
    if index >= count:
        seen = "no GPU is" if count == 0 else f"only {count} GPU(s) are"
        raise argparse.ArgumentTypeError(
            f"gpu:{index} was asked for but {seen} visible to MXNet "
            f"(a CPU-only mxnet wheel, no driver, or CUDA_VISIBLE_DEVICES); "
            f"use --ctx cpu, or --ctx auto to take a GPU only when there is one")
    if not utils._works(mx.gpu(index)):
        raise argparse.ArgumentTypeError(
            f"gpu:{index} is visible but MXNet cannot compute on it; see the README's GPU notes")
    return mx.gpu(index)


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def section_parser(module, doc, *, epochs=None, batch_size=None, lr=None, ctx="auto",
                   subset=False, hybridize=False):
    """An ArgumentParser with the book's defaults for this section and the shared options.

    `module` is the section's __name__ (or __spec__.name when run as __main__),
    used for the program name and the default output folder out/<slug>.
    """
    slug = module.rsplit(".", 1)[-1]
    parser = argparse.ArgumentParser(
        prog=f"python -m gluon_tutorials run {slug}",
        description=(doc or "").strip().splitlines()[0] if doc else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    if epochs is not None:
        parser.add_argument("--epochs", type=positive_int, default=epochs, help="training epochs")
    if batch_size is not None:
        parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                            help="examples per mini-batch")
    if lr is not None:
        parser.add_argument("--lr", type=positive_float, default=lr, help="learning rate")
    if subset:
        parser.add_argument("--subset", type=positive_int, default=None,
                            help="use only the first N train and N test examples "
                                 "(a quick CPU run of a section sized for a GPU)")
    if hybridize:
        parser.add_argument("--no-hybridize", dest="hybridize", action="store_false",
                            help="run the network imperatively, as the book did; by default it "
                                 "is hybridized: the same computation, compiled, and faster")
    parser.add_argument("--ctx", type=parse_ctx, default=ctx,
                        help="device: auto (GPU if one works), cpu, gpu or gpu:N")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="seeds random, numpy and mx.random")
    parser.add_argument("--out", type=Path, default=Path("out") / slug,
                        help="folder for the PNGs and files this section writes")
    return parser


def hybridize(net, args):
    """Compile a Gluon net unless --no-hybridize was given (the speed lever with the most
    effect on the Gluon sections: a LeNet epoch 18 s -> 15 s here)."""
    if getattr(args, "hybridize", False):
        with warnings.catch_warnings():
            # The book builds nn.Sequential, not HybridSequential; hybridizing it compiles
            # each child, which is all we want, so its advice to switch is noise here.
            warnings.filterwarnings("ignore", message="All children of this Sequential")
            net.hybridize(static_alloc=True, static_shape=True)
    return net


def module_name(name, spec):
    """A section's dotted name, also when it runs as __main__ or as a file path."""
    if name != "__main__":
        return name
    if spec is not None and spec.name:
        return spec.name
    return Path(sys.argv[0]).stem


def seed_everything(seed):
    """The DataLoader shuffles with numpy and the book's data_iter with random; seed all three."""
    import mxnet as mx

    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def run(main, argv=None):
    """Call a section's main; a data problem becomes one message and exit status 1."""
    from gluon_tutorials.data import DataError

    try:
        main(argv)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
