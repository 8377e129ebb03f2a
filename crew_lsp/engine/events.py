"""``events.jsonl``: the ordered, redacted history of a run (docs/runs.md, State on disk).

``seq`` is strictly increasing across restarts: the sidecar ``events.jsonl.seq`` holds the last one,
and the tail of the log is checked too in case a crash hit between the append and the sidecar.
A torn last line (crash mid-write) is skipped by readers, and the next writer starts a fresh line
so the log never stays broken. Past 5 MB the file is rewritten with the newest 1,000 events.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from crew_lsp.engine.model import TERMINAL_EVENTS, RunEvent, now_iso
from crew_lsp.engine.state import append_bytes, atomic_write_bytes
from crew_lsp.resources.jsonread import loads
from crew_lsp.telemetry.redact import redact

ROTATE_BYTES = 5 * 1024 * 1024
KEEP_EVENTS = 1000


def fingerprint(type_: str, run_id: str, task_id: str | None, data: object) -> str:
    blob = json.dumps([type_, run_id, task_id, data], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _parse(line: bytes) -> dict | None:
    try:
        value = loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _last_seq_in(path: Path) -> int:
    """The seq of the last complete line (reads only the tail)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            tail = f.read()
    except OSError:
        return 0
    for line in reversed(tail.split(b"\n")):
        value = _parse(line) if line.strip() else None
        if value is not None:
            meta = value.get("metadata")
            if isinstance(meta, dict) and isinstance(meta.get("seq"), int):
                return meta["seq"]
    return 0


class EventLog:
    """Appends events of one run. Not thread-safe: one writer (the run's recorder) at a time."""

    def __init__(self, path: Path):
        self.path = path
        self.seq_path = path.with_name(path.name + ".seq")
        self.seq = max(self._sidecar(), _last_seq_in(path))
        self._needs_newline = self._ends_torn()

    def _sidecar(self) -> int:
        try:
            return int(self.seq_path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def _ends_torn(self) -> bool:
        try:
            with open(self.path, "rb") as f:
                f.seek(0, os.SEEK_END)
                if f.tell() == 0:
                    return False
                f.seek(-1, os.SEEK_END)
                return f.read(1) != b"\n"
        except OSError:
            return False

    def make(
        self, type_: str, run_id: str, task_id: str | None = None, message: str | None = None,
        data: dict | None = None, **metadata: object,
    ) -> RunEvent:
        """A new event with the next seq (not yet written)."""
        self.seq += 1
        meta = {"seq": self.seq, **{k: v for k, v in metadata.items() if v is not None}}
        data = redact(data) if data is not None else None
        message = redact(message) if message is not None else None
        if type_ in TERMINAL_EVENTS:
            meta["fingerprint"] = fingerprint(type_, run_id, task_id, data)
        return RunEvent(now_iso(), type_, run_id, self.seq, task_id, message, data, meta)

    def write(self, events: list[RunEvent]) -> None:
        """Append events (already redacted by ``make``) and advance the sidecar."""
        if not events:
            return
        body = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in events)
        if self._needs_newline:
            body = "\n" + body  # isolate a torn line left by a crash
            self._needs_newline = False
        size = append_bytes(self.path, body.encode())
        self._write_seq(events[-1].seq)
        if size > ROTATE_BYTES:
            self.rotate()

    def _write_seq(self, seq: int) -> None:
        """Overwrite the sidecar in place with a fixed-width number: never empty, never half a number,
        and cheaper than a rename per batch (readers also check the log's tail)."""
        fd = os.open(self.seq_path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.pwrite(fd, f"{seq:>19}\n".encode(), 0)
        finally:
            os.close(fd)

    def rotate(self) -> None:
        events = read_events(self.path)
        keep = events[-KEEP_EVENTS:]
        body = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in keep)
        atomic_write_bytes(self.path, body.encode())


def read_events(path: Path, since_seq: int = 0, limit: int | None = None) -> list[RunEvent]:
    """Events with seq > since_seq, oldest first; unparseable (torn) lines are skipped."""
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    out: list[RunEvent] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        value = _parse(line)
        if value is None:
            continue
        event = RunEvent.from_dict(value)
        if event.seq > since_seq:
            out.append(event)
            if limit is not None and len(out) >= limit:
                break
    return out
