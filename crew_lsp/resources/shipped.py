"""Where the resources we ship live: the source tree, or the `_builtin` folder of an installed wheel."""

from __future__ import annotations

from pathlib import Path


def shipped_root() -> Path:
    """Where our builtin agents/teams/workflows/skills live (source tree or installed wheel)."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_builtin"
    return installed if installed.is_dir() else package.parent
