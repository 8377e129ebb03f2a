"""OTLP/HTTP export, decoded by a receiver on loopback with the official protobuf classes (docs/telemetry.md, OTLP)."""

from __future__ import annotations

import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import AGGREGATION_TEMPORALITY_CUMULATIVE
from prometheus_client import CollectorRegistry, Counter, Histogram

from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.otlp import BACKOFF_START_S, OtlpExporter, build_request, metrics_url


class Receiver:
    """An OTLP/HTTP endpoint on 127.0.0.1 that keeps every POST and answers with the next status."""

    def __init__(self, statuses: list[int] | None = None):
        self.requests: queue.Queue[tuple[str, dict, bytes]] = queue.Queue()
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.put((self.path, dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self) -> tuple[str, dict, ExportMetricsServiceRequest]:
        path, headers, body = self.requests.get(timeout=20)
        request = ExportMetricsServiceRequest()
        request.ParseFromString(body)
        return path, headers, request

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def recorded() -> CrewMetrics:
    m = CrewMetrics()
    m.run_started("r1")
    m.run_ended("r1", "completed", "default", 42.0)
    m.task_ended("completed", "executor", 1.5, 1200)
    m.task_ended("failed", "reviewer", 0.2)
    m.retry()
    m.deadletter("max-retries")
    m.heartbeat_levels({"healthy": 2}, 1.0)
    m.documents(2)
    return m


def test_an_export_reaches_the_collector_with_every_conformance_point(receiver):
    metrics = recorded()
    exporter = OtlpExporter(metrics, receiver.endpoint, {"Authorization": "Bearer user-scope-secret"})
    exporter.export_now()
    path, headers, request = receiver.next()
    assert path == "/v1/metrics"
    assert headers["Content-Type"] == "application/x-protobuf"
    assert headers["Authorization"] == "Bearer user-scope-secret"  # the caller's (user-scope) headers
    (resource_metrics,) = request.resource_metrics
    attributes = {a.key: a.value.string_value for a in resource_metrics.resource.attributes}
    assert attributes["service.name"] == "crew-lsp"
    by_name = {m.name: m for scope in resource_metrics.scope_metrics for m in scope.metrics}
    assert set(by_name) == {
        "crew_runs", "crew_run_duration_seconds", "crew_tasks", "crew_task_duration_seconds", "crew_task_tokens",
        "crew_task_retry_attempts", "crew_task_deadletter", "crew_heartbeat_level", "crew_heartbeat_max_staleness_seconds",
        "crew_active_runs", "crew_lsp_request_seconds", "crew_lsp_documents", "crew_task_metric", "crew_task_metric_dropped"}
    assert all("." not in name for name in by_name)

    for name in ("crew_runs", "crew_tasks", "crew_task_retry_attempts", "crew_task_deadletter"):
        metric = by_name[name]
        assert metric.WhichOneof("data") == "sum", name
        assert metric.sum.is_monotonic and metric.sum.aggregation_temporality == AGGREGATION_TEMPORALITY_CUMULATIVE
        for point in metric.sum.data_points:
            assert 0 < point.start_time_unix_nano <= point.time_unix_nano
    runs = {tuple((a.key, a.value.string_value) for a in p.attributes): p.as_double for p in by_name["crew_runs"].sum.data_points}
    assert runs == {(("status", "completed"),): 1.0}

    for name in ("crew_run_duration_seconds", "crew_task_duration_seconds", "crew_task_tokens", "crew_lsp_request_seconds"):
        metric = by_name[name]
        assert metric.WhichOneof("data") == "histogram", name
        assert metric.histogram.aggregation_temporality == AGGREGATION_TEMPORALITY_CUMULATIVE
        for point in metric.histogram.data_points:
            assert len(point.bucket_counts) == len(point.explicit_bounds) + 1  # N buckets, N−1 bounds
            assert sum(point.bucket_counts) == point.count
            assert 0 < point.start_time_unix_nano <= point.time_unix_nano
    (duration,) = [p for p in by_name["crew_task_duration_seconds"].histogram.data_points
                   if p.attributes[0].value.string_value == "executor"]
    assert (duration.count, duration.sum) == (1, 1.5)
    assert by_name["crew_task_duration_seconds"].unit == "s"

    for name in ("crew_heartbeat_level", "crew_heartbeat_max_staleness_seconds", "crew_active_runs", "crew_lsp_documents"):
        metric = by_name[name]
        assert metric.WhichOneof("data") == "gauge", name
        assert all(p.time_unix_nano > 0 for p in metric.gauge.data_points)
    assert [p.as_double for p in by_name["crew_lsp_documents"].gauge.data_points] == [2.0]
    assert exporter.wait(20) and exporter.failures == 0


def test_a_counter_is_a_monotonic_cumulative_sum_and_bounds_1_2_5_make_4_bucket_counts():
    registry = CollectorRegistry()
    Counter("things", "things done", registry=registry).inc(3)
    h = Histogram("sizes", "sizes seen", buckets=(1, 2, 5), registry=registry)
    for v in (0.5, 1.5, 3, 9):
        h.observe(v)
    request = build_request(registry, start_time=1.0, now=2_000_000_000.0)
    metrics = {m.name: m for m in request.resource_metrics[0].scope_metrics[0].metrics}
    (count,) = metrics["things"].sum.data_points
    assert metrics["things"].sum.is_monotonic
    assert metrics["things"].sum.aggregation_temporality == AGGREGATION_TEMPORALITY_CUMULATIVE
    assert count.as_double == 3 and count.time_unix_nano == 2_000_000_000 * 10**9
    assert 0 < count.start_time_unix_nano <= count.time_unix_nano
    (sizes,) = metrics["sizes"].histogram.data_points
    assert list(sizes.explicit_bounds) == [1.0, 2.0, 5.0]
    assert list(sizes.bucket_counts) == [1, 1, 1, 1]


def test_a_series_never_starts_after_the_time_of_its_point():
    registry = CollectorRegistry()
    Counter("later", "created after the export time", registry=registry).inc()
    request = build_request(registry, start_time=0.0, now=1.0)  # `now` before the counter's creation
    (point,) = request.resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points
    assert point.start_time_unix_nano <= point.time_unix_nano


def test_an_unresponsive_endpoint_does_not_hold_up_the_export_the_post_waits_in_its_own_thread():
    with socket.socket() as black_hole:  # accepts connections (kernel backlog), never answers
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(8)
        exporter = OtlpExporter(recorded(), f"http://127.0.0.1:{black_hole.getsockname()[1]}", timeout_s=2.0)
        exporter.export_now()
        assert exporter.in_flight  # returned while the POST waits
        exporter.export_now()  # a second export while one is in flight starts no second POST
        assert exporter.wait(30)
    assert exporter.failures == 1


def test_failures_back_off_exponentially_and_a_success_resets(receiver):
    receiver.statuses = [503, 503]
    now = [1000.0]
    exporter = OtlpExporter(recorded(), receiver.endpoint, clock=lambda: now[0])
    exporter.export_now()
    receiver.next()
    assert exporter.wait(20) and exporter.failures == 1
    exporter.export_now()  # inside the backoff: skipped
    assert exporter.wait(20) and receiver.requests.empty()
    now[0] += BACKOFF_START_S
    exporter.export_now()
    receiver.next()
    assert exporter.wait(20) and exporter.failures == 2
    now[0] += BACKOFF_START_S  # the delay doubled: still waiting
    exporter.export_now()
    assert exporter.wait(20) and receiver.requests.empty()
    now[0] += BACKOFF_START_S
    exporter.export_now()
    receiver.next()
    assert exporter.wait(20) and exporter.failures == 0


@pytest.mark.parametrize(("endpoint", "url"), [
    ("http://collector:4318", "http://collector:4318/v1/metrics"),
    ("https://collector:4318/", "https://collector:4318/v1/metrics"),
    ("http://collector/otlp/v1/metrics", "http://collector/otlp/v1/metrics"),
])
def test_a_base_endpoint_gets_the_metrics_path(endpoint, url):
    assert metrics_url(endpoint) == url


@pytest.mark.parametrize("endpoint", ["collector:4318", "ftp://collector", "http://"])
def test_a_bad_endpoint_is_a_clear_error(endpoint):
    with pytest.raises(ValueError, match="bad OTLP endpoint"):
        OtlpExporter(CrewMetrics(), endpoint)
