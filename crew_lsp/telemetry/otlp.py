"""OTLP/HTTP export of a registry (docs/telemetry.md, OTLP), built with the official OpenTelemetry
protobuf classes (the optional extra: ``pip install 'crew-lsp[otlp]'``).

The payload follows the OTLP metrics data model: a resource with ``service.name``; counters as
monotonic sums and histograms with cumulative temporality; every point with ``time_unix_nano`` (now)
and, for sums and histograms, ``start_time_unix_nano`` (when the series was created, ≤ time);
histogram points with N bucket counts (per bucket, not cumulative) and the N−1 finite bounds; gauges
as gauges. Metric names are the Prometheus family names (a counter without `_total`), so a
collector exporting to Prometheus gives back the same names.

`OtlpExporter.export_now` builds the payload (cheap) and POSTs it from a daemon thread with a 10 s
timeout: it returns at once and never blocks the event loop or a run. After a failure the next
export is attempted only after a delay that doubles with each consecutive failure (exponential
backoff, capped); with cumulative temporality the next successful export carries everything missed.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from prometheus_client.registry import Collector

from crew_lsp import __version__
from crew_lsp.telemetry.metrics import CrewMetrics

log = logging.getLogger("crew_lsp.telemetry")

SERVICE_NAME = "crew-lsp"
TIMEOUT_S = 10.0
BACKOFF_START_S = 5.0
BACKOFF_MAX_S = 600.0


class OtlpUnavailable(RuntimeError):
    """The opentelemetry-proto package (the `otlp` extra) is not installed."""


def _proto() -> Any:
    try:
        from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
        from opentelemetry.proto.common.v1 import common_pb2
        from opentelemetry.proto.metrics.v1 import metrics_pb2
        from opentelemetry.proto.resource.v1 import resource_pb2
    except ImportError as exc:
        raise OtlpUnavailable("OTLP export needs the otlp extra: pip install 'crew-lsp[otlp]'") from exc
    return metrics_service_pb2, common_pb2, metrics_pb2, resource_pb2


def _unit(name: str) -> str:
    if name.endswith("_seconds"):
        return "s"
    if name.endswith("_tokens"):
        return "{token}"
    return ""


def _nanos(seconds: float) -> int:
    return int(seconds * 1e9)


def build_request(registry: Collector, *, start_time: float, now: float | None = None,
                  service_name: str = SERVICE_NAME) -> Any:
    """An ``ExportMetricsServiceRequest`` of every series in ``registry`` at ``now``. A series' start
    is its creation time when prometheus_client knows it, else ``start_time`` (the session's start)."""
    service_pb2, common_pb2, metrics_pb2, resource_pb2 = _proto()
    now = time.time() if now is None else now
    time_ns = _nanos(now)
    cumulative = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE

    def attributes(labels: Mapping[str, str], drop: str | None = None) -> list:
        return [common_pb2.KeyValue(key=k, value=common_pb2.AnyValue(string_value=v))
                for k, v in sorted(labels.items()) if k != drop]

    def start_of(created: dict, key: tuple) -> int:
        return min(_nanos(created.get(key, start_time)), time_ns)  # never after the point's time

    metrics = []
    for family in registry.collect():
        created = {tuple(sorted(s.labels.items())): s.value for s in family.samples if s.name == family.name + "_created"}
        metric = metrics_pb2.Metric(name=family.name, description=family.documentation, unit=_unit(family.name))
        if family.type == "counter":
            points = [metrics_pb2.NumberDataPoint(attributes=attributes(s.labels), as_double=s.value, time_unix_nano=time_ns,
                                                  start_time_unix_nano=start_of(created, tuple(sorted(s.labels.items()))))
                      for s in family.samples if s.name == family.name + "_total"]
            metric.sum.CopyFrom(metrics_pb2.Sum(data_points=points, aggregation_temporality=cumulative, is_monotonic=True))
        elif family.type == "gauge":
            points = [metrics_pb2.NumberDataPoint(attributes=attributes(s.labels), as_double=s.value, time_unix_nano=time_ns)
                      for s in family.samples if s.name == family.name]
            metric.gauge.CopyFrom(metrics_pb2.Gauge(data_points=points))
        elif family.type == "histogram":
            metric.histogram.CopyFrom(metrics_pb2.Histogram(
                data_points=_histogram_points(metrics_pb2, family, attributes, start_of, created, time_ns),
                aggregation_temporality=cumulative))
        else:
            continue
        metrics.append(metric)
    resource = resource_pb2.Resource(attributes=[
        common_pb2.KeyValue(key="service.name", value=common_pb2.AnyValue(string_value=service_name)),
        common_pb2.KeyValue(key="service.version", value=common_pb2.AnyValue(string_value=__version__)),
    ])
    scope = common_pb2.InstrumentationScope(name="crew_lsp", version=__version__)
    return service_pb2.ExportMetricsServiceRequest(resource_metrics=[
        metrics_pb2.ResourceMetrics(resource=resource, scope_metrics=[metrics_pb2.ScopeMetrics(scope=scope, metrics=metrics)])])


def _histogram_points(metrics_pb2: Any, family: Any, attributes: Callable, start_of: Callable, created: dict,
                      time_ns: int) -> list:
    series: dict[tuple, dict[str, Any]] = {}
    for s in family.samples:
        suffix = s.name[len(family.name):]
        key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        entry = series.setdefault(key, {"labels": s.labels, "buckets": [], "count": 0, "sum": 0.0})
        if suffix == "_bucket":
            entry["buckets"].append((float(s.labels["le"]), s.value))
        elif suffix == "_count":
            entry["count"] = s.value
        elif suffix == "_sum":
            entry["sum"] = s.value
    points = []
    for key, entry in series.items():
        buckets = sorted(entry["buckets"])
        counts, previous = [], 0.0
        for _, cumulative in buckets:  # cumulative (Prometheus) → per bucket (OTLP)
            counts.append(int(cumulative - previous))
            previous = cumulative
        bounds = [bound for bound, _ in buckets if not math.isinf(bound)]  # N buckets, N−1 bounds
        points.append(metrics_pb2.HistogramDataPoint(
            attributes=attributes(entry["labels"], "le"), start_time_unix_nano=start_of(created, key),
            time_unix_nano=time_ns, count=int(entry["count"]), sum=entry["sum"], bucket_counts=counts,
            explicit_bounds=bounds))
    return points


def metrics_url(endpoint: str) -> str:
    """The URL to POST to: a base endpoint (``http://host:4318``) gets the signal path ``/v1/metrics``;
    an endpoint with a path is used as given."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"bad OTLP endpoint {endpoint!r}: expected an http:// or https:// URL")
    if parts.path in ("", "/"):
        return endpoint.strip().rstrip("/") + "/v1/metrics"
    return endpoint.strip()


class OtlpExporter:
    """Pushes one session's registry to an OTLP/HTTP endpoint. ``headers`` must come from the user's
    own settings only (a workspace file must never send the figures elsewhere): the caller decides."""

    name = "otlp"

    def __init__(self, metrics: CrewMetrics, endpoint: str, headers: Mapping[str, str] | None = None, *,
                 timeout_s: float = TIMEOUT_S, service_name: str = SERVICE_NAME,
                 clock: Callable[[], float] = time.monotonic):
        _proto()  # fail now, with the install hint, rather than at the first export
        self.metrics = metrics
        self.url = metrics_url(endpoint)
        self.headers = {str(k): str(v) for k, v in (headers or {}).items()}
        self.timeout_s = timeout_s
        self.service_name = service_name
        self.clock = clock
        self.failures = 0
        self._retry_at = 0.0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def export_now(self) -> None:
        """Start a POST of the current figures in a daemon thread and return at once (skipped while
        the previous POST is still running or during the backoff after failures)."""
        with self._lock:
            if self.in_flight or self.clock() < self._retry_at:
                return
            body = build_request(self.metrics.registry, start_time=self.metrics.started_at,
                                 service_name=self.service_name).SerializeToString()
            self._thread = threading.Thread(target=self._post, args=(body,), name="crew-otlp-export", daemon=True)
            self._thread.start()

    @property
    def in_flight(self) -> bool:
        """Whether a POST is still running in its thread."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the POST in flight (if any); True when none is left running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={**self.headers, "Content-Type": "application/x-protobuf"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors
            self._failed(exc)
            return
        with self._lock:
            self.failures, self._retry_at = 0, 0.0

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            delay = min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** (self.failures - 1))
            self._retry_at = self.clock() + delay
            first = self.failures == 1
        reason = getattr(exc, "reason", None) or exc
        if first:
            log.warning("OTLP metrics export to %s failed: %s (retrying with backoff)", self.url, reason)
        else:
            log.debug("OTLP metrics export to %s failed again (%d): %s", self.url, self.failures, reason)

    def close(self) -> None:
        """Nothing to release: a POST in flight ends by its timeout in its daemon thread."""
