"""``events.jsonl``: the ordered, redacted history of a run (docs/runs.md, State on disk).

``seq`` is strictly increasing across restarts: the sidecar ``events.jsonl.seq`` holds the last one,
and the tail of the log is checked too in case a crash hit between the append and the sidecar.
A torn last line (crash mid-write) or any line that is not an event is skipped by readers, and the
next writer starts a fresh line so the log never stays broken. Past 5 MB the file is rewritten with
the newest 1,000 events.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from pydantic import ValidationError

from crew_lsp.engine.model import TERMINAL_EVENTS, RunEvent, now_iso
from crew_lsp.engine.records import EVENT
from crew_lsp.engine.files import append_bytes, atomic_write_bytes, overwrite_start, read_regular
from crew_lsp.telemetry.redact import redact

log = logging.getLogger("crew_lsp.engine")
ROTATE_BYTES = 5 * 1024 * 1024
KEEP_EVENTS = 1000


def fingerprint(type_: str, run_id: str, task_id: str | None, data: object) -> str:
    blob = json.dumps([type_, run_id, task_id, data], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _parse(line: bytes) -> dict | None:
    """One event line, validated; None for a torn or foreign line."""
    try:
        return EVENT.validate_json(line)
    except ValidationError:
        return None


def _last_seq_in(path: Path) -> int:
    """The seq of the last complete line (reads only the tail)."""
    try:
        tail = read_regular(path, tail=65536)
    except OSError:
        return 0
    for line in reversed(tail.split(b"\n")):
        value = _parse(line) if line.strip() else None
        if value is not None:
            return value["metadata"]["seq"]
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
            return max(0, int(read_regular(self.seq_path, tail=64).strip() or 0))
        except (OSError, ValueError):
            return 0

    def _ends_torn(self) -> bool:
        try:
            last = read_regular(self.path, tail=1)
        except OSError:
            return False
        return last not in (b"", b"\n")

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
        try:
            size = append_bytes(self.path, body.encode())
        except OSError:
            self._needs_newline = True  # part of the batch may be on disk: the retry starts a fresh line
            raise
        self._needs_newline = False
        try:
            # a hint only (readers check the log's tail too), and rotation comes again at the next
            # write: with the events on disk, neither may turn this batch into a failed one
            self._write_seq(events[-1].seq)
            if size > ROTATE_BYTES:
                self.rotate()
        except OSError as exc:
            log.warning("events of %s written, but not their seq sidecar or rotation: %s", self.path, exc)

    def _write_seq(self, seq: int) -> None:
        """Overwrite the sidecar in place with a fixed-width number: never empty, never half a number,
        and cheaper than a rename per batch (readers also check the log's tail)."""
        overwrite_start(self.seq_path, f"{seq:>19}\n".encode())

    def rotate(self) -> None:
        events = read_events(self.path)
        keep = events[-KEEP_EVENTS:]
        body = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in keep)
        atomic_write_bytes(self.path, body.encode())


def read_events(path: Path, since_seq: int = 0, limit: int | None = None) -> list[RunEvent]:
    """Events with seq > since_seq, oldest first; unparseable (torn) lines are skipped."""
    try:
        raw = read_regular(path)
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
