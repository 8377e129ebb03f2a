"""Diagnostics: push (`publishDiagnostics`) for every indexed reported file, document pull for open ones.

The hot path (keystroke → publish) is: `mark(paths)` → one callback → re-check only the marked
paths → serialise each set once → publish only the sets whose hash changed. The callback runs on the
next loop turn (leading edge), except while a document is being typed in — a change less than
`diagnostics.delayMs` after its previous change — when it waits for `delayMs` of quiet (trailing
edge: the end of a burst always publishes the final text). Large batches (cold start, a settings
change) run as a task that yields to the event loop every few milliseconds so requests stay answered.

Push and pull never overlap for one document: when the client pulls (it declared
`textDocument.diagnostic`), open documents are served by `textDocument/diagnostic` and their pushed
set is cleared; closed files keep being pushed (workspace pull is deliberately not offered).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from lsprotocol import types as T

from crew_lsp.server.convert import diagnostic_dict, dumps

if TYPE_CHECKING:
    import cattrs

    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.server.profile import ClientProfile
    from crew_lsp.server.project import Project
    from crew_lsp.server.settings import Settings
    from crew_lsp.server.convert import Uris

log = logging.getLogger(__name__)

SYNC_BATCH = 64  # at most this many paths are checked inline; more run as a yielding task
SLICE_S = 0.008  # a batch task gives the loop back after this much work
EMPTY_KEY = hash("[]")
# a publishDiagnostics message around a set already serialised for its hash (`dumps`: ASCII JSON)
_PUBLISH = '{"jsonrpc":"2.0","method":"%s","params":{"uri":%%s,"diagnostics":%%s}}' % T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
_SESSION = os.urandom(4).hex()


@dataclass(slots=True, frozen=True)
class Checked:
    diags: list[Diagnostic]
    items: list[dict[str, Any]]
    key: int


# most files have no diagnostics: they all share one (read-only) result instead of three objects each
NO_DIAGNOSTICS = Checked([], [], EMPTY_KEY)


class Host(Protocol):
    """What the publisher needs of the session (session.py), which owns it."""

    loop: asyncio.AbstractEventLoop | None
    docs: dict[str, Any]
    project: Project
    uris: Uris
    client: ClientProfile
    settings: Settings
    severity_overrides: dict[str, str] | None
    converter: cattrs.Converter

    def notify(self, method: str, params: dict[str, Any]) -> None: ...

    def send_bodies(self, bodies: list[str]) -> None: ...

    def log_error(self, context: str, exc: BaseException | None) -> None: ...

    def refresh_pull_diagnostics(self) -> None: ...


class Publisher:
    def __init__(self, session: Host):
        self.session = session
        self.dirty: set[str] = set()
        self._force: set[str] = set()  # publish even when unchanged (a document just opened)
        self._edited: set[str] = set()  # documents the client changed since the last flush (it re-pulls them)
        self._cache: dict[str, Checked] = {}
        self._pushed: dict[str, int] = {}  # path → key of the set the client holds (absent = empty)
        self._recent: set[str] = set()  # marked since the last flush
        self._handle: asyncio.Handle | None = None
        self._handle_is_prompt = False  # the queued callback runs on the next loop turn (not a burst's timer)
        self._typed_at: dict[str, float] = {}  # open document → loop time of its last change
        self._task: asyncio.Task | None = None
        self._again = False
        self.publish_count = 0
        self._outbox: list[str] = []  # publish messages of the current round, written together (`_deliver`)
        self.enabled = False  # set once the first index is loaded (`start`)
        self._waiting: dict[Any, set[str]] = {}  # folder still loading → paths marked meanwhile

    # ------------------------------------------------------------ scheduling

    def start(self) -> None:
        """An index is loaded: from now on marked paths are checked and published."""
        self.enabled = True

    def waiting_for(self, folder: Any) -> set[str]:
        """The paths marked while `folder` was loading (they are the caller's to mark again)."""
        return self._waiting.pop(folder, set())

    def mark(self, paths: Iterable[str], *, republish: Iterable[str] = (), typed: str | None = None) -> None:
        """Queue paths for a re-check; those in `republish` are published once even when unchanged
        (a document just opened: the client holds nothing for it yet). `typed`: the open document
        whose change caused this (its burst of changes is coalesced)."""
        self._force.update(republish)
        paths = set(paths)
        if not paths:
            return
        self.dirty.update(paths)
        self._recent.update(paths)
        self.schedule(in_burst=typed is not None and self._in_burst(typed))

    def edited(self, path: str) -> None:
        """The client changed this document: it pulls the new diagnostics itself (no refresh request)."""
        self._edited.add(path)

    def _in_burst(self, path: str) -> bool:
        """Whether this change of `path` follows its previous one by less than `diagnostics.delayMs`."""
        loop = self.session.loop
        if loop is None:
            return False
        now = loop.time()
        previous = self._typed_at.pop(path, None)
        if len(self._typed_at) >= 256:  # only recent changes matter: forget the others
            self._typed_at.clear()
        self._typed_at[path] = now
        return previous is not None and now - previous < self.session.settings.diagnostics.delayMs / 1000.0

    def known(self) -> set[str]:
        """Every path with a checked or published set."""
        return set(self._cache) | set(self._pushed)

    def schedule(self, in_burst: bool = False) -> None:
        """Check what is marked on the next loop turn; within a burst of typing, `delayMs` after it."""
        if not self.enabled:
            return
        loop = self.session.loop
        if loop is None:
            return
        if self._handle is not None and self._handle_is_prompt:
            return  # queued for the next loop turn: it takes these paths too
        if in_burst:  # (re)start the burst's timer: it fires once typing pauses
            self._queue(loop.call_later(self.session.settings.diagnostics.delayMs / 1000.0, self._flush), prompt=False)
        else:  # a burst's pending timer gives way: this flush takes its paths too
            self._queue(loop.call_soon(self._flush), prompt=True)

    def _queue(self, handle: asyncio.Handle, prompt: bool) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._handle_is_prompt = handle, prompt

    def _flush(self) -> None:
        self._handle = None
        recent, self._recent = self._recent, set()
        if self._task is not None and not self._task.done():
            # a long batch is running (cold start, a settings change): what was just edited goes first
            urgent = [p for p in recent if p in self.dirty]
            if len(urgent) <= SYNC_BATCH:
                try:
                    self._run(urgent)
                except Exception as exc:
                    self.session.log_error("publishing diagnostics failed", exc)
            else:
                self._again = True
            return
        if len(self.dirty) <= SYNC_BATCH:
            try:
                self._run(list(self.dirty))
            except Exception as exc:  # never let a check bug kill the loop callback
                self.session.log_error("publishing diagnostics failed", exc)
            return
        self._task = asyncio.ensure_future(self._flush_batches())

    async def _flush_batches(self) -> None:
        try:
            while self.dirty:
                # open documents first (no sort of the rest: at 50,000 files one sort is a stall of its
                # own); paths marked again meanwhile are picked up by the next round
                docs = self.session.docs
                order = [p for p in docs if p in self.dirty] + [p for p in self.dirty if p not in docs]
                start = time.perf_counter()
                for i in range(0, len(order), 16):
                    batch = [p for p in order[i:i + 16] if p in self.dirty]
                    if batch:
                        self._run(batch)
                    if time.perf_counter() - start > SLICE_S:
                        await asyncio.sleep(0)
                        start = time.perf_counter()
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.session.log_error("publishing diagnostics failed", exc)
        finally:
            if self._again or self.dirty:
                self._again = False
                self.schedule()

    async def idle(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until nothing is scheduled or being published."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            task = self._task
            if task is not None and not task.done():
                await asyncio.wait([task], timeout=max(0.0, deadline - time.monotonic()))
            elif self._handle is not None or (self.dirty and self.enabled):
                await asyncio.sleep(0.005)
            else:
                return

    # ------------------------------------------------------------ checking

    def _check(self, path: str) -> tuple[Checked | None, str]:
        """Current diagnostics of a path (None when the path is no file we report), and their JSON."""
        from crew_lsp.checks import check_resource  # loaded with the first index, not to answer initialize

        session = self.session
        found = session.project.resource(path)
        if found is None:
            return None, "[]"
        folder, res = found
        if not (path in session.docs or folder.reported(path)):
            return None, "[]"
        try:
            diags = check_resource(res, folder.snapshot, session.severity_overrides)  # one CREW114 for a file not read
        except Exception as exc:
            session.log_error(f"checking {os.path.basename(path)} failed", exc)
            diags = []
        if not diags:
            return NO_DIAGNOSTICS, "[]"
        client, uris = session.client, session.uris
        items = [diagnostic_dict(d, client, uris) for d in diags]
        text = dumps(items)  # serialised once: hashed here, sent as it is
        return Checked(diags, items, hash(text)), text

    def _run(self, paths: list[str]) -> None:
        refresh = False
        try:
            for path in paths:
                folder = self.session.project.owner(path)
                if folder is not None and not folder.ready.is_set():
                    self.dirty.discard(path)  # its folder is still loading: marked again once it is ready
                    self._waiting.setdefault(folder, set()).add(path)
                    continue
                before = self._cache.get(path)
                checked = self._update(path)
                if (self.pulled(path) and path not in self._edited and checked is not None
                        and before is not None and before.key != checked.key):
                    refresh = True  # an open document the client pulled changed because of another file
        finally:
            self._deliver()
        self._edited.clear()
        if refresh:
            self.session.refresh_pull_diagnostics()

    def _update(self, path: str) -> Checked | None:
        """Check a path again; what it publishes waits in the outbox (`_deliver`)."""
        self.dirty.discard(path)
        checked, text = self._check(path)
        if checked is None:
            self._cache.pop(path, None)
        else:
            self._cache[path] = checked
        self._maybe_push(path, checked, text)
        return checked

    def current(self, path: str) -> Checked | None:
        """Up-to-date diagnostics of a path (checks now when it is marked dirty)."""
        if path in self.dirty or path not in self._cache:
            try:
                return self._update(path)
            finally:
                self._deliver()
        return self._cache[path]

    # ------------------------------------------------------------ push

    def pulled(self, path: str) -> bool:
        return self.session.client.pull and path in self.session.docs

    def _maybe_push(self, path: str, checked: Checked | None, text: str) -> None:
        forced = path in self._force
        self._force.discard(path)
        if checked is None:
            if self._pushed.pop(path, EMPTY_KEY) != EMPTY_KEY or forced:
                self._send(path, "[]")
            return
        if self.pulled(path):
            if self._pushed.pop(path, EMPTY_KEY) != EMPTY_KEY:
                self._send(path, "[]")  # the pull report replaces what was pushed while closed
            return
        if forced or self._pushed.get(path, EMPTY_KEY) != checked.key:
            if checked.key == EMPTY_KEY:
                self._pushed.pop(path, None)
            else:
                self._pushed[path] = checked.key
            self._send(path, text)

    def publish_cached(self, path: str, diags: list[Diagnostic]) -> bool:
        """Diagnostics not checked here (server/cached_diagnostics.py): sent now unless the document is
        open, the client holds a set or the path was checked here already; a check re-sends only a set
        that differs."""
        if not diags or path in self._pushed or path in self.session.docs or path in self._cache:
            return False
        text = dumps([diagnostic_dict(d, self.session.client, self.session.uris) for d in diags])
        self._pushed[path] = hash(text)
        self._send(path, text)
        return True

    def settled(self) -> dict[str, Checked] | None:
        """Every checked set by path, when nothing is waiting to be checked (else None)."""
        if self.dirty or self._handle is not None or (self._task is not None and not self._task.done()):
            return None
        return dict(self._cache)

    def clear(self, path: str) -> None:
        """Forget a path entirely (deleted, or no longer part of any folder)."""
        self._cache.pop(path, None)
        if self._pushed.pop(path, EMPTY_KEY) != EMPTY_KEY:
            self._send(path, "[]")
            self._deliver()

    def _send(self, path: str, diagnostics: str) -> None:
        """Queue a publish of `diagnostics` (a JSON array from `dumps`): written by the caller's `_deliver`,
        at the latest on the next loop turn."""
        self.publish_count += 1
        if not self._outbox and self.session.loop is not None:
            self.session.loop.call_soon(self._deliver)
        self._outbox.append(_PUBLISH % (json.dumps(self.session.uris.uri(path)), diagnostics))
        if self.session.loop is None:
            self._deliver()

    def _deliver(self) -> None:
        """Write the queued publishes in one go: at cold start thousands of them, one write each cost
        more than building them."""
        if self._outbox:
            bodies, self._outbox = self._outbox, []
            self.session.send_bodies(bodies)

    # ------------------------------------------------------------ pull

    def report(self, path: str | None, previous: str | None) -> T.DocumentDiagnosticReport:
        checked = self.current(path) if path else None
        if checked is None:
            items: list[dict[str, Any]] = []
            key = EMPTY_KEY
        else:
            items, key = checked.items, checked.key
        result_id = f"{_SESSION}-{key & 0xFFFFFFFFFFFF:x}"
        if previous == result_id:
            return T.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        converter = self.session.converter
        return T.RelatedFullDocumentDiagnosticReport(
            items=[converter.structure(i, T.Diagnostic) for i in items], result_id=result_id
        )
