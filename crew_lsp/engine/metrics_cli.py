"""`crew-lsp metrics` and the metrics of a `crew-lsp run` session (docs/telemetry.md, Command line).

    crew-lsp metrics [--cwd DIR] [--filter GLOB] [--format table|json|prometheus] [--since 7d]
                     [--serve [HOST:]PORT]

The figures of the runs of the crew root: the JSONL files when they have lines in the window, else
the run store's events replayed (engine/metrics_history.py). Exit codes: 0 shown (or served until
Ctrl-C), 2 usage error, unusable crew root, or an address that cannot be served.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any, AsyncIterator

EXIT_OK, EXIT_INVALID = 0, 2


def _path(value: str) -> str:
    from crew_lsp.engine.limits import MAX_PATH_CHARS, too_long

    problem = too_long(value, MAX_PATH_CHARS)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crew-lsp metrics", description="Run metrics: durations, tokens, retries, heartbeats.")
    p.add_argument("--cwd", default=".", type=_path, help="workspace folder (default: .)")
    p.add_argument("--filter", metavar="GLOB", help="only metrics whose name matches, e.g. 'crew_task_*'")
    p.add_argument("--format", choices=("table", "json", "prometheus"),
                   help="default: table on a terminal, json otherwise")
    p.add_argument("--since", metavar="SPAN", help="only the last SPAN (7d, 12h, 30m); default: all that is kept")
    p.add_argument("--serve", metavar="[HOST:]PORT", help="serve /metrics (127.0.0.1 unless HOST is given) until Ctrl-C")
    return p


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        since = None
        if args.since is not None:
            from crew_lsp.engine.metrics_history import parse_since

            try:
                since = time.time() - parse_since(args.since)
            except ValueError as exc:
                parser.error(f"argument --since: {exc}")
    except SystemExit as exc:
        return EXIT_OK if exc.code in (0, None) else EXIT_INVALID
    from pathlib import Path

    from crew_lsp.engine.state import RunStateError, RunStore
    from crew_lsp.resources.discovery import Workspace

    if not Path(args.cwd).is_dir():
        print(f"crew-lsp: no folder {args.cwd}", file=sys.stderr)
        return EXIT_INVALID
    ws = Workspace.discover(args.cwd)
    store = RunStore(ws.crew, ws.repo)
    try:
        store.check_root()
    except RunStateError as exc:
        print(f"crew-lsp: {exc}", file=sys.stderr)
        return EXIT_INVALID
    collector = _collector(ws.crew, store, since)
    if args.serve is not None:
        return _serve(collector, args.serve)
    fmt = args.format or ("table" if sys.stdout.isatty() else "json")
    from crew_lsp.telemetry.snapshot import exposition, snapshot

    if fmt == "prometheus":
        sys.stdout.write(exposition(collector, args.filter))
    elif fmt == "json":
        print(json.dumps(snapshot(collector, args.filter), indent=2))
    else:
        print_tables(snapshot(collector, args.filter))
    return EXIT_OK


def _collector(crew: Any, store: Any, since: float | None) -> Any:
    from crew_lsp.engine.metrics_history import SnapshotCollector, from_events, from_jsonl

    def load() -> list[dict]:
        history = from_jsonl(crew, since)
        return history if history is not None else from_events(store, since)

    return SnapshotCollector(load)


def _serve(collector: Any, address: str) -> int:
    from prometheus_client import CollectorRegistry

    from crew_lsp.telemetry.exporters import MetricsServeError, PrometheusServer, parse_serve_address

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    try:
        host, port = parse_serve_address(address)
        # PrometheusServer serves `.registry` and reads nothing else of a session's metrics
        server = PrometheusServer(SimpleNamespace(registry=registry), host, port)  # type: ignore[arg-type]
    except MetricsServeError as exc:
        print(f"crew-lsp: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"serving {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    # Ctrl-C and SIGTERM stop it even when started in the background, where a shell leaves SIGINT ignored
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


# --- the table ------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{int(value):,}"


def _labels(labels: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def print_tables(metrics: list[dict], out: Any = None) -> None:
    """Every series (count/sum/p50/p95/p99 for histograms, the value of counters and gauges), then
    the totals per team and per role."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out or sys.stdout)
    if not console.is_terminal:
        console.width = 160  # a pipe or a file: room for the metric names
    table = Table(title="crew metrics", title_justify="left")
    for column in ("metric", "labels", "value / count", "sum", "p50", "p95", "p99"):
        table.add_column(column, justify="left" if column in ("metric", "labels") else "right")
    for metric in metrics:
        for s in metric["series"]:
            if metric["type"] == "histogram":
                table.add_row(metric["name"], _labels(s["labels"]), _fmt(s["count"]), _fmt(s["sum"]),
                              _fmt(s["p50"]), _fmt(s["p95"]), _fmt(s["p99"]))
            else:
                table.add_row(metric["name"], _labels(s["labels"]), _fmt(s["value"]), "", "", "", "")
    console.print(table)
    by_name = {m["name"]: m["series"] for m in metrics}
    teams = Table(title="per team", title_justify="left")
    for column in ("team", "runs", "p50 s", "p95 s", "total s"):
        teams.add_column(column, justify="left" if column == "team" else "right")
    for s in by_name.get("crew_run_duration_seconds", []):
        teams.add_row(s["labels"].get("team", ""), _fmt(s["count"]), _fmt(s["p50"]), _fmt(s["p95"]), _fmt(s["sum"]))
    if teams.row_count:
        console.print(teams)
    roles = _per_role(by_name)
    if roles:
        table = Table(title="per role", title_justify="left")
        for column in ("role", "completed", "failed", "other", "p50 s", "p95 s", "tokens"):
            table.add_column(column, justify="left" if column == "role" else "right")
        for role, row in sorted(roles.items()):
            table.add_row(role, *(_fmt(row.get(k)) for k in ("completed", "failed", "other", "p50", "p95", "tokens")))
        console.print(table)


def _per_role(by_name: dict[str, list[dict]]) -> dict[str, dict]:
    roles: dict[str, dict] = {}
    for s in by_name.get("crew_tasks_total", []):
        row = roles.setdefault(s["labels"].get("role", ""), {"completed": 0, "failed": 0, "other": 0})
        status = s["labels"].get("status")
        row[status if status in ("completed", "failed") else "other"] += s["value"] or 0
    for s in by_name.get("crew_task_duration_seconds", []):
        row = roles.setdefault(s["labels"].get("role", ""), {})
        row["p50"], row["p95"] = s["p50"], s["p95"]
    for s in by_name.get("crew_task_tokens", []):
        roles.setdefault(s["labels"].get("role", ""), {})["tokens"] = s["sum"]
    return roles


# --- the metrics of a `crew-lsp run` session ------------------------------------------------


@asynccontextmanager
async def session_metrics(mgr: Any, tg: Any) -> AsyncIterator[None]:
    """While the block runs, the manager's runs are measured and written to the JSONL files every
    60 s (by a task in ``tg``, the command's task group) and once at the end — unless
    `telemetry.enabled` is false."""
    import anyio

    from crew_lsp.engine.config import load_config
    from crew_lsp.engine.metrics_listener import MetricsListener
    from crew_lsp.telemetry.exporters import JsonlSink, export_periodically
    from crew_lsp.telemetry.metrics import CrewMetrics

    cfg = await anyio.to_thread.run_sync(load_config, mgr.ws, mgr.ws.reading.config())
    if not cfg.telemetry_enabled:
        yield
        return
    metrics = CrewMetrics()
    sink = JsonlSink(metrics, mgr.store.check_root(), cfg.metric_retention_days)
    listener = MetricsListener(metrics)
    measured = False

    def measure(update: Any) -> None:
        nonlocal measured
        measured = True
        listener(update)

    periodic = anyio.CancelScope()

    async def export_while_running() -> None:
        with periodic:  # the block follows one run to its end: a run is active for as long as it lasts
            await export_periodically(sink, lambda: True)

    unsubscribe = mgr.add_listener(measure)
    tg.start_soon(export_while_running)
    try:
        yield
    finally:
        periodic.cancel()
        unsubscribe()
        if measured:  # a refused run (an invalid plan) measured nothing: no line
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(sink.export_now)
