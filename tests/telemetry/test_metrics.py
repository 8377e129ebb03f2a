"""The metric set of a session, its bounded labels, and the JSON snapshot with its quantiles (docs/telemetry.md)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Histogram

from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import estimate_quantile, exposition, render, snapshot


def series(snap: list[dict], name: str) -> list[dict]:
    found = [m for m in snap if m["name"] == name]
    assert found, f"{name} missing from the snapshot"
    return found[0]["series"]


def value(snap: list[dict], name: str, **labels: str) -> float | None:
    for s in series(snap, name):
        if s["labels"] == labels:
            return s["value"] if "value" in s else s["count"]
    return None


SPEC_METRICS = {
    "crew_runs_total": "counter", "crew_run_duration_seconds": "histogram", "crew_tasks_total": "counter",
    "crew_task_duration_seconds": "histogram", "crew_task_tokens": "histogram", "crew_task_retry_attempts_total": "counter",
    "crew_task_deadletter_total": "counter", "crew_heartbeat_level": "gauge", "crew_heartbeat_max_staleness_seconds": "gauge",
    "crew_active_runs": "gauge", "crew_lsp_request_seconds": "histogram", "crew_lsp_documents": "gauge",
    "crew_task_metric": "gauge", "crew_task_metric_dropped_total": "counter",
}


def test_a_session_exposes_the_full_metric_set_with_prometheus_names_and_types():
    snap = snapshot(CrewMetrics().registry)
    assert {m["name"]: m["type"] for m in snap} == SPEC_METRICS


def test_two_sessions_in_one_process_keep_separate_registries_and_never_touch_the_global_one():
    first, second = CrewMetrics(), CrewMetrics()
    first.run_started("r1")
    first.run_ended("r1", "completed", "default", 3.0)
    first.task_ended("completed", "executor", 1.0)
    assert value(snapshot(first.registry), "crew_runs_total", status="completed") == 1
    assert series(snapshot(second.registry), "crew_runs_total") == []
    assert series(snapshot(second.registry), "crew_tasks_total") == []
    assert REGISTRY.get_sample_value("crew_runs_total", {"status": "completed"}) is None


def test_task_metric_keeps_the_last_value_per_name_and_counts_values_of_names_past_the_cap():
    m = CrewMetrics(task_metric_cap=2)
    m.task_metric_value("coverage", 80.0)
    m.task_metric_value("tests", 40.0)
    m.task_metric_value("coverage", 81.5)  # another task (or a later line): the last value wins
    m.task_metric_value("third", 1.0)  # past the cap: dropped, counted
    m.task_metric_value("fourth", 2.0)
    snap = snapshot(m.registry)
    assert {s["labels"]["name"]: s["value"] for s in series(snap, "crew_task_metric")} == {"coverage": 81.5, "tests": 40.0}
    assert value(snap, "crew_task_metric_dropped_total") == 2


def test_run_ended_counts_the_status_observes_the_duration_per_team_and_leaves_the_active_gauge():
    m = CrewMetrics()
    m.run_started("r1")
    m.run_started("r1")  # a repeated start (a listener seeing run.running twice) counts once
    m.run_started("r2")
    assert value(snapshot(m.registry), "crew_active_runs") == 2
    m.run_ended("r1", "failed", "review", 30.0)
    m.run_ended("r-elsewhere", "cancelled", None, None)  # ended by another process: not active here
    snap = snapshot(m.registry)
    assert value(snap, "crew_active_runs") == 1
    assert value(snap, "crew_runs_total", status="failed") == 1
    assert value(snap, "crew_runs_total", status="cancelled") == 1
    assert value(snap, "crew_run_duration_seconds", team="review") == 1
    assert value(snap, "crew_run_duration_seconds", team="unknown") is None  # no duration, no observation


def test_task_ended_counts_per_status_and_role_and_observes_duration_and_tokens_when_known():
    m = CrewMetrics()
    m.task_ended("completed", "executor", 2.0, 1500)
    m.task_ended("skipped", "executor")  # never started: counted, no duration
    m.task_ended("exploded", "executor", 1.0)  # not a task status: `other`
    snap = snapshot(m.registry)
    assert value(snap, "crew_tasks_total", status="completed", role="executor") == 1
    assert value(snap, "crew_tasks_total", status="skipped", role="executor") == 1
    assert value(snap, "crew_tasks_total", status="other", role="executor") == 1
    assert value(snap, "crew_task_duration_seconds", role="executor") == 2
    assert value(snap, "crew_task_tokens", role="executor") == 1


def test_open_ended_labels_fold_into_other_past_the_cap():
    m = CrewMetrics(label_cap=3)
    for i in range(10):
        m.task_ended("completed", f"role-{i}", 0.1)
        m.request(f"textDocument/method{i}", 0.001)
    roles = {s["labels"]["role"] for s in series(snapshot(m.registry), "crew_tasks_total")}
    methods = {s["labels"]["method"] for s in series(snapshot(m.registry), "crew_lsp_request_seconds")}
    assert roles == {"role-0", "role-1", "role-2", "other"}
    assert methods == {"textDocument/method0", "textDocument/method1", "textDocument/method2", "other"}
    assert value(snapshot(m.registry), "crew_tasks_total", status="completed", role="other") == 7


def test_a_label_value_is_escaped_in_the_exposition_and_a_secret_in_it_is_redacted():
    m = CrewMetrics()
    m.task_ended("completed", 'a"b\\', 0.1)
    m.task_ended("completed", "auth_token=secret", 0.1)
    text = exposition(m.registry)
    assert 'role="a\\"b\\\\"' in text
    assert "secret" not in text.replace("crew_task_", "") and 'role="auth_token=***"' in text


def test_heartbeat_levels_set_every_level_and_the_largest_staleness():
    m = CrewMetrics()
    snap = snapshot(m.registry)
    assert {s["labels"]["level"]: s["value"] for s in series(snap, "crew_heartbeat_level")} == {
        "healthy": 0, "warn": 0, "stale": 0, "dead": 0}
    m.heartbeat_levels({"healthy": 2, "stale": 1}, 75.5)
    snap = snapshot(m.registry)
    assert {s["labels"]["level"]: s["value"] for s in series(snap, "crew_heartbeat_level")} == {
        "healthy": 2, "warn": 0, "stale": 1, "dead": 0}
    assert value(snap, "crew_heartbeat_max_staleness_seconds") == 75.5


def test_retries_deadletters_and_documents():
    m = CrewMetrics()
    m.retry()
    m.retry()
    m.deadletter("max-retries")
    m.deadletter("made-up")
    m.documents(4)
    snap = snapshot(m.registry)
    assert value(snap, "crew_task_retry_attempts_total") == 2
    assert value(snap, "crew_task_deadletter_total", reason="max-retries") == 1
    assert value(snap, "crew_task_deadletter_total", reason="other") == 1
    assert value(snap, "crew_lsp_documents") == 4


# --- quantiles -----------------------------------------------------------------------------------


def known_histogram() -> CollectorRegistry:
    """Buckets 1, 2, 5: four values in (0, 1], four in (1, 2], two in (2, 5]."""
    registry = CollectorRegistry()
    h = Histogram("known_seconds", "known data", buckets=(1, 2, 5), registry=registry)
    for v in (0.2, 0.4, 0.6, 0.8, 1.2, 1.4, 1.6, 1.8, 3.0, 4.0):
        h.observe(v)
    return registry


def test_quantiles_interpolate_linearly_inside_the_bucket_holding_the_rank():
    (entry,) = snapshot(known_histogram())[0]["series"]
    assert entry["count"] == 10 and entry["sum"] == pytest.approx(15.0)
    assert entry["buckets"] == {"1.0": 4, "2.0": 8, "5.0": 10, "+Inf": 10}
    # p50: rank 5 is the 1st of 4 in (1, 2] → 1 + 1·(5−4)/4
    assert entry["p50"] == pytest.approx(1.25)
    # p95: rank 9.5 is 1.5 of 2 into (2, 5] → 2 + 3·1.5/2;  p99: rank 9.9 → 2 + 3·1.9/2
    assert entry["p95"] == pytest.approx(4.25)
    assert entry["p99"] == pytest.approx(4.85)


def test_a_rank_in_the_inf_bucket_answers_the_largest_finite_bound_and_an_empty_series_has_no_quantiles():
    assert estimate_quantile(0.5, [(1.0, 0), (5.0, 0), (float("inf"), 3)]) == 5.0
    assert estimate_quantile(0.5, [(1.0, 0), (float("inf"), 0)]) is None
    assert estimate_quantile(0.5, []) is None


def test_the_filter_is_a_glob_on_metric_names_in_both_formats():
    m = CrewMetrics()
    m.task_ended("completed", "executor", 0.1)
    names = [x["name"] for x in snapshot(m.registry, "crew_task_*")]
    # `crew_tasks_total` does not match `crew_task_*` (the `s`): a glob, not a prefix test
    assert set(names) == {"crew_task_duration_seconds", "crew_task_tokens", "crew_task_retry_attempts_total",
                          "crew_task_deadletter_total", "crew_task_metric", "crew_task_metric_dropped_total"}
    text = render(m.registry, "crew_tasks_total", "prometheus")
    assert 'crew_tasks_total{role="executor",status="completed"} 1.0' in text
    assert "crew_runs_total" not in text and "crew_task_duration_seconds" not in text
    assert [x["name"] for x in render(m.registry, "crew_lsp_*")] == ["crew_lsp_request_seconds", "crew_lsp_documents"]


def test_an_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown metrics format 'xml'"):
        render(CrewMetrics().registry, None, "xml")
