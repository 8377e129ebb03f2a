"""What the server loads before it can answer `initialize` (docs/editor.md, Start-up): pygls,
lsprotocol and the server's own glue — not the checks, the run engine, pydantic, watchfiles or
prometheus_client, which load once `initialize` has been answered (or on first use)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crew_lsp.server import app, command_names

ROOT = Path(__file__).resolve().parents[2]

LOADED_LATER = ("crew_lsp.checks", "crew_lsp.engine", "crew_lsp.telemetry", "pydantic", "prometheus_client", "watchfiles")

PROBE = """
import json, sys
from crew_lsp.server.app import create_server
create_server()
print(json.dumps(sorted(sys.modules)))
"""


def test_creating_the_server_loads_no_checks_engine_pydantic_or_prometheus():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    early = [m for m in loaded if any(m == name or m.startswith(name + ".") for name in LOADED_LATER)]
    assert early == []


def test_the_advertised_command_names_are_exactly_the_registered_commands():
    registry = app.load_commands()
    assert sorted(command_names.COMMAND_NAMES) == sorted(registry.COMMANDS)
