"""The session's telemetry (docs/telemetry.md, In the editor): one registry, its sinks, `crew/metrics`.

`SessionMetrics` (``session.metrics``) owns the session's `CrewMetrics`, created once `initialize`
has been answered (`start`: prometheus_client is not loaded before). Until then the timings of the
handlers are kept in a short list and recorded when the registry exists.

- every LSP request and notification handler is timed (`timed`, applied where handlers are
  registered, app.py and features.py) into `crew_lsp_request_seconds{method}`; the open documents
  are `crew_lsp_documents`;
- every `RunManager` gets the engine's `MetricsListener` and this object's run listener right after
  it is created (`watch`): while runs are active, `crew/metrics {metrics: snapshot}` goes to a
  client that declared `experimental.crewNotifications` every `NOTIFY_S`, and the sinks export
  every `EXPORT_INTERVAL_S`; at each run end both happen once more;
- the sinks of a workspace folder: the JSONL files under `<crewRoot>/state/metrics/` (unless
  `telemetry.enabled` is false) and OTLP (`otlp.enabled` with an `endpoint`), behind one
  `CompositeExporter`, always called from a worker thread;
- `metrics.serve` serves `/metrics` (127.0.0.1 unless a host is given); a port in use is a
  `window/showMessage` error and the server goes on without it.

Where the settings come from: `telemetry.enabled` and `observability.metricRetentionDays` from the
editor settings, else the config files (the workspace's included, later wins); **OTLP only from
user-level sources** — the editor's `initializationOptions` and the user's config files under the
user root — never from the workspace's config files, so a cloned repository can neither name the
endpoint nor the headers your figures are sent with.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from lsprotocol import types as T

if TYPE_CHECKING:
    from crew_lsp.engine.manager import RunManager
    from crew_lsp.engine.recorder import RunUpdate
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.server.profile import ClientProfile
    from crew_lsp.server.settings import Settings
    from crew_lsp.telemetry.exporters import CompositeExporter, PrometheusServer
    from crew_lsp.telemetry.metrics import CrewMetrics

NOTIFY_S = 2.0  # crew/metrics while runs are active
EXPORT_INTERVAL_S = 60.0  # the sinks while runs are active
MAX_PENDING = 1000  # handler timings kept until the registry exists (the first seconds of a session)
DEFAULT_RETENTION_DAYS = 7


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    """What the sinks of one workspace folder do."""

    enabled: bool = True
    retention_days: int = DEFAULT_RETENTION_DAYS
    otlp_endpoint: str | None = None  # set only when OTLP is enabled
    otlp_headers: tuple[tuple[str, str], ...] = ()


def telemetry_config(ws: Workspace, settings: Settings) -> TelemetryConfig:
    """The telemetry settings of a folder: the editor settings first, then the merged config files
    (the engine's one merge, which ignores `otlp.*` in the workspace's files — see the module doc)."""
    from crew_lsp.engine.config import load_config

    cfg = load_config(ws, ws.reading.config())
    enabled = cfg.telemetry_enabled if settings.telemetry.enabled is None else settings.telemetry.enabled
    retention = cfg.metric_retention_days
    if settings.observability.metricRetentionDays is not None:
        retention = settings.observability.metricRetentionDays
    otlp = {"enabled": cfg.otlp.enabled, "endpoint": cfg.otlp.endpoint, "headers": dict(cfg.otlp.headers)}
    otlp.update(settings.otlp.model_dump(exclude_none=True))
    endpoint = otlp.get("endpoint") if otlp.get("enabled") is True else None
    if not (isinstance(endpoint, str) and endpoint.startswith(("http://", "https://"))):
        endpoint = None
    headers = otlp.get("headers") if endpoint and isinstance(otlp.get("headers"), dict) else {}
    return TelemetryConfig(
        enabled=enabled is not False,
        retention_days=retention if isinstance(retention, int) and not isinstance(retention, bool)
        and 1 <= retention <= 365 else DEFAULT_RETENTION_DAYS,
        otlp_endpoint=endpoint,
        otlp_headers=tuple(sorted((str(k), str(v)) for k, v in headers.items() if isinstance(v, str))),
    )


class Host(Protocol):
    """What the session's metrics need of the session (session.py), which owns them."""

    docs: dict[str, Any]
    client: ClientProfile
    settings: Settings

    def notify(self, method: str, params: dict[str, Any]) -> None: ...

    def notify_crew(self, method: str, params: dict[str, Any]) -> bool: ...

    def log(self, message: str, kind: T.MessageType = T.MessageType.Log) -> None: ...

    def log_error(self, context: str, exc: BaseException | None) -> None: ...

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task: ...


class SessionMetrics:
    def __init__(self, session: Host):
        self.session = session
        self.crew_metrics: CrewMetrics | None = None  # created by `start`, after `initialize` is answered
        self._pending: list[tuple[str, float]] = []
        self.http: PrometheusServer | None = None
        self._exporters: dict[Path, tuple[TelemetryConfig, CompositeExporter]] = {}
        self._exporters_lock = threading.Lock()
        self._otlp_problem_told = False
        self._active: dict[str, Workspace] = {}  # run id → the workspace of the manager running it
        self._loop: asyncio.Task | None = None

    # ------------------------------------------------------------ the registry

    def start(self) -> None:
        """Create the registry (idempotent) and serve `/metrics` when `metrics.serve` says so."""
        if self.crew_metrics is not None:
            return
        from crew_lsp.telemetry.metrics import CrewMetrics

        self.crew_metrics = CrewMetrics()
        for method, seconds in self._pending:
            self.crew_metrics.request(method, seconds)
        self._pending.clear()
        self.crew_metrics.documents(len(self.session.docs))
        self.serve(self.session.settings.metrics.serve)

    def request(self, method: str, seconds: float) -> None:
        if self.crew_metrics is not None:
            self.crew_metrics.request(method, seconds)
        elif len(self._pending) < MAX_PENDING:
            self._pending.append((method, seconds))

    def timed(self, method: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` (sync or async) with its time recorded under ``method``."""
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    self.request(method, time.perf_counter() - started)
            return timed_async

        @functools.wraps(fn)
        def timed_sync(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.request(method, time.perf_counter() - started)
        return timed_sync

    def documents_changed(self) -> None:
        if self.crew_metrics is not None:
            self.crew_metrics.documents(len(self.session.docs))

    def render(self, pattern: str | None, fmt: str) -> Any:
        """`crew.metrics`: ``{metrics: snapshot}`` or the exposition text."""
        from crew_lsp.telemetry.snapshot import render

        self.start()
        assert self.crew_metrics is not None
        rendered = render(self.crew_metrics.registry, pattern, fmt)
        return rendered if isinstance(rendered, str) else {"metrics": rendered}

    # ------------------------------------------------------------ /metrics over HTTP

    def serve(self, address: str | None) -> None:
        """Serve `/metrics` on ``address`` (`[HOST:]PORT`); a failure is told to the user, never raised."""
        if not address or self.crew_metrics is None:
            return
        from crew_lsp.telemetry.exporters import MetricsServeError, PrometheusServer, parse_serve_address

        try:
            self.http = PrometheusServer(self.crew_metrics, *parse_serve_address(address))
        except MetricsServeError as exc:
            self._show(T.MessageType.Error, f"crew-lsp: metrics.serve: {exc}")
            return
        self.session.log(f"crew-lsp: metrics served on {self.http.url}", T.MessageType.Info)

    def _show(self, kind: T.MessageType, message: str) -> None:
        from crew_lsp.server.errors import redact

        self.session.notify("window/showMessage", {"type": int(kind), "message": redact(message)})

    # ------------------------------------------------------------ runs

    def watch(self, manager: RunManager, ws: Workspace) -> None:
        """Listen to a new `RunManager`: the engine's metrics, `crew/metrics` and the sinks."""
        from crew_lsp.engine.metrics_listener import MetricsListener

        self.start()
        assert self.crew_metrics is not None
        manager.add_listener(MetricsListener(self.crew_metrics))
        manager.add_listener(lambda update: self._on_update(manager, ws, update))

    def _on_update(self, manager: RunManager, ws: Workspace, update: RunUpdate) -> None:
        """A run listener: O(1), never raises."""
        try:
            if update.final:
                if self._active.pop(update.run_id, None) is not None:
                    self.session.spawn(asyncio.to_thread(self._export, [ws]))
            elif update.run_id not in self._active and manager.is_active(update.run_id):
                self._active[update.run_id] = ws
                if self._loop is None:
                    self._loop = self.session.spawn(self._while_runs_active())
        except Exception as exc:
            self.session.log_error("metrics listener failed", exc)

    async def _while_runs_active(self) -> None:
        """`crew/metrics` every `NOTIFY_S` while runs are active, and once more after the last one
        ended (its final figures; never before the answer to the request that started a run); the
        sinks every `EXPORT_INTERVAL_S` (a run's end exports by itself)."""
        loop = asyncio.get_running_loop()
        exported = loop.time()
        try:
            while True:
                await asyncio.sleep(NOTIFY_S)
                self._send()
                if not self._active:
                    break
                if loop.time() - exported >= EXPORT_INTERVAL_S:
                    exported = loop.time()
                    await asyncio.to_thread(self._export, list({id(w): w for w in self._active.values()}.values()))
        finally:
            self._loop = None

    def _send(self) -> None:
        if self.crew_metrics is None or not self.session.client.crew_notifications:
            return
        from crew_lsp.telemetry.snapshot import snapshot

        self.session.notify_crew("crew/metrics", {"metrics": snapshot(self.crew_metrics.registry)})

    # ------------------------------------------------------------ sinks (worker threads only)

    def _export(self, workspaces: list[Workspace]) -> None:
        for ws in workspaces:
            self._exporter(ws).export_now()

    def _exporter(self, ws: Workspace) -> CompositeExporter:
        """The sinks of a folder, rebuilt when its telemetry settings changed."""
        config = telemetry_config(ws, self.session.settings)
        with self._exporters_lock:  # a periodic export and a run-end export may overlap
            return self._exporter_for(ws, config)

    def _exporter_for(self, ws: Workspace, config: TelemetryConfig) -> CompositeExporter:
        from crew_lsp.telemetry.exporters import CompositeExporter, JsonlSink

        known = self._exporters.get(ws.crew)
        if known is not None and known[0] == config:
            return known[1]
        assert self.crew_metrics is not None
        sinks: list[Any] = []
        if config.enabled:
            sinks.append(JsonlSink(self.crew_metrics, ws.crew, config.retention_days))
        if config.otlp_endpoint:
            otlp = self._otlp(config)
            if otlp is not None:
                sinks.append(otlp)
        exporter = CompositeExporter(sinks)
        if known is not None:
            known[1].close()
        self._exporters[ws.crew] = (config, exporter)
        return exporter

    def _otlp(self, config: TelemetryConfig) -> Any:
        from crew_lsp.telemetry.otlp import OtlpExporter, OtlpUnavailable

        assert self.crew_metrics is not None and config.otlp_endpoint is not None
        try:
            return OtlpExporter(self.crew_metrics, config.otlp_endpoint, dict(config.otlp_headers))
        except (OtlpUnavailable, ValueError) as exc:
            if not self._otlp_problem_told:  # once per session, not at every export
                self._otlp_problem_told = True
                self.session.log(f"crew-lsp: OTLP export is off: {exc}", T.MessageType.Warning)
            return None

    # ------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Stop serving `/metrics` and release the sinks (after the runs have stopped)."""
        if self._loop is not None:
            self._loop.cancel()
        for _, exporter in self._exporters.values():
            exporter.close()
        self._exporters.clear()
        http, self.http = self.http, None
        if http is not None:
            http.close()


__all__ = ["SessionMetrics", "TelemetryConfig", "telemetry_config"]
