"""Chapter 1: the NDArray and autograd sections, executed as notebooks.

Also the helpers the chapter 1 and 2 section tests share: run a section capturing what it
prints, check that a section file keeps the notebook contract, and that a run holds the
figures the book printed."""
import contextlib
import io
import re

import numpy as np
import pytest
from mxnet import autograd as ag
from mxnet import nd

from conftest import run_section
from gluon_tutorials import notebook, sections


def run_captured(slug, out=None, **overrides):
    """(namespace, printed text) of one in-process run of a section."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ns = run_section(slug, out, **overrides)
    return ns, printed.getvalue()


def assert_is_a_notebook(slug):
    """A jupytext notebook whose code runs at the top level: title cell, parameters cell
    first, then runtime.setup; no main(), no argparse, no other section, no magics."""
    section = sections.get(slug)
    source = section.path.read_text(encoding="utf-8")
    assert not re.search(r"^def main\b", source, re.MULTILINE)
    assert "argparse" not in source
    assert "gluon_tutorials.chapter" not in source  # no section imports another
    nb = notebook.read(section.path)
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith("# " + section.title.split(" (")[0])
    index = notebook.parameters_index(nb, section.path)  # raises unless tagged and first
    assert notebook.parse_parameters(nb.cells[index].source, section.path)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert "runtime.setup(" in code[1]
    assert not [line for cell in code for line in cell.splitlines()
                if line.lstrip().startswith(("%", "!"))]


def assert_holds_the_book_figures(slug, ns):
    """Every number the book printed for the section is a variable of the run (under the
    registry's name for it), with as many values as the book printed."""
    section = sections.get(slug)
    assert section.book
    for metric, value in section.book.items():
        assert np.size(ns[section.variable(metric)]) == np.size(value), metric


@pytest.mark.parametrize("slug", ["ndarray", "autograd"])
def test_section_is_a_notebook(slug):
    assert_is_a_notebook(slug)
    assert [p.name for p in notebook.parameters(sections.get(slug).path)] == ["seed"]


# --- 2.2 NDArray -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ndarray_run():
    return run_captured("ndarray")


def test_ndarray_shape_size_and_broadcasting(ndarray_run):
    ns, out = ndarray_run
    assert "\n(3, 4)\n12\n" in out
    # (3, 1) + (1, 2) broadcasts to (3, 2)
    assert "a+b: \n[[0. 1.]\n [1. 2.]\n [2. 3.]]\n<NDArray 3x2 @cpu(0)>" in out


def test_ndarray_numpy_round_trip(ndarray_run):
    _, out = ndarray_run
    # the first element of the printed pair is a numpy array again, the second an NDArray
    assert "[array([[1., 1., 1.],\n       [1., 1., 1.]], dtype=float32), \n[[1. 1. 1.]" in out


def test_ndarray_which_updates_keep_the_array(ndarray_run):
    _, out = ndarray_run
    flags = [line for line in out.splitlines() if line in ("True", "False")]
    # y = y + x allocates; z[:] = ..., elemwise_add(out=z) and x += y write in place
    assert flags == ["False", "True", "True", "True"]


def test_ndarray_slicing_writes_into_the_array(ndarray_run):
    ns, out = ndarray_run
    expected = np.arange(12).reshape(3, 4)
    assert "\n[[ 4.  5.  6.  7.]\n [ 8.  9. 10. 11.]]\n<NDArray 2x4" in out  # x[1:3]
    expected[1, 2] = 9
    assert "\n[[ 0.  1.  2.  3.]\n [ 4.  5.  9.  7.]\n [ 8.  9. 10. 11.]]\n" in out
    expected[1:2, 1:3] = 4
    np.testing.assert_array_equal(ns["x"].asnumpy(), expected)


# --- 2.3 autograd ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def autograd_run():
    return run_captured("autograd")


def test_gradient_of_2x_squared_is_4x(autograd_run):
    _, out = autograd_run
    # the first thing printed: x.grad == 4 * x, element by element
    assert out.startswith("\n[[1. 1.]\n [1. 1.]]\n<NDArray 2x2 @cpu(0)>")


def test_head_gradient_multiplies_the_gradient(autograd_run):
    ns, out = autograd_run
    x = ns["x"]
    np.testing.assert_allclose(x.grad.asnumpy(), 4 * x.asnumpy() * [[10, 1], [.1, .01]],
                               rtol=1e-6)
    assert out.rstrip().endswith("[[40.    8.  ]\n [ 1.2   0.16]]\n<NDArray 2x2 @cpu(0)>")


def test_gradient_through_control_flow(autograd_run):
    ns, _ = autograd_run
    np.testing.assert_allclose(ns["a"].grad.asnumpy(), (ns["c"] / ns["a"]).asnumpy(), rtol=1e-5)
    f = ns["f"]
    for values in ([0.3, -0.2, 0.1], [-1.0, -2.0, -0.5]):
        a = nd.array(values)
        a.attach_grad()
        with ag.record():
            c = f(a)
        c.backward()
        np.testing.assert_allclose(a.grad.asnumpy(), (c / a).asnumpy(), rtol=1e-5)
        # f doubles until the norm reaches 1000, then multiplies by 100 when the sum is negative
        factor = 2
        while np.linalg.norm(values) * factor < 1000:
            factor *= 2
        factor *= 100 if sum(values) < 0 else 1
        np.testing.assert_allclose(a.grad.asnumpy(), [factor] * 3)
