"""Saving and loading: NDArrays with nd.save/nd.load, a net's parameters with the
book's save_params/load_params and with MXNet 1.9.1's save_parameters/load_parameters.

Files go under --out, each written to a temporary name and renamed into place.
"""
import sys
import tempfile
import warnings
from pathlib import Path

import mxnet as mx
from mxnet import nd
from mxnet.gluon import nn

import utils
from gluon_tutorials import cli
from gluon_tutorials.files import atomic_path


def get_net(hidden=10, outputs=2):
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(hidden, activation="relu"))
        net.add(nn.Dense(outputs))
    return net


def save_atomically(save, filename):
    """Run `save(path)` on a temporary path beside `filename`, then rename it over
    `filename`: a crash mid-write never leaves a half-written parameter file."""
    with atomic_path(filename) as tmp:
        save(tmp)
    return Path(filename)


def equal(a, b):
    return a.shape == b.shape and bool((a == b).asnumpy().all())


def error_of(action):
    """The message of the error `action()` raises, or None when it succeeds."""
    try:
        action()
    except (AssertionError, ValueError, mx.base.MXNetError) as err:
        return str(err)
    return None


def param_values(net):
    return [p.data().copy() for p in net.collect_params().values()]


def unchanged(net, before):
    return all(equal(p.data(), old) for p, old in zip(net.collect_params().values(), before))


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    ctx, out = args.ctx, args.out

    # Reading and writing NDArrays
    x = nd.ones(3, ctx=ctx)
    y = nd.zeros(4, ctx=ctx)
    filename = save_atomically(lambda path: nd.save(path, [x, y]), out / "test1.params")
    a, b = nd.load(str(filename))
    print(a, b)
    list_roundtrip = equal(a, x) and equal(b, y)

    mydict = {"x": x, "y": y}
    filename = save_atomically(lambda path: nd.save(path, mydict), out / "test2.params")
    c = nd.load(str(filename))
    print(c)
    dict_roundtrip = c.keys() == mydict.keys() and all(equal(c[k], v) for k, v in mydict.items())

    # Reading and writing a Gluon model's parameters, as the book does
    net = get_net()
    net.initialize(ctx=ctx)
    x = nd.random.uniform(shape=(2, 10), ctx=ctx)
    print(net(x))

    # MXNet 1.9.1 deprecates save_params/load_params with a UserWarning; record
    # it and say it once, so that the book's calls also run where warnings are
    # errors (`python -W error::UserWarning`, `pytest -W error`).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filename = save_atomically(net.save_params, out / "mlp.params")
        net2 = get_net()
        net2.load_params(str(filename), ctx)
    deprecations = [str(w.message).split(". ")[0] for w in caught]
    for note in deprecations:
        print("note: MXNet 1.9.1 says", note)
    print(net2(x))
    save_params_identical = equal(net2(x), net(x))

    # The names MXNet 1.9.1 prefers; the file keys are the layers' places ('0.weight').
    modern = save_atomically(net.save_parameters, out / "mlp.parameters")
    net3 = get_net()
    net3.load_parameters(str(modern), ctx=ctx)
    print(net3(x))
    save_parameters_identical = equal(net3(x), net(x))

    # Not in the book: a file that does not fit, loaded into a net whose last
    # layer has 3 outputs instead of 2. MXNet stops at that layer, after it has
    # already overwritten the first.
    wrong = get_net(outputs=3)
    wrong.initialize(ctx=ctx)
    wrong(x)
    before = param_values(wrong)
    print("MXNet:", error_of(lambda: wrong.load_parameters(str(modern), ctx=ctx)))
    half_loaded = not equal(wrong[0].weight.data(), before[0])
    print("first layer overwritten all the same:", half_loaded)

    # utils.load_params_checked compares the whole file with the net first.
    wrong = get_net(outputs=3)
    wrong.initialize(ctx=ctx)
    wrong(x)
    before = param_values(wrong)
    wrong_shape_error = error_of(lambda: utils.load_params_checked(wrong, modern, ctx))
    print("utils.load_params_checked:", wrong_shape_error)
    checked_unchanged = unchanged(wrong, before)
    print("net left unchanged:", checked_unchanged)

    # A file cut short on disk: MXNet raises (it does not crash); the checked load
    # says what is wrong with the file.
    with tempfile.TemporaryDirectory() as scratch:
        truncated = Path(scratch) / "mlp-truncated.params"
        truncated.write_bytes(modern.read_bytes()[: modern.stat().st_size // 2])
        truncated_error = error_of(lambda: utils.load_params_checked(get_net(), truncated, ctx))
        print("utils.load_params_checked:", truncated_error)

    return {"list_roundtrip": list_roundtrip, "dict_roundtrip": dict_roundtrip,
            "save_params_identical": save_params_identical,
            "save_parameters_identical": save_parameters_identical,
            "deprecation_warnings": deprecations, "mxnet_half_loaded": half_loaded,
            "wrong_shape_error": wrong_shape_error, "checked_load_unchanged": checked_unchanged,
            "truncated_error": truncated_error,
            "files": [str(out / name) for name in
                      ("test1.params", "test2.params", "mlp.params", "mlp.parameters")]}


if __name__ == "__main__":
    sys.exit(cli.run(main))
