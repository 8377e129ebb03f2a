"""The names of the `workspace/executeCommand` commands (docs/editor.md, Commands).

The capabilities answered to `initialize` list them, and that answer must not wait for the command
handlers (their pydantic models, the run engine): those load after `initialize` has been answered
(`app.load_commands`). tests/server/test_startup_imports.py keeps this list equal to the registry.
"""

from __future__ import annotations

COMMAND_NAMES = (
    "crew.cancel",
    "crew.doctor",
    "crew.events",
    "crew.export",
    "crew.exportDiagnostics",
    "crew.guidance.remove",
    "crew.guidance.update",
    "crew.metrics",
    "crew.newSkill",
    "crew.plan",
    "crew.recommend",
    "crew.recover",
    "crew.resume",
    "crew.retry",
    "crew.run",
    "crew.status",
    "crew.teams",
    "crew.validateWorkspace",
)
