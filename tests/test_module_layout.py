"""The project's modules import each other in layers, every arrow pointing down (issue 17.27):
devices, output, files and data at the bottom; plotting and runtime above them; utils above
those; the command line on top. Function-level imports count: they close a circle as surely
as top-level ones, only later."""
import ast
from pathlib import Path

import utils
from gluon_tutorials import devices, output, plotting, runtime

ROOT = Path(__file__).resolve().parents[1]
# Modules that sit at the bottom: they import no other module of the project.
BOTTOM = {"gluon_tutorials.devices", "gluon_tutorials.output", "gluon_tutorials.files",
          "gluon_tutorials.data", "gluon_tutorials.progress", "gluon_tutorials.sections"}


def project_modules():
    mods = {"utils": ROOT / "utils.py"}
    for path in (ROOT / "gluon_tutorials").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def import_graph(mods):
    """module -> the project modules it imports anywhere in its code (the package itself,
    whose __init__ imports nothing, left out)."""
    graph = {}
    for name, path in mods.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in mods and t not in (name, "gluon_tutorials")}
        graph[name] = deps
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep, stack)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph(project_modules())
    assert graph["utils"] and graph["gluon_tutorials.runtime"]  # the graph was read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_bottom_modules_import_nothing_of_the_project():
    graph = import_graph(project_modules())
    assert {name: sorted(graph[name]) for name in BOTTOM if graph[name]} == {}


def test_the_old_names_still_work():
    # Other code (and the sections) call these by their old homes.
    assert utils.try_gpu is devices.try_gpu and utils.try_all_gpus is devices.try_all_gpus
    assert utils.num_gpus is devices.num_gpus and utils._works is devices._works
    assert runtime.device is devices.device and runtime.DeviceError is devices.DeviceError
    assert runtime.wrote is output.wrote and runtime.in_notebook is output.in_notebook
    assert callable(runtime.check_finite) and callable(plotting.save)
