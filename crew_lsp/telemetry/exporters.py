"""Where metrics go, behind one interface (docs/telemetry.md, Sinks).

Every exporter has ``export_now()`` — push the figures now; fast, never raises — and ``close()``.
The session schedules them (`export_periodically`: every 60 s while runs are active, and once when a
run ends); `CompositeExporter` puts several behind that interface and isolates a failing one.

- `JsonlSink`: ``{"exportedAt", "session", "metrics"}`` lines appended to ``<crewRoot>/state/metrics/<UTC date>.jsonl``,
  redacted; a new file each UTC day; files older than the retention removed. ``session`` (random,
  one per sink) tells a reader which lines are the same cumulative series (`crew-lsp metrics`). File I/O: call it from
  a worker thread (`export_periodically` does).
- `PrometheusServer`: ``/metrics`` over HTTP for a scraper (pull: ``export_now`` has nothing to do).
- `OtlpExporter` (`crew_lsp.telemetry.otlp`): OTLP/HTTP to a collector, in a background thread.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import secrets
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Awaitable, Callable, Iterable, Protocol

import anyio

from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.redact import redact
from crew_lsp.telemetry.snapshot import snapshot

log = logging.getLogger("crew_lsp.telemetry")

EXPORT_INTERVAL_S = 60.0
DEFAULT_RETENTION_DAYS = 7
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl$")


class Exporter(Protocol):
    name: str

    def export_now(self) -> None:
        """Send or write the current figures; never raises, and never blocks on the network."""

    def close(self) -> None:
        """Release what the exporter holds (sockets, threads); idempotent."""


class CompositeExporter:
    """Several exporters as one: each call reaches every exporter, and one that raises is logged
    (once until it works again) without keeping the others from their work."""

    name = "composite"

    def __init__(self, exporters: Iterable[Exporter]):
        self.exporters = list(exporters)
        self._failing: set[str] = set()

    def _each(self, action: str) -> None:
        for exporter in self.exporters:
            try:
                getattr(exporter, action)()
            except Exception as exc:  # isolation is the point: one broken exporter stops nothing else
                if exporter.name not in self._failing:
                    self._failing.add(exporter.name)
                    log.warning("metrics exporter %s failed (%s): %s", exporter.name, action, exc)
            else:
                self._failing.discard(exporter.name)

    def export_now(self) -> None:
        self._each("export_now")

    def close(self) -> None:
        self._each("close")


async def export_periodically(exporter: Exporter, runs_active: Callable[[], bool],
                              interval_s: float = EXPORT_INTERVAL_S,
                              sleep: Callable[[float], Awaitable[None]] = anyio.sleep) -> None:
    """Call ``exporter.export_now()`` (in a worker thread) every ``interval_s`` while
    ``runs_active()`` says so; run it in the session's task group and cancel it at shutdown. The
    export at a run's end is the session's own call (from the run's final update)."""
    while True:
        await sleep(interval_s)
        if runs_active():
            await anyio.to_thread.run_sync(exporter.export_now)


# --- JSONL ------------------------------------------------------------------------------------


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def iso_utc(ts: float) -> str:
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class JsonlSink:
    """Appends one redacted JSON line per export. A failed write (a full disk, a read-only or
    missing folder, a symlink planted at the file) logs one warning until a write works again and
    never raises: metrics must never fail a run. ``clock`` gives the time (seconds since the epoch)."""

    name = "jsonl"

    def __init__(self, metrics: CrewMetrics, crew_root: str | Path, retention_days: int = DEFAULT_RETENTION_DAYS,
                 clock: Callable[[], float] = time.time):
        if retention_days < 1:
            raise ValueError(f"metric retention must be at least 1 day, not {retention_days}")
        self.metrics = metrics
        self.crew_root = Path(crew_root)
        self.folder = self.crew_root / "state" / "metrics"
        self.retention_days = retention_days
        self.clock = clock
        self.session = secrets.token_hex(6)
        self._pruned_day: str | None = None
        self._warned = False
        self._lock = threading.Lock()  # a periodic export and a run-end export may overlap

    def path_for(self, ts: float) -> Path:
        return self.folder / f"{_utc(ts):%Y-%m-%d}.jsonl"

    def export_now(self) -> None:
        now = self.clock()
        self.append({"exportedAt": iso_utc(now), "session": self.session, "metrics": snapshot(self.metrics.registry)}, now)

    def append(self, record: dict, now: float | None = None) -> bool:
        """Write ``record`` (redacted) as one line of the day's file; False when it could not be written."""
        now = self.clock() if now is None else now
        line = (json.dumps(redact(record), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            try:
                self._write(self.path_for(now), line)
                self._prune(now)
            except OSError as exc:
                if not self._warned:
                    self._warned = True
                    log.warning("could not write metrics to %s: %s (metrics export continues to be attempted)",
                                self.folder, exc.strerror or exc)
                return False
            self._warned = False
            return True

    def close(self) -> None:
        """Nothing is held open between exports."""

    def _write(self, path: Path, line: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        root = self.crew_root.resolve()
        if not self.folder.resolve().is_relative_to(root):  # a symlinked state/ or metrics/ leading elsewhere
            raise OSError(errno.EXDEV, f"the metrics folder leaves the crew root {root}")
        # never through a symlink planted at the file, never blocking on a planted FIFO
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(path))
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def _prune(self, now: float) -> None:
        """Once per UTC day: remove the day files dated more than ``retention_days`` before today."""
        today = f"{_utc(now):%Y-%m-%d}"
        if self._pruned_day == today:
            return
        self._pruned_day = today
        oldest_kept = f"{_utc(now) - timedelta(days=self.retention_days):%Y-%m-%d}"
        for entry in os.scandir(self.folder):
            match = _DAY_FILE.match(entry.name)
            if match and match.group(1) < oldest_kept and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass  # another session pruned it first


def read_jsonl(folder: str | Path, since: float | None = None) -> list[dict]:
    """The records of a metrics folder, oldest first, from the day of ``since`` on (torn or foreign
    lines are skipped): what `crew-lsp metrics --since` reads back."""
    folder = Path(folder)
    first_day = f"{_utc(since):%Y-%m-%d}" if since is not None else ""
    out: list[dict] = []
    try:
        names = sorted(e.name for e in os.scandir(folder) if _DAY_FILE.match(e.name) and e.is_file(follow_symlinks=False))
    except OSError:
        return out
    for name in names:
        if name[:10] < first_day:
            continue
        try:
            text = (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("metrics"), list):
                out.append(record)
    return out


# --- Prometheus over HTTP ---------------------------------------------------------------------


class MetricsServeError(RuntimeError):
    """``/metrics`` could not be served (port in use, unknown host, bad address)."""


def parse_serve_address(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``PORT``, ``HOST:PORT`` or ``[IPv6]:PORT`` → (host, port); the host defaults to loopback."""
    value = text.strip()
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = default_host, value
    elif host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise MetricsServeError(f"bad metrics address {text!r}: write an IPv6 host in brackets, e.g. [::1]:9464")
    if not host:
        host = default_host
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise MetricsServeError(f"bad metrics address {text!r}: expected [HOST:]PORT with a port from 0 to 65535")
    return host, int(port)


class PrometheusServer:
    """``/metrics`` of one session's registry, served by prometheus_client's WSGI server in a
    daemon thread. Port 0 picks a free port (see ``port``)."""

    name = "prometheus"

    def __init__(self, metrics: CrewMetrics, host: str = "127.0.0.1", port: int = 9464):
        from prometheus_client import start_http_server

        try:
            self._server, self._thread = start_http_server(port, addr=host, registry=metrics.registry)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise MetricsServeError(f"cannot serve /metrics on {host}:{port}: the port is already in use "
                                        "(choose another with metrics.serve / --serve)") from exc
            raise MetricsServeError(f"cannot serve /metrics on {host}:{port}: {exc.strerror or exc}") from exc
        self.host = host
        self.port = self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def export_now(self) -> None:
        """A scraper pulls: nothing to push."""

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(timeout=5)
