"""`crew_lsp.engine.workers` imports its worker modules, never the other way round (no import circle):
the shared types live in `workers/base.py`."""

from __future__ import annotations

import ast
from pathlib import Path

import crew_lsp.engine.workers as workers

PACKAGE = "crew_lsp.engine.workers"


def _imported(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):  # function-level imports count too: they close the circle at run time
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x` is the package itself
                base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level > 1 else PACKAGE
                found.add(f"{base}.{node.module}" if node.module else base)
            else:
                found.add(node.module or "")
    return found


def test_worker_modules_never_import_their_package():
    folder = Path(workers.__file__).parent
    upward = {p.name: sorted(m for m in _imported(ast.parse(p.read_text())) if m == PACKAGE)
              for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"}
    assert {name: found for name, found in upward.items() if found} == {}
