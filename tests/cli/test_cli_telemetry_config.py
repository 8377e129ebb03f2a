"""The telemetry settings in config files are checked like every key (docs/telemetry.md, Settings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_the_checker_knows_every_telemetry_key_and_suggests_the_intended_one(tmp_path: Path):
    """`telemetry.*`, `observability.*` and `otlp.*` are checked like every config key (CREW5xx)."""
    project = tmp_path / "proj"
    (project / ".crew").mkdir(parents=True)
    (project / ".crew" / "config.json").write_text(json.dumps({
        "telemetry": {"enabld": False}, "observability": {"metricRetentionDay": 3, "metricRetentionDays": 0},
        "otlp": {"enabled": True, "endpoint": "ftp://collector", "headrs": {}, "intervalMs": 60000}}))
    out = subprocess.run([sys.executable, "-m", "crew_lsp", "check", str(project), "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    found = {(d["code"], d["message"].split(";")[0]) for d in json.loads(out.stdout)}
    assert found == {
        ("CREW502", "Unknown config key `enabld` in `telemetry`"),
        ("CREW502", "Unknown config key `metricRetentionDay` in `observability`"),
        ("CREW503", "`observability.metricRetentionDays`: Input should be greater than or equal to 1"),
        ("CREW502", "Unknown config key `headrs` in `otlp`"),
        # where metrics are sent is the user's choice: a project file cannot set it at all
        ("CREW504", "`otlp.enabled` cannot be set by a project config (a cloned repository must not change it)"),
        ("CREW504", "`otlp.endpoint` cannot be set by a project config (a cloned repository must not change it)"),
    }
    messages = " ".join(d["message"] for d in json.loads(out.stdout))
    for suggestion in ("did you mean `enabled`", "did you mean `metricRetentionDays`", "did you mean `headers`"):
        assert suggestion in messages
