"""`crew-lsp check` on the recursion and amplification part of bench/hostile.py's workspace.

It must finish (no RecursionError, exit 2) with a bounded report: exit code 1 for the errors found,
short messages, at most 1,000 diagnostics per file. Time and memory figures are the bench's job.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_hostile", ROOT / "bench" / "hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_finishes_on_a_5000_step_cycle_20000_roles_and_a_100000_deep_config(tmp_path):
    bench = _bench()
    ws = bench.build(tmp_path / "ws", parts=bench.RECURSION_AND_AMPLIFICATION)
    (tmp_path / "home").mkdir()
    env = {**os.environ, "PI_TEAMS_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "crew_lsp", "check", str(ws)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    by_file: dict[str, int] = {}
    for line in lines:
        by_file[line.split(":", 1)[0]] = by_file.get(line.split(":", 1)[0], 0) + 1
    assert max(by_file.values()) <= 1001  # 1,000 listed, then one CREW001
    assert any(" CREW001 " in line and "ring.workflow.md" in line for line in lines)
    assert any(" CREW303 " in line for line in lines) and any(" CREW301 " in line for line in lines)
    assert any(" CREW501 " in line and "nested too deeply" in line for line in lines)
    assert max(len(line) for line in lines) < 1000
    assert len(out.stdout) < 2_000_000
