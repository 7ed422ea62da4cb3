"""NDArray: creating arrays, operations, broadcasting, numpy conversion, in-place updates."""
import sys

import numpy as np
from mxnet import nd

from gluon_tutorials import cli


def show(title, value):
    print(f"# {title}")
    print(value)


def creation():
    show("zeros (3, 4)", nd.zeros((3, 4)))
    x = nd.ones((3, 4))
    show("ones (3, 4)", x)
    show("from a nested list", nd.array([[1, 2], [2, 3]]))
    y = nd.random_normal(0, 1, shape=(3, 4))
    show("random normal, mean 0, std 1", y)
    print("shape", y.shape, "size", y.size)
    return x, y


def operations(x, y):
    show("x + y", x + y)
    show("x * y", x * y)
    show("exp(y)", nd.exp(y))
    show("x . y^T", nd.dot(x, y.T))


def broadcasting():
    a = nd.arange(3).reshape((3, 1))
    b = nd.arange(2).reshape((1, 2))
    show("a", a)
    show("b", b)
    total = a + b
    show("a + b broadcasts (3, 1) and (1, 2) to (3, 2)", total)
    return total


def numpy_round_trip():
    x = np.ones((2, 3))
    y = nd.array(x)  # numpy -> NDArray
    z = y.asnumpy()  # NDArray -> numpy
    print(f"# numpy -> mxnet -> numpy: {type(x).__name__} -> {type(y).__name__} -> {type(z).__name__}")
    return x, z


def in_place(x, y):
    """Which updates allocate a new array and which write into an existing one."""
    checks = {}
    before = id(y)
    y = y + x
    checks["y = y + x keeps id"] = id(y) == before

    z = nd.zeros_like(x)
    before = id(z)
    z[:] = x + y
    checks["z[:] = x + y keeps id"] = id(z) == before

    nd.elemwise_add(x, y, out=z)
    checks["elemwise_add(x, y, out=z) keeps id"] = id(z) == before

    before = id(x)
    x += y
    checks["x += y keeps id"] = id(x) == before
    for what, same in checks.items():
        print(f"{what}: {same}")
    return checks


def slicing(x):
    show("x[1:3]", x[1:3])
    x[1, 2] = 9.0
    show("after x[1, 2] = 9", x)
    x[1:2, 1:3] = 4.0
    show("after x[1:2, 1:3] = 4", x)
    return x


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)
    x, y = creation()
    operations(x, y)
    total = broadcasting()
    original, back = numpy_round_trip()
    checks = in_place(x, y)
    sliced = slicing(nd.arange(12).reshape((3, 4)))
    return {"broadcast_shape": total.shape, "numpy_round_trip_equal": bool((original == back).all()),
            "in_place": checks, "sliced": sliced.asnumpy().tolist()}


if __name__ == "__main__":
    sys.exit(cli.run(main))
