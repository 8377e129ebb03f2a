"""The layers and "no import circle" are contracts (docs/architecture.md): checked here on every test run.

The layer order lives in pyproject.toml (`[tool.importlinter]`); the cycle check reads the whole module
graph of `crew_lsp`, imports under `if TYPE_CHECKING:` included, since a circle in typing is still a
circle a reader has to untangle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("crew_lsp", cache_dir=None)


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Strongly connected components (more than one module) among the modules of `package`."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan, iterative (the graph is deep enough to matter)
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


# Circles owned by work in progress elsewhere (remove an entry once its circle is gone):
# the run files of the server are being reworked for typed run snapshots (issue 8, item 3).


@pytest.mark.parametrize("package", ["crew_lsp.server", "crew_lsp.language", "crew_lsp.engine", "crew_lsp.checks", "crew_lsp.resources", "crew_lsp.telemetry", "crew_lsp.cache"])
def test_no_import_circle_between_modules(graph, package):
    assert [c for c in _cycles(graph, package)] == []


def test_the_layer_contracts_of_pyproject_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")  # import-linter's command, in the test venv
    done = subprocess.run([str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
