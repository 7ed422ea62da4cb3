"""`run SLUG [--param value ...]`: a section's command line, built from its parameters cell.

Each parameter becomes an option with dashes (`batch_size` -> `--batch-size`), typed by
its default: an int must be a positive integer (except `seed`), a float a positive finite
number (a few may be 0 or are probabilities, see below), a bool gets `--name/--no-name`,
and a None default takes a positive integer. Every value is checked here, before the
section loads any data, and a bad one is one line on stderr and exit status 2.
"""
import argparse
import math
import os
import sys
from pathlib import Path

from gluon_tutorials import notebook

DEFAULT_SEED = 1
# Parameters that may be 0 (no penalty, no dropout) and those that are probabilities.
NON_NEGATIVE = {"weight_decay", "drop_prob", "drop_prob1", "drop_prob2", "wd"}
PROBABILITIES = {"drop_prob", "drop_prob1", "drop_prob2"}
# Counts with a floor above 1, by name or by (section, name): K-fold cross-validation needs
# two folds; AlexNet and VGG need images large enough to leave a 1x1 map before the dense layers.
MINIMUM = {"k": 2, ("alexnet_gluon", "resize"): 67, ("vgg_gluon", "resize"): 32}
# Text parameters with a fixed set of values.
CHOICES = {"kvstore": ("device", "local", "dist_sync", "dist_async", "dist_device_sync")}
# Short spellings kept from the earlier command line.
ALIASES = {"learning_rate": ["--lr"]}


class OneLineParser(argparse.ArgumentParser):
    """Errors as one line (`prog: error: ...`) and exit status 2, without the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def at_least(minimum):
    def count(text):
        value = positive_int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text}")
        return value
    return count


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


def non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def probability(text):
    value = non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1), got {text}")
    return value


def one_of(values):
    def choice(text):
        if text not in values:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(values)}, got {text!r}")
        return text
    return choice


def ctx_type(text, many=False):
    """Checked now, so that `--ctx gpu` on a machine without one fails before any work;
    the section turns the same text into a device again. A list of devices
    (`cpu:0,cpu:1`, `auto:2`) is for the sections that compute on several (`many`)."""
    from gluon_tutorials import runtime

    try:
        found = runtime.device(text)
    except runtime.DeviceError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if isinstance(found, list) and len(found) > 1 and not many:
        raise argparse.ArgumentTypeError(
            f"{text!r} is a list of devices, but this section computes on one: "
            f"use {runtime.DEVICE_FORMS}")
    return text


def many_ctx_type(text):
    return ctx_type(text, many=True)


def out_type(text):
    """An output folder that can be created and written to, checked before any work."""
    path = Path(text)
    problem = writable_folder_problem(path)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def writable_folder_problem(path):
    """Why `path` cannot serve as an output folder, or None; creates it if it can."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{path} exists and is not a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create the folder {path}: {e.strerror or e}"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"cannot write to the folder {path}"
    return None


def _type_for(param, slug=None):
    name, default = param.name, param.default
    minimum = MINIMUM.get((slug, name), MINIMUM.get(name))
    if name == "ctx":
        from gluon_tutorials import runtime

        # A section whose default is a device list computes on several devices.
        return (many_ctx_type, "DEVICES") if runtime.is_device_list(default) else (ctx_type, "DEVICE")
    if name == "out":
        return out_type, "DIR"
    if name == "seed":
        return int, "N"
    if isinstance(default, bool):
        return None, None
    if minimum:
        return at_least(minimum), "N"
    if isinstance(default, int) or default is None:
        return positive_int, "N"
    if isinstance(default, float):
        if name in PROBABILITIES:
            return probability, "P"
        return (non_negative_float if name in NON_NEGATIVE else positive_float), "X"
    if name in CHOICES:
        return one_of(CHOICES[name]), "|".join(CHOICES[name])
    if isinstance(default, str):
        return str, "TEXT"
    raise notebook.SectionFormatError(f"parameter {name}: no command-line type for "
                                      f"{type(default).__name__} values")


def _show(value):
    return "None" if value is None else repr(value) if isinstance(value, str) else str(value)


def build_parser(section, params):
    parser = OneLineParser(
        prog=f"python -m gluon_tutorials run {section.slug}",
        description=f"{section.title}. Options are the section's parameters cell; "
                    f"the defaults are the book's.",
        argument_default=argparse.SUPPRESS)
    for param in params:
        flag = "--" + param.name.replace("_", "-")
        if isinstance(param.default, bool):
            state = "on" if param.default else "off"
            parser.add_argument(flag, dest=param.name, action="store_true",
                                help=f"{param.help} (default: {state})")
            parser.add_argument("--no-" + flag[2:], dest=param.name, action="store_false",
                                help=f"turn {flag} off" if param.default else argparse.SUPPRESS)
            continue
        kind, metavar = _type_for(param, section.slug)
        parser.add_argument(flag, *ALIASES.get(param.name, []), dest=param.name, type=kind,
                            metavar=metavar,
                            help=f"{param.help} (default: {_show(param.default)})")
    return parser


def parse(section, argv):
    """{parameter: value} for the options given (only those), or SystemExit(2)."""
    params = notebook.parameters(section.path)
    return vars(build_parser(section, params).parse_args(argv))


def run(section, argv=None):
    """Parse the options, then execute the section in this process.

    A data problem is one message and exit status 1, a diverged training exit status 3,
    Ctrl-C exit status 130; the namespace of a finished run is not needed here.
    """
    from gluon_tutorials import runtime
    from gluon_tutorials.data import DataError

    params = {p.name: p.default for p in notebook.parameters(section.path)}
    if "ctx" in params:
        given = [a.split("=", 1)[1] if "=" in a else (argv[i + 1] if i + 1 < len(argv) else "")
                 for i, a in enumerate(argv) if a == "--ctx" or a.startswith("--ctx=")]
        runtime.blas_threads_for(given[-1] if given else params["ctx"])
    overrides = parse(section, argv)
    try:
        notebook.execute(section.path, overrides)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except runtime.Diverged as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except runtime.DeviceError as e:  # a device the parameters cell names (none given here)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
