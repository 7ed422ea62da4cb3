"""A section is one jupytext percent-format file: ``# %%`` code cells and ``# %% [markdown]``
text cells, the first code cell tagged ``parameters``. This module reads such a file, reads its
parameters, and runs it: in this process (``run``, ``reproduce``, most tests) or in a Jupyter
kernel (``notebooks --execute``, the kernel tests). Either way, the given parameters go into
a cell inserted right after the parameters cell, as papermill does."""
import ast
import contextlib
import copy
import io
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

from gluon_tutorials import signals

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


class SectionFormatError(Exception):
    """A section file breaks the section contract (no parameters cell, a parameter that is
    not a literal, ...); the message names the file."""


@dataclass(frozen=True)
class Parameter:
    name: str
    default: object
    help: str


def read(path):
    """The section as an nbformat notebook."""
    import jupytext

    return jupytext.read(Path(path), fmt="py:percent")


def parameters_index(nb, path="<notebook>"):
    """Index of the parameters cell: the first code cell, which must carry the tag."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            if PARAMETERS_TAG not in cell.metadata.get("tags", []):
                raise SectionFormatError(f"{path}: the first code cell is not tagged "
                                         f"{PARAMETERS_TAG!r}")
            return index
    raise SectionFormatError(f"{path}: no code cell")


def _comments(source):
    """Line number -> the text of the comment on that line."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def parse_parameters(source, path="<parameters cell>"):
    """The parameters cell's ``name = literal  # what it is`` lines, in order."""
    comments = _comments(source)
    params = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise SectionFormatError(f"{path}: line {node.lineno} of the parameters cell is not "
                                     f"a plain `name = value` assignment")
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise SectionFormatError(f"{path}: parameter {node.targets[0].id} is not a literal "
                                     f"value") from None
        help_ = comments.get(node.end_lineno, "")
        if not help_:
            raise SectionFormatError(f"{path}: parameter {node.targets[0].id} has no comment "
                                     f"saying what it is")
        params.append(Parameter(node.targets[0].id, default, help_))
    return params


def parameters(path):
    nb = read(path)
    return parse_parameters(nb.cells[parameters_index(nb, path)].source, path)


def overrides_source(overrides):
    """The injected cell: one assignment per given parameter."""
    return "\n".join(["# Parameters"] + [f"{name} = {value!r}" for name, value in overrides.items()])


def with_overrides(nb, overrides):
    """A copy of `nb` with the overrides cell after the parameters cell (none if no overrides)."""
    import nbformat

    nb = copy.deepcopy(nb)
    if overrides:
        cell = nbformat.v4.new_code_cell(overrides_source(overrides),
                                         metadata={"tags": [INJECTED_TAG]})
        nb.cells.insert(parameters_index(nb) + 1, cell)
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"  # stable ids: a re-written notebook diffs cleanly
    return nb


class CellError(Exception):
    """A cell raised; says which cell, and carries the original exception as __cause__."""


def execute(path, overrides=None, namespace=None, timings=None):
    """Run the section's code cells top to bottom in this process; returns the namespace.

    Exceptions from a cell propagate unchanged (the CLI turns known ones into one line);
    `timings`, a list, gets (cell number, seconds) per code cell.
    """
    path = Path(path)
    nb = with_overrides(read(path), overrides or {})
    namespace = {"__name__": "__main__", "__file__": str(path)} if namespace is None else namespace
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        code = compile(cell.source, f"<{path.stem} cell {number}>", "exec")
        start = time.perf_counter()
        exec(code, namespace)  # noqa: S102  (the section is this project's own code)
        signals.check()  # a Ctrl-C the cell swallowed (in a __del__) still stops the run
        if timings is not None:
            timings.append((number, time.perf_counter() - start))
    return namespace


def execute_in_kernel(path, overrides=None, cwd=None, timeout=None, setup=None):
    """The section as a notebook, executed in a fresh Jupyter kernel; returns the executed
    notebook. A failing cell raises CellError naming the cell and the error. `setup`, code
    for the tests, runs as a cell of its own right after the parameters."""
    import nbformat
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = with_overrides(read(path), overrides or {})
    if setup:
        after = parameters_index(nb) + (2 if overrides else 1)
        nb.cells.insert(after, nbformat.v4.new_code_cell(setup, id="setup"))
    nb.metadata["kernelspec"] = {"name": NATIVE_KERNEL_NAME, "display_name": "Python 3",
                                 "language": "python"}
    client = NotebookClient(nb, timeout=timeout, kernel_name=NATIVE_KERNEL_NAME,
                            resources={"metadata": {"path": str(cwd or Path.cwd())}})
    try:
        _execute_interruptibly(client)
    except CellExecutionError as e:
        cell = _failed_cell(nb)
        raise CellError(f"{Path(path).name}: code cell {cell} failed: "
                        f"{e.ename}: {e.evalue}") from e
    return nb


def _execute_interruptibly(client):
    """client.execute(), in a thread of its own so that nbclient installs no signal handlers
    (its own shut the kernel down under a running cell, and the command ended in
    DeadKernelError, AssertionError and "Task exception was never retrieved"). On Ctrl-C or
    SIGTERM here, the execution task is cancelled and the kernel killed, and the interrupt
    raised again: nothing is left running, and the notebook is not written."""
    import asyncio
    import atexit
    import threading

    state, done = {}, threading.Event()

    async def run():
        state["loop"], state["task"] = asyncio.get_running_loop(), asyncio.current_task()
        await client.async_execute()

    def target():
        try:
            asyncio.run(run())
        except BaseException as e:  # handed to the calling thread
            state["error"] = e
        finally:
            done.set()

    # An Event, not Thread.join: a join that a signal interrupts can make is_alive() say
    # False while the thread still runs (CPython gh-90882).
    threading.Thread(target=target, name="notebook-kernel", daemon=True).start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        client.shutdown_kernel = "immediate"
        while "task" not in state and not done.wait(0.01):
            pass
        with contextlib.suppress(RuntimeError):  # the loop closed: it had just finished
            state["loop"].call_soon_threadsafe(state["task"].cancel)
        done.wait(30)
        # The worker shut the kernel down; nbclient's exit-time cleanup would do it again.
        atexit.unregister(client._cleanup_kernel)
        raise
    if "error" in state:
        raise state["error"]


def _failed_cell(nb):
    number = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            number += 1
            if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
                return number
    return "?"


def to_ipynb(nb, path):
    """Write `nb` as an .ipynb file, atomically."""
    import nbformat

    from gluon_tutorials import files

    return files.write_text(path, nbformat.writes(nb))
