"""A large folder's cold-start diagnostics from `crew-lsp check` in a child process (docs/architecture.md,
Cold start of a large folder).

Checking every file of a large folder in the server would need every file parsed and kept whole
(or parsed twice), and one core. `crew-lsp check` checks it on every core and exits, giving its
memory back; meanwhile the server indexes the folder compacted (`load_folder(compact=True)`). The
child is always this interpreter running crew-lsp's own checker (never a program the workspace or its
settings choose), with an argument list, no shell and no input. It prints the folder's cache key and
diagnostics (`report.folder_for_server`); they are published only when that key is the one the
server computes from its own scan (the same files in the same state), and never for open documents
(the server checks those itself). A child that fails, times out or prints anything else changes
nothing: the folder is checked in-process, as a small one is.

The child also sends every file's `Facts` (what the index reads of a file it keeps compacted). The
server indexes those files from them without reading or parsing them (`index.KnownFacts`): both
cores stay the child's while it checks, and no file is read or parsed twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Callable

from crew_lsp.resources.index import KnownFacts

if TYPE_CHECKING:
    from crew_lsp.cache.key import Key
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session

LARGE_FOLDER_FILES = 10_000  # from this many files a folder's cold start uses the child (below, the child costs more than it saves)
# (tests and benchmarks lower it for a small folder; not a user setting)
LARGE_FOLDER_VARIABLE = "CREW_LSP_LARGE_FOLDER_FILES"
CHILD_TIMEOUT_S = 300.0

Found = dict[str, "list[Diagnostic]"]


class Output:
    """What a child printed: the key of the folder state it checked, the diagnostics by path, and
    the facts rows by place in the scan (None when it answered from the cache: nothing was parsed)."""

    __slots__ = ("key", "found", "rows")

    def __init__(self, key: str, found: Found, rows: list | None):
        self.key, self.found, self.rows = key, found, rows


class Published:
    """A child's result as the server took it: the paths whose diagnostics it published, and the facts
    rows with the stamps they were taken at, to index the folder by (None: the folder's files are parsed)."""

    __slots__ = ("paths", "facts")

    def __init__(self, paths: list[str], facts: tuple[list, list] | None):
        self.paths, self.facts = paths, facts


def facts_wait_s(files: int) -> float:
    """How long indexing a folder waits for its child's facts before parsing the files itself (a
    child that hangs must not leave the folder without an index): about four times what checking takes."""
    return 2.0 + files * 200e-6


async def facts_within(checked: asyncio.Task[Published | None], ws: Workspace, entries: list[tuple[str, str, str]],
                       ) -> KnownFacts | None:
    """The facts of a folder's child once it is published, or None: it failed, it checked another state
    of the folder, it answered from the cache, or it took longer than `facts_wait_s`."""
    try:
        published = await asyncio.wait_for(asyncio.shield(checked), facts_wait_s(len(entries)))
    except asyncio.TimeoutError:
        return None
    if published is None or published.facts is None:
        return None
    rows, stamps = published.facts
    published.facts = None  # (the rows are handed on once, and emptied as they are used)
    return KnownFacts(entries, rows, stamps, ws)


def large_folder_files() -> int:
    value = os.environ.get(LARGE_FOLDER_VARIABLE, "").strip()
    return int(value) if value.isdigit() else LARGE_FOLDER_FILES


def wanted(session: Session, entries: list[tuple[str, str, str]]) -> bool:
    """Whether a folder of these files is checked by a child at its cold start. Not with per-code
    severity settings (they change which diagnostics a full file shows) nor with extra roots (they
    change what the folder holds): `crew-lsp check` has no such options, so the child's result could
    never match, and the compacted index would then be checked the slow way."""
    return len(entries) >= large_folder_files() and not session.severity_overrides and not session.settings.roots


def command(session: Session, folder: Folder) -> list[str]:
    """The child's argument list for a folder, from the session's settings."""
    return command_for(str(folder.ws.folder), session.settings.diagnostics.cache, session.settings.piCrewVersion)


def command_for(folder: str, cache: bool, pi_crew_version: str) -> list[str]:
    """The child's argument list: this interpreter (`-P`: no module is imported from the working
    folder), `--no-cache` when the cache is off (the setting, or `cache.enabled`), the version the files
    are read as."""
    from crew_lsp.cache import enabled

    argv = [sys.executable, "-P", "-m", "crew_lsp", "check", "--server-format"]
    if not enabled(cache):
        argv.append("--no-cache")
    if pi_crew_version:  # (validated by the settings model; the checker refuses anything else with status 2)
        argv += ["--pi-crew-version", pi_crew_version]
    return argv + ["--", folder]


async def check(session: Session, folder: Folder, entries: list[tuple[str, str, str]]) -> Published | None:
    """Check a folder in a child and publish what it found when it checked the files of this scan
    (`entries`); None when the folder is left to the server. (Run as a session's background task:
    cancelled at shutdown, which kills the child.)"""
    key = asyncio.ensure_future(asyncio.to_thread(own_key, folder.ws, entries))
    result = await _run(session, folder)
    own = await key
    if result is not None and session.project.find(folder.path) is not folder:
        return Published([], None)  # (removed meanwhile)
    return await publish_if_same(session, folder.path, result, own, entries, folder.reported)


async def publish_if_same(session: Session, where: object, result: Output | None, own: Key,
                          entries: list[tuple[str, str, str]], reported: Callable[[str], bool]) -> Published | None:
    """Publish a child's diagnostics when it checked the files the server scanned (``entries``, whose
    key is ``own``); None when the folder is left to the server."""
    from crew_lsp.server.cached_diagnostics import publish_found

    if result is None:
        return None
    if result.key != own.digest:
        session.log(f"crew-lsp: {where} changed while a child process checked it: checked here")
        return None
    published = await publish_found(session, reported, result.found)
    session.log(f"crew-lsp: {where} checked in a child process ({len(published)} files with diagnostics published)")
    rows, stamps = result.rows, own.stamps
    usable = rows is not None and stamps is not None and len(rows) == len(entries) == len(stamps)
    return Published(published, (rows, stamps) if usable else None)  # type: ignore[arg-type]


async def _run(session: Session, folder: Folder) -> Output | None:
    try:
        proc = await asyncio.create_subprocess_exec(*command(session, folder), stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except OSError as exc:
        session.log_error(f"checking {folder.path} in a child process failed to start", exc)
        return None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CHILD_TIMEOUT_S)
    except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
        proc.kill()
        await proc.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        session.log_error(f"checking {folder.path} in a child process took over {CHILD_TIMEOUT_S:.0f} s", None)
        return None
    return await read_output(session, folder.path, proc.returncode, out, err)


async def read_output(session: Session, where: object, returncode: int | None, out: bytes, err: bytes,
                      ) -> Output | None:
    """A finished child's output, decoded off the event loop; None (logged) when it failed or printed
    anything else."""
    if returncode != 0:
        session.log_error(f"checking {where} in a child process failed (status {returncode}): "
                          f"{err.decode('utf-8', 'replace').strip()[-500:]}", None)
        return None
    found = await asyncio.to_thread(decode, out)
    if found is None:
        session.log_error(f"checking {where} in a child process gave unreadable output", None)
    return found


def decode(out: bytes) -> Output | None:
    """The child's output; None when it is not exactly that shape (each facts row is checked when it
    is used: `facts.from_row`)."""
    from crew_lsp.cache.codec import decode as decode_files

    try:
        value = json.loads(out)
    except ValueError:
        return None
    if type(value) is not dict or type(value.get("key")) is not str:
        return None
    found = decode_files(value.get("files"))
    rows = value.get("facts")
    return None if found is None else Output(value["key"], found, rows if type(rows) is list else None)


def own_key(ws: Workspace, entries: list[tuple[str, str, str]]) -> Key:
    """A folder's cache key as the server sees it, from its own scan, with each file's stamp (for a
    worker thread)."""
    from crew_lsp.cache import FolderCache

    return FolderCache(ws, entries, stamps=True).key
