"""A registry as the JSON snapshot used everywhere (`crew.metrics`, `crew/metrics`, the JSONL sink,
`crew-lsp metrics`), and as Prometheus text (docs/telemetry.md, Snapshot).

    [{"name": "crew_runs_total", "type": "counter", "help": "…",
      "series": [{"labels": {"status": "completed"}, "value": 3}]},
     {"name": "crew_task_duration_seconds", "type": "histogram", "help": "…",
      "series": [{"labels": {"role": "executor"}, "count": 4, "sum": 9.5,
                  "buckets": {"0.5": 1, "1.0": 2, …, "+Inf": 4}, "p50": 0.75, "p95": 4.1, "p99": 4.8}]}]

Counters are named as in the exposition (with `_total`); bucket counts are cumulative, keyed by the
upper bound as Prometheus prints it. Quantiles are estimated the way PromQL's `histogram_quantile`
does: the rank q·count falls in the first bucket whose cumulative count reaches it, and the value is
interpolated linearly between that bucket's lower and upper bounds (the lower bound of the first
bucket is 0). A rank in the `+Inf` bucket answers the largest finite bound — the estimate cannot
say more than the buckets know. An empty series has null quantiles.
"""

from __future__ import annotations

import math
from fnmatch import fnmatchcase
from typing import Any, Iterable, Iterator

from prometheus_client import generate_latest
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample
from prometheus_client.metrics_core import Metric

QUANTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))


def metric_name(family: Metric) -> str:
    """The name users see: a counter family `crew_runs` is exposed as `crew_runs_total`."""
    return family.name + "_total" if family.type == "counter" else family.name


def _number(value: float) -> int | float | None:
    if math.isnan(value) or math.isinf(value):
        return None
    return int(value) if value.is_integer() else value


def _labels(sample: Sample, drop: str | None = None) -> dict[str, str]:
    return {k: v for k, v in sample.labels.items() if k != drop}


def _key(labels: dict[str, str]) -> tuple:
    return tuple(sorted(labels.items()))


def estimate_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """The q-quantile of cumulative ``buckets`` [(upper bound, count ≤ bound)…, (+inf, total)]."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                finite = [b for b, _ in buckets if not math.isinf(b)]
                return finite[-1] if finite else None
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return None


def _histogram_series(family: Metric) -> list[dict[str, Any]]:
    series: dict[tuple, dict[str, Any]] = {}
    bounds: dict[tuple, list[tuple[float, float]]] = {}
    for sample in family.samples:
        suffix = sample.name[len(family.name):]
        labels = _labels(sample, "le")
        key = _key(labels)
        entry = series.setdefault(key, {"labels": labels, "count": 0, "sum": 0, "buckets": {}})
        if suffix == "_bucket":
            entry["buckets"][sample.labels["le"]] = _number(sample.value)
            bounds.setdefault(key, []).append((float(sample.labels["le"]), sample.value))
        elif suffix == "_count":
            entry["count"] = _number(sample.value)
        elif suffix == "_sum":
            entry["sum"] = _number(sample.value)
    for key, entry in series.items():
        for label, q in QUANTILES:
            estimate = estimate_quantile(q, bounds.get(key, []))
            entry[label] = None if estimate is None else round(estimate, 6)
    return list(series.values())


def _value_series(family: Metric) -> list[dict[str, Any]]:
    wanted = metric_name(family)
    return [{"labels": _labels(s), "value": _number(s.value)} for s in family.samples if s.name == wanted]


def _families(registry: Collector, pattern: str | None) -> Iterator[Metric]:
    for family in registry.collect():
        if pattern is None or fnmatchcase(metric_name(family), pattern):
            yield family


def snapshot(registry: Collector, pattern: str | None = None) -> list[dict[str, Any]]:
    """The metrics whose names match the glob ``pattern`` (all when None), as JSON-ready dicts."""
    out = []
    for family in _families(registry, pattern):
        if family.type == "histogram":
            series = _histogram_series(family)
        elif family.type in ("counter", "gauge"):
            series = _value_series(family)
        else:
            continue  # no other type is registered by CrewMetrics
        out.append({"name": metric_name(family), "type": family.type, "help": family.documentation, "series": series})
    return out


class _Filtered:
    """A collector showing only the families of ``registry`` that match ``pattern``."""

    def __init__(self, registry: Collector, pattern: str | None):
        self._registry, self._pattern = registry, pattern

    def collect(self) -> Iterable[Metric]:
        return _families(self._registry, self._pattern)


def exposition(registry: Collector, pattern: str | None = None) -> str:
    """Prometheus text exposition format (version 0.0.4), optionally filtered like `snapshot`."""
    source = registry if pattern is None else _Filtered(registry, pattern)
    return generate_latest(source).decode("utf-8")  # type: ignore[arg-type]


def render(registry: Collector, pattern: str | None = None, fmt: str = "json") -> list[dict[str, Any]] | str:
    """What `crew.metrics {filter, format}` answers: the snapshot, or the exposition text."""
    if fmt == "prometheus":
        return exposition(registry, pattern)
    if fmt != "json":
        raise ValueError(f"unknown metrics format {fmt!r}: use 'json' or 'prometheus'")
    return snapshot(registry, pattern)
