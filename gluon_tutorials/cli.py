"""`run SLUG [--param value ...]`: a section's command line, built from its parameters cell.

Each parameter becomes an option with dashes (`batch_size` -> `--batch-size`), typed by
its name where the name is known (KINDS), else by its default: an int must be a positive
integer (`seed` one numpy accepts), a float a positive finite number (a few may be 0 or are
probabilities, see below), a bool gets `--name/--no-name`, and a None default takes a
positive integer. Every value, and every value in the parameters cell itself, is checked
here, before the section loads any data; a bad one is one line on stderr and exit status 2.
"""
import argparse
import dataclasses
import math
import os
import sys
from pathlib import Path

from gluon_tutorials import notebook

DEFAULT_SEED = 1
MAX_SEED = 2 ** 32 - 1  # numpy's seeds are 32-bit
# The kind of each parameter the sections have, by name: what a reader's edit of the
# parameters cell must keep (a rate stays a float even when written `learning_rate = 1`).
KINDS = {
    **dict.fromkeys(["learning_rate", "weight_decay", "wd", "drop_prob", "drop_prob1",
                     "drop_prob2", "clipping_theta", "weight_scale"], float),
    **dict.fromkeys(["epochs", "batch_size", "num_hidden", "num_examples", "num_train",
                     "num_test", "few", "k", "resize", "seq_len", "text_len", "verbose_epoch",
                     "seed"], int),
    **dict.fromkeys(["hybridize", "disjoint_batches", "drop_at_test"], bool),
    **dict.fromkeys(["ctx", "out"], str),
    "subset": None,  # None or a count
    # None: the book's batch size for the data chosen (1 for its demo, 128 for the full set)
    ("kaggle_gluon_cifar10", "batch_size"): None,
}
# Parameters that may be 0 (no penalty, no dropout) and those that are probabilities.
# The optimisation chapter's momentum and moving-average weights are in [0, 1) as well.
_DECAYS = {"mom", "trace_mom", "gamma", "smooth_gamma", "trace_gamma", "rho", "trace_rho"}
NON_NEGATIVE = {"weight_decay", "drop_prob", "drop_prob1", "drop_prob2", "wd", "dropout_rate"} | _DECAYS
PROBABILITIES = {"drop_prob", "drop_prob1", "drop_prob2", "dropout_rate"} | _DECAYS
# Text parameters that take one of a few values.
CHOICES = {"model_name": ("rnn_relu", "rnn_tanh", "lstm", "gru"),
           "kvstore": ("device", "local", "dist_sync", "dist_async", "dist_device_sync")}
# Shares of a set that must leave something on both sides (the Kaggle validation split).
FRACTIONS = {"valid_ratio"}
# Counts with a floor above 1, by name or by (section, name): K-fold cross-validation needs
# two folds; the CNNs need images large enough to leave a map for their last pool or dense
# layer (each section checks its own `min_resize` too, for Jupyter; a test keeps them equal).
MINIMUM = {"k": 2, ("alexnet_gluon", "resize"): 67, ("vgg_gluon", "resize"): 32,
           ("nin_gluon", "resize"): 67, ("googlenet_gluon", "resize"): 93,
           ("resnet_gluon", "resize"): 75, ("densenet_gluon", "resize"): 29}
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


def at_least(minimum, maximum=None, why=""):
    def count(text):
        value = positive_int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected at most {maximum}{why}, got {text}")
        return value
    return count


def seed_type(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to {MAX_SEED}, got {text}")
    return value


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


def fraction(text):
    value = positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text}")
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
    problem = writable_folder_problem(text)  # not Path(text): Path("") is "."
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


# Room left in a path for the longest file name a section writes inside its folder, with
# the temporary name it is first written under (.submission.csv.abcd1234.tmp).
FILE_NAME_ROOM = 64


def writable_folder_problem(path):
    """Why `path` cannot serve as an output folder, or None; creates it if it can."""
    text = os.fspath(path)
    if not text:
        return "expected a folder, got an empty name (write . for this folder)"
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{text!r} is not valid UTF-8, and MXNet can only write to UTF-8 paths"
    limits = _path_limits(text)
    longest = max((len(os.fsencode(part)) for part in Path(text).parts), default=0)
    if longest > limits[0]:
        return (f"a folder name in {text[:40]}... is {longest} bytes long; this file system "
                f"allows {limits[0]}")
    full = len(os.fsencode(os.path.abspath(text)))
    if full + FILE_NAME_ROOM > limits[1]:
        return (f"the folder {encoded[:40].decode('utf-8', 'replace')}... is {full} bytes long "
                f"as an absolute path, leaving no room for the files in it under the limit of "
                f"{limits[1]} bytes")
    path = Path(text)
    try:
        if path.exists() and not path.is_dir():
            return f"{path} exists and is not a folder"
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create the folder {path}: {e.strerror or e}"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"cannot write to the folder {path}"
    return None


def _path_limits(text):
    """(longest name, longest path) in bytes on the file system that would hold `text`."""
    existing = Path(os.path.abspath(text))
    while not os.path.isdir(existing) and existing != existing.parent:
        existing = existing.parent
    try:
        return os.pathconf(existing, "PC_NAME_MAX"), os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows): the usual limits
        return 255, 4096


def _kind(param, slug=None):
    """float, int, bool, str or None (a count or None) for `param`: by (section, name), by
    name, else by default."""
    if (slug, param.name) in KINDS:
        return KINDS[slug, param.name]
    if param.name in KINDS:
        return KINDS[param.name]
    return None if param.default is None else type(param.default)


def _type_for(param, slug=None):
    name, kind = param.name, _kind(param, slug)
    minimum = MINIMUM.get((slug, name), MINIMUM.get(name))
    if name == "ctx":
        from gluon_tutorials import runtime

        # A section whose default is a device list computes on several devices.
        return (many_ctx_type, "DEVICES") if runtime.is_device_list(param.default) else (ctx_type, "DEVICE")
    if name == "out":
        return out_type, "DIR"
    if name == "seed":
        return seed_type, "N"
    if kind is bool:
        return None, None
    if (slug, name) == ("kaggle_gluon_kfold", "k"):
        return _folds_type(minimum), "N"
    if minimum:
        return at_least(minimum), "N"
    if kind in (int, None):
        return positive_int, "N"
    if kind is float:
        if name in PROBABILITIES:
            return probability, "P"
        if name in FRACTIONS:
            return fraction, "X"
        return (non_negative_float if name in NON_NEGATIVE else positive_float), "X"
    if name in CHOICES:
        return one_of(CHOICES[name]), "|".join(CHOICES[name])
    if kind is str:
        return str, "TEXT"
    raise notebook.SectionFormatError(f"parameter {name}: no command-line type for "
                                      f"{kind.__name__} values")


def _folds_type(minimum):
    """K-fold's k: at least `minimum`, at most half the training houses when their file is
    here (each fold holds out two houses or more; a fold of none fails inside MXNet)."""
    from gluon_tutorials import data

    houses = data.local_rows("kaggle_house_pred_train.csv")
    if houses is None:  # not here yet: the section downloads it or says it is missing
        return at_least(minimum)
    return at_least(minimum, houses // 2, f" folds of two houses or more (the training file "
                                          f"has {houses} houses)")


# What a value of each kind must be, and what to write instead of a bad one.
_EXPECTED = {float: ("a number", "0.1"), int: ("a whole number", "5"),
             None: ("a whole number or None", "None"), bool: ("True or False", "True"),
             str: ("a quoted string", None)}


def _has_kind(value, kind):
    if kind is None:
        return value is None or _has_kind(value, int)
    if kind in (int, float) and isinstance(value, bool):
        return False
    return isinstance(value, (int, float) if kind is float else kind)


def checked_parameters(section):
    """The section's parameters, each default checked as its command-line option would be
    (`epochs = "five"` is refused here, before any data loads) and a float parameter's int
    default made a float; a bad one raises SectionFormatError naming the file and line."""
    params = []
    for param in notebook.parameters(section.path):
        kind, (check, _) = _kind(param, section.slug), _type_for(param, section.slug)
        expected, example = _EXPECTED[kind] if kind in _EXPECTED else (f"a {kind}", None)
        problem = None if _has_kind(param.default, kind) else f"expected {expected}"
        # The folder and the device are checked when the run starts, not on every --help.
        if not problem and kind in (int, float, None) and param.default is not None:
            try:
                check(str(param.default))
            except argparse.ArgumentTypeError as e:
                problem = str(e)
        if problem:
            example = example or ('"cpu"' if param.name == "ctx" else f'"out/{section.slug}"')
            raise notebook.SectionFormatError(
                f"{section.path}, line {param.line}: {param.name} = {param.default!r}: "
                f"{problem}; write e.g. `{param.name} = {example}`")
        if kind is float:
            param = dataclasses.replace(param, default=float(param.default))
        params.append(param)
    return params


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


def parse(section, argv, prog=None):
    """{parameter: value} for the options given (only those), or SystemExit(2); `prog`
    names the command in messages (default: `run SLUG`)."""
    parser = build_parser(section, checked_parameters(section))
    if prog:
        parser.prog = prog
    return vars(parser.parse_args(argv))


def output_folder(section, overrides):
    """The folder the run will write to: --out if given, else the parameters cell's `out`
    (None for a section that writes nothing)."""
    if "out" in overrides:
        return overrides["out"]
    return {p.name: p.default for p in notebook.parameters(section.path)}.get("out")


def check_before_run(section, overrides):
    """What can be checked once the options are parsed, before any work: the output folder
    the run will write to and the environment's choice of data. A problem: one line."""
    from gluon_tutorials import data

    folder = output_folder(section, overrides)
    problem = None if folder is None or "out" in overrides else writable_folder_problem(folder)
    if problem:
        return f"the section's output folder: {problem} (choose another with --out)"
    if section.dataset == "fashion-mnist":
        try:
            data.requested_copy()
        except data.CopyChoiceError as e:
            return str(e)
    return None


def run(section, argv=None):
    """Parse the options, then execute the section in this process.

    A broken parameters cell, a bad setting, or parameters that do not fit together
    (found by the section before it trains) is one line and exit status 2, a data
    problem or a file that cannot be written one message and exit status 1, a diverged
    training exit status 3, Ctrl-C exit status 130 and SIGTERM 143;
    the namespace of a finished run is not needed here.
    """
    from gluon_tutorials import files, runtime
    from gluon_tutorials.data import DataError

    try:
        params = {p.name: p.default for p in notebook.parameters(section.path)}
        if "ctx" in params:  # before MXNet starts (see runtime.blas_threads_for)
            given = [a.split("=", 1)[1] if "=" in a else (argv[i + 1] if i + 1 < len(argv) else "")
                     for i, a in enumerate(argv or []) if a == "--ctx" or a.startswith("--ctx=")]
            runtime.blas_threads_for(given[-1] if given else params["ctx"])
        overrides = parse(section, argv)
    except notebook.SectionFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    problem = check_before_run(section, overrides)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        notebook.execute(section.path, overrides)
    except (DataError, files.WriteError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except runtime.Diverged as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except runtime.ParameterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except runtime.DeviceError as e:  # a device the parameters cell names (none given here)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        from gluon_tutorials import signals

        print(signals.message(e), file=sys.stderr)
        return signals.status(e)
    return 0
