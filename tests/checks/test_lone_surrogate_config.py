"""A JSON config with a lone surrogate escape (`"\\ud800"`) is checked, and reported, like any other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checkutil import check, write_tree

ROOT = Path(__file__).resolve().parents[2]
CONFIG = '{"limits": {"maxConcurrentWorkers": "\\ud800"},\n "\\udc00x": 1, "a😀": "\\ud800"}\n'


def test_the_checker_reports_a_config_with_lone_surrogates(tmp_path):
    found = check(write_tree(tmp_path, {".crew/config.json": CONFIG}))
    by_code = sorted((f.code, f.range) for f in found)
    assert ("CREW503", [0, 36, 0, 44]) in by_code  # the string value is not a number
    assert ("CREW502", [1, 1, 1, 10]) in by_code  # the unknown key with the lone surrogate
    assert ("CREW502", [1, 15, 1, 20]) in by_code  # 😀 is two UTF-16 columns


def test_the_text_report_prints_a_lone_surrogate_escaped(tmp_path):
    write_tree(tmp_path, {".crew/config.json": CONFIG})
    (tmp_path / "home").mkdir()
    env = {**os.environ, "PI_TEAMS_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-m", "crew_lsp", "check", str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr  # warnings only
    assert "Unknown config key `\\udc00x`" in out.stdout
