"""The figures of past runs, for `crew-lsp metrics` (docs/telemetry.md, Command line).

Two sources, in this order:

- the **JSONL files** of the crew root (`state/metrics/<UTC date>.jsonl`), written by every session
  (a `crew-lsp run`, the language server) while its runs execute and when one ends. A line holds
  that session's cumulative figures, so a session's total over a window is the *increase* of its
  series between the last line before the window and its last line inside it — the way PromQL's
  `increase()` reads counters, a drop counting as a restart. The sessions' increases are added up.
- when no file has a line in the window (telemetry off, or runs older than the retention), the
  **events** of the runs in the store are replayed through a fresh `MetricsListener` (runs created
  in the window; a run's events are rotated past 5 MB, so a very long run counts only its newest).

Counters and histograms add up across sessions; gauges describe one moment of one session and are
left out of the history (the replayed figures have them, all at rest). Either way the result is a
snapshot list (telemetry/snapshot.py), turned back into a collector (`SnapshotCollector`) so the
exposition, the quantiles and `/metrics` come from the same code as a live registry's.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Iterator

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from crew_lsp.engine.events import read_events
from crew_lsp.engine.metrics_listener import replay
from crew_lsp.engine.model import parse_iso
from crew_lsp.engine.state import RunStore
from crew_lsp.telemetry.exporters import read_jsonl
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import snapshot

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str) -> float:
    """``7d``, ``12h``, ``30m``, ``90s``, ``2w`` → seconds; ValueError otherwise."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time span: write a number and a unit, e.g. 7d, 12h, 30m")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


# --- from the JSONL files --------------------------------------------------------------------


def _fields(series: dict) -> list[float]:
    """The cumulative numbers of one series: [value] or [count, sum, bucket…]."""
    if "value" in series:
        return [series["value"] or 0]
    return [series.get("count") or 0, series.get("sum") or 0, *[v or 0 for v in series.get("buckets", {}).values()]]


def _increase(points: list[list[float]], baseline: list[float] | None) -> list[float]:
    """Sum of the increases along ``points`` (cumulative), from ``baseline`` (zeros when None);
    a first field that drops marks a restarted session: its new values count whole."""
    total = [0.0] * len(points[0])
    prev = baseline if baseline is not None and len(baseline) == len(total) else [0.0] * len(total)
    for point in points:
        restarted = point[0] < prev[0]
        for i, value in enumerate(point):
            total[i] += value if restarted else value - prev[i]
        prev = point
    return total


def from_jsonl(crew_root: Path, since: float | None) -> list[dict] | None:
    """The increase of every counter and histogram over the window, added over sessions; None when
    no line falls in the window."""
    # every kept file, not only those of the window: a session's last line before the window
    # (its baseline) may be days older (the retention bounds what is read)
    records = read_jsonl(Path(crew_root) / "state" / "metrics")
    inside = [r for r in records if since is None or (parse_iso(r.get("exportedAt")) or 0) >= since]
    if not inside:
        return None
    meta: dict[str, dict] = {}  # name → {type, help}, first seen
    before: dict[tuple, list[float]] = {}  # (session, name, labels) → last point before the window
    points: dict[tuple, list[list[float]]] = {}
    shapes: dict[tuple, dict] = {}  # (name, labels) → a series, for its label dict and bucket bounds
    for record in records:
        session = record.get("session")
        in_window = since is None or (parse_iso(record.get("exportedAt")) or 0) >= since
        for metric in record["metrics"]:
            if not isinstance(metric, dict) or metric.get("type") not in ("counter", "histogram"):
                continue
            name = metric.get("name")
            meta.setdefault(name, {"type": metric["type"], "help": metric.get("help", "")})
            for series in metric.get("series") or []:
                labels = tuple(sorted((series.get("labels") or {}).items()))
                key = (session, name, labels)
                if in_window:
                    points.setdefault(key, []).append(_fields(series))
                    shapes.setdefault((name, labels), series)
                else:
                    before[key] = _fields(series)
    totals: dict[tuple, list[float]] = {}
    for key, series_points in points.items():
        increase = _increase(series_points, before.get(key))
        name_labels = key[1:]
        if name_labels in totals and len(totals[name_labels]) == len(increase):
            totals[name_labels] = [a + b for a, b in zip(totals[name_labels], increase)]
        else:
            totals[name_labels] = increase
    out: dict[str, dict] = {}
    for (name, labels), numbers in sorted(totals.items()):
        entry = out.setdefault(name, {"name": name, "series": [], **meta[name]})
        shape = shapes[(name, labels)]
        if meta[name]["type"] == "counter":
            entry["series"].append({"labels": dict(labels), "value": numbers[0]})
        else:
            buckets = dict(zip(shape.get("buckets", {}), numbers[2:]))
            entry["series"].append({"labels": dict(labels), "count": numbers[0], "sum": numbers[1], "buckets": buckets})
    return list(out.values())


# --- from the run store ----------------------------------------------------------------------


def from_events(store: RunStore, since: float | None) -> list[dict]:
    """Replay the events of the runs created in the window (all runs when ``since`` is None)."""
    metrics = CrewMetrics()
    for run_id in reversed(store.run_ids()):  # oldest first
        events = read_events(store.paths(run_id).events)
        created = parse_iso(events[0].time) if events else None
        if since is None or (created is not None and created >= since):
            replay(events, metrics)
    return snapshot(metrics.registry)


# --- back into a collector -------------------------------------------------------------------


class SnapshotCollector:
    """A snapshot list as a prometheus_client collector. ``load`` gives the list; it is called again
    when the last one is older than ``ttl`` seconds (a `/metrics` scrape sees new runs)."""

    def __init__(self, load: Any, ttl: float = 30.0):
        self._load = load
        self._ttl = ttl
        self._at = -ttl
        self._snapshot: list[dict] = []

    def current(self) -> list[dict]:
        if time.monotonic() - self._at >= self._ttl:
            self._snapshot = self._load()
            self._at = time.monotonic()
        return self._snapshot

    def collect(self) -> Iterator[Metric]:
        for metric in self.current():
            yield from _family(metric)


def _family(metric: dict) -> Iterator[Metric]:
    series = metric.get("series") or []
    names = list(series[0]["labels"]) if series else []
    kind, name, doc = metric["type"], metric["name"], metric.get("help") or metric["name"]
    if kind == "counter":
        family: Metric = CounterMetricFamily(name, doc, labels=names)
        for s in series:
            family.add_metric([s["labels"].get(n, "") for n in names], float(s["value"] or 0))
    elif kind == "gauge":
        family = GaugeMetricFamily(name, doc, labels=names)
        for s in series:
            family.add_metric([s["labels"].get(n, "") for n in names], float(s["value"] or 0))
    elif kind == "histogram":
        family = HistogramMetricFamily(name, doc, labels=names)
        for s in series:
            buckets = [(bound, float(count or 0)) for bound, count in s.get("buckets", {}).items()]
            if not buckets or buckets[-1][0] != "+Inf":
                buckets.append(("+Inf", float(s.get("count") or 0)))
            family.add_metric([s["labels"].get(n, "") for n in names], buckets, float(s.get("sum") or 0))
    else:
        return
    yield family
