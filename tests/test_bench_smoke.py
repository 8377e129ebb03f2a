"""The benchmark scripts still run against the code they measure (their figures are printed by
`make bench`; here only that they run to the end on small inputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("argv", [
    ["engine.py", "--quick"],
    ["telemetry.py", "--quick"],
    ["lsp.py", "--sizes", "200", "--edits", "20", "--startup-runs", "1"],
    ["scale.py", "--quick", "--sizes", "200"],
    ["language.py"],
    ["check.py", "--agents", "20", "--teams", "20", "--workflows", "20", "--runs", "1", "--warmup", "0", "--proc-runs", "1"],
    ["check.py", "--sizes", "60,120", "--proc-runs", "1"],
    ["check_timeline.py", "--size", "300", "--min-files", "0"],
    ["redact.py"],
    ["memory.py", "--size", "60", "--top", "3"],
    ["memory.py", "--size", "60", "--compacted", "--top", "0"],
])
def test_benchmark_script_runs(argv: list[str]):
    proc = subprocess.run([sys.executable, str(BENCH / argv[0]), *argv[1:]], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
