"""The diagnostic bundle of a run (docs/runs.md, Diagnostic export): what a user attaches to a bug
report, with every secret masked.

    artifacts/<runId>/diagnostic/diagnostic-<UTC time>.json   the bundle (schemaVersion 2)
    artifacts/<runId>/diagnostic/diagnostic-<UTC time>.zip    that JSON and the run's events.jsonl

The bundle holds the manifest, the tasks, the last 200 events, a heartbeat summary (levels of the
running tasks with the configured thresholds) and a metrics snapshot: the caller's session
(`CrewMetrics`) when it has one, else the figures replayed from the run's own events.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

from crew_lsp.engine.events import read_events
from crew_lsp.engine.files import atomic_write_bytes
from crew_lsp.engine.heartbeat import Thresholds, level, staleness_ms
from crew_lsp.engine.metrics_listener import replay
from crew_lsp.engine.model import TaskState, now_iso
from crew_lsp.engine.state import RunStateError, RunStore, check_id, pid_alive
from crew_lsp.engine.store_ops import load_run
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.redact import redact
from crew_lsp.telemetry.snapshot import snapshot

SCHEMA_VERSION = 2
LAST_EVENTS = 200


def heartbeat_summary(tasks: list[TaskState], thresholds: Thresholds, now: float) -> dict:
    """Levels of the running tasks now, as every reader computes them (docs/runs.md, Heartbeats)."""
    levels = dict.fromkeys(("healthy", "warn", "stale", "dead"), 0)
    running = []
    for t in tasks:
        if t.status != "running":
            continue
        lvl = level(t.heartbeat, now, thresholds, alive_check=pid_alive)
        levels[lvl] = levels.get(lvl, 0) + 1
        running.append({"taskId": t.id, "level": lvl, "stalenessMs": staleness_ms(t.heartbeat, now)})
    stale = [r["stalenessMs"] for r in running if r["stalenessMs"] is not None]
    return {"thresholds": {"warnMs": thresholds.warn_ms, "staleMs": thresholds.stale_ms, "deadMs": thresholds.dead_ms},
            "levels": levels, "maxStalenessMs": max(stale, default=None), "running": running}


def export_diagnostics(store: RunStore, run_id: str, thresholds: Thresholds, metrics: CrewMetrics | None = None) -> str:
    """Write the bundle and, next to it, its zip (same name, `.zip`); returns the bundle's path.
    Blocking: run it in a thread."""
    check_id(run_id, "run id")
    loaded = load_run(store, run_id)
    if loaded is None:
        raise RunStateError(f"unknown run {run_id}")
    manifest, tasks = loaded
    paths = store.paths(run_id)
    events = read_events(paths.events)
    now = time.time()
    source = "session" if metrics is not None else "events"
    figures = metrics if metrics is not None else replay(events)
    bundle = redact({
        "schemaVersion": SCHEMA_VERSION, "exportedAt": now_iso(now), "runId": run_id, "manifest": manifest.to_dict(),
        "tasks": [t.to_dict() for t in tasks], "eventsTotal": len(events),
        "events": [e.to_dict() for e in events[-LAST_EVENTS:]], "heartbeats": heartbeat_summary(tasks, thresholds, now),
        "metricsSource": source, "metrics": snapshot(figures.registry),
    })
    stem = f"diagnostic-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(now))}"
    body = json.dumps(bundle, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    json_path = paths.artifact("diagnostic", f"{stem}.json")
    atomic_write_bytes(json_path, body)
    atomic_write_bytes(paths.artifact("diagnostic", f"{stem}.zip"), _zip(stem, body, events))
    return str(json_path)


def _zip(stem: str, body: bytes, events: list) -> bytes:
    """The bundle and every stored event (each line redacted again: the zip leaves the machine)."""
    lines = "".join(json.dumps(redact(e.to_dict()), ensure_ascii=False, default=str) + "\n" for e in events)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.json", body)
        archive.writestr("events.jsonl", lines.encode("utf-8"))
    return out.getvalue()
