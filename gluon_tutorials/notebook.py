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
    line: int = None  # where it is in the section file


def read(path):
    """The section as an nbformat notebook."""
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise SectionFormatError(_missing_message(path))
    return jupytext.read(path, fmt="py:percent")


def _missing_message(path):
    restore = f"restore it with `git checkout -- {path}`"
    ipynb = path.with_suffix(".ipynb")
    if ipynb.is_file():
        return (f"{path} is missing; {ipynb.name} beside it is not read: the sections are the "
                f"`.py` files. Make it again with `jupytext --to py:percent {ipynb}`, or {restore}")
    return f"{path} is missing: {restore}"


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


FORM = "write each parameter as `name = value  # what it is`"


def parse_parameters(source, path="<parameters cell>", first_line=1):
    """The parameters cell's ``name = literal  # what it is`` lines, in order; the cell
    starts at line `first_line` of the file `path`, which the messages name."""
    def where(lineno):
        return f"{path}, line {first_line + lineno - 1}"

    try:
        body = ast.parse(source).body
        comments = _comments(source)
    except (SyntaxError, tokenize.TokenError) as e:
        lineno = e.lineno if isinstance(e, SyntaxError) else e.args[1][0]
        reason = e.msg if isinstance(e, SyntaxError) else e.args[0]
        raise SectionFormatError(f"{where(lineno or 1)}: the parameters cell is not valid Python "
                                 f"({reason}); {FORM}") from None
    params = []
    for node in body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise SectionFormatError(f"{where(node.lineno)}: not a plain `name = value` "
                                     f"assignment; {FORM}")
        name = node.targets[0].id
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise SectionFormatError(f"{where(node.lineno)}: {name} = {ast.unparse(node.value)} "
                                     f"is not a literal value; write the value itself, "
                                     f"{_literal_hint(name, node.value)}") from None
        help_ = comments.get(node.end_lineno, "")
        if not help_:
            raise SectionFormatError(f"{where(node.lineno)}: parameter {name} has no comment "
                                     f"saying what it is; {FORM}")
        params.append(Parameter(name, default, help_, first_line + node.lineno - 1))
    return params


def _literal_hint(name, value):
    """`e.g. epochs = 6` for `epochs = 2 * 3`: arithmetic on numbers is worked out."""
    if all(isinstance(n, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.operator,
                          ast.unaryop)) for n in ast.walk(ast.Expression(value))):
        try:
            result = eval(compile(ast.Expression(value), "<parameter>", "eval"),  # noqa: S307
                          {"__builtins__": {}})
        except (ArithmeticError, TypeError, ValueError):
            result = None
        if isinstance(result, (int, float)) and abs(result) < 1e300:
            return f"e.g. `{name} = {result!r}`"
    return "a number, a quoted string, True, False or None"


def _cell_start(path):
    """The file line where the parameters cell's source begins, after its `# %%` line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next((n + 1 for n, line in enumerate(lines, 1)
                 if line.startswith("# %%") and PARAMETERS_TAG in line), 1)


def parameters(path):
    nb = read(path)
    index = parameters_index(nb, path)
    return parse_parameters(nb.cells[index].source, path, _cell_start(path))


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
                            resources={"metadata": {"path": str(cwd or Path.cwd())}},
                            config=_kernel_config())
    try:
        _execute_interruptibly(client)
    except CellExecutionError as e:
        cell = _failed_cell(nb)
        raise CellError(f"{Path(path).name}: code cell {cell} failed: "
                        f"{e.ename}: {e.evalue}") from e
    return nb


def kernel_encryption():
    """"auto" where pyzmq has CurveZMQ (jupyter_client then encrypts a kernel's local sockets
    if its kernelspec declares support), else None: without it ipykernel 7.3+ prints a
    warning about plain TCP each time a kernel starts."""
    import zmq

    return "auto" if zmq.has("curve") else None


def _kernel_config():
    from traitlets.config import Config

    config = Config()
    encryption = kernel_encryption()
    if encryption:
        config.KernelManager.transport_encryption = encryption
    return config


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
