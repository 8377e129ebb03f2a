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

Before it checks the files, as soon as they are parsed, the child sends every file's `Facts` (what
the index reads of a file it keeps compacted) on a first line. The server indexes the folder from
them without reading or parsing its files (`index.KnownFacts`) while the child checks: no file is
read or parsed twice, and the index is ready about when the diagnostics are.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Awaitable, Callable

if TYPE_CHECKING:  # (the head start imports this module before anything heavy: server/head_start.py)
    from crew_lsp.cache.key import Key
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import KnownFacts
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session

CHILD_TIMEOUT_S = 300.0

Found = dict[str, "list[Diagnostic]"]


class Output:
    """What a child printed last: the key of the folder state it checked and the diagnostics by path."""

    __slots__ = ("key", "found")

    def __init__(self, key: str, found: Found):
        self.key, self.found = key, found


FACTS_MARK = b'"facts":'  # (in the first line's first bytes: `{"key":"…","facts":[…]}`)


def is_facts_line(line: bytes) -> bool:
    """Whether a first line of output is the facts line (`report.folder_for_server`), not the last one."""
    return FACTS_MARK in line[:120]


def facts_wait_s(files: int) -> float:
    """How long indexing a folder waits for its child's facts before reading and parsing the files
    itself (a child that hangs must not leave the folder without an index): about four times what
    parsing them takes."""
    return 2.0 + files * 200e-6


async def facts_within(line: Awaitable[bytes | None], own: Awaitable[Key | None], ws: Workspace,
                       entries: list[tuple[str, str, str]]) -> KnownFacts | None:
    """The facts a folder's child sent for this scan (``entries``, whose key is ``own``), or None: it
    failed, answered from a cache that kept no facts, checked another state of the folder, or sent
    nothing within `facts_wait_s`."""
    try:
        sent = await asyncio.wait_for(asyncio.shield(line), facts_wait_s(len(entries)))
    except asyncio.TimeoutError:
        return None
    if sent is None:
        return None
    decoded = await asyncio.to_thread(decode_facts, sent)
    key = await own
    if decoded is None or key is None or key.stamps is None or decoded[0] != key.digest or len(decoded[1]) != len(entries):
        return None
    from crew_lsp.resources.index import KnownFacts

    return KnownFacts(entries, decoded[1], key.stamps, ws)


_FACTS_HEAD, _FACTS_LIST = '{"key":', ',"facts":['


def decode_facts(line: bytes) -> tuple[str, list] | None:
    """(key, facts rows) of a facts line, exactly as `report.folder_for_server` writes it; None when it
    is anything else (each row is checked when it is used: `facts.from_row`). Read row by row: one
    `json.loads` of megabytes would hold the interpreter, and the event loop, for a tenth of a second."""
    try:
        text = line.decode("utf-8").rstrip("\n")
        if not text.startswith(_FACTS_HEAD) or not text.endswith("]}"):
            return None
        read = json.JSONDecoder().raw_decode
        key, at = read(text, len(_FACTS_HEAD))
        if type(key) is not str or not text.startswith(_FACTS_LIST, at):
            return None
        at += len(_FACTS_LIST)
        end = len(text) - 2  # (the closing `]}`)
        rows: list = []
        while at < end:
            row, at = read(text, at)
            rows.append(row)
            if at < end:
                if text[at] != ",":
                    return None
                at += 1
        return (key, rows) if at == end else None
    except (UnicodeDecodeError, ValueError):
        return None


def large_folder_files() -> int:
    """From how many files a folder's cold start uses a child and is indexed from its facts."""
    from crew_lsp.checks.jobs import large_folder_files as threshold  # (not before `initialize`: server/head_start.py)

    return threshold()


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


async def check(session: Session, folder: Folder, own: Awaitable[Key | None], facts: asyncio.Future[bytes | None],
                ) -> list[str] | None:
    """Check a folder in a child and publish what it found when it checked the files of the server's
    scan (whose key is ``own``); the paths published, or None when the folder is left to the server.
    ``facts`` receives the child's facts line as soon as it comes (None: none came). (Run as a session's
    background task: cancelled at shutdown, which kills the child.)"""
    result = await _run(session, folder, facts)
    key = await own
    if result is not None and session.project.find(folder.path) is not folder:
        return []  # (removed meanwhile)
    return await publish_if_same(session, folder.path, result, key, folder.reported)


async def publish_if_same(session: Session, where: object, result: Output | None, own: Key | None,
                          reported: Callable[[str], bool]) -> list[str] | None:
    """Publish a child's diagnostics when it checked the files the server scanned (their key is
    ``own``); the paths published, or None when the folder is left to the server."""
    from crew_lsp.server.cached_diagnostics import publish_found

    if result is None or own is None:
        return None
    if result.key != own.digest:
        session.log(f"crew-lsp: {where} changed while a child process checked it: checked here")
        return None
    published = await publish_found(session, reported, result.found)
    session.log(f"crew-lsp: {where} checked in a child process ({len(published)} files with diagnostics published)")
    return published


async def _run(session: Session, folder: Folder, facts: asyncio.Future[bytes | None]) -> Output | None:
    try:
        try:
            proc = await asyncio.create_subprocess_exec(*command(session, folder), stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                        limit=OUTPUT_LIMIT)
        except OSError as exc:
            session.log_error(f"checking {folder.path} in a child process failed to start", exc)
            return None
        try:
            out, err = await asyncio.wait_for(_output(proc, facts), CHILD_TIMEOUT_S)
        except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
            proc.kill()
            await proc.wait()
            if isinstance(exc, asyncio.CancelledError):
                raise
            session.log_error(f"checking {folder.path} in a child process took over {CHILD_TIMEOUT_S:.0f} s", None)
            return None
        return await read_output(session, folder.path, proc.returncode, out, err)
    finally:
        if not facts.done():
            facts.set_result(None)


OUTPUT_LIMIT = 1 << 30  # (a line of output may be as long as that: the facts of every file)


async def _output(proc: asyncio.subprocess.Process, facts: asyncio.Future[bytes | None]) -> tuple[bytes, bytes]:
    """The child's whole output and error output, once it has exited; its first line goes to ``facts``
    as soon as it comes, when it is the facts line."""
    assert proc.stdout is not None and proc.stderr is not None
    errors = asyncio.ensure_future(proc.stderr.read())
    try:
        first = await proc.stdout.readline()
        if first.endswith(b"\n") and is_facts_line(first) and not facts.done():
            facts.set_result(first)
        out = first + await proc.stdout.read()
        await proc.wait()
        return out, await errors
    finally:
        errors.cancel()


async def read_output(session: Session, where: object, returncode: int | None, out: bytes, err: bytes,
                      ) -> Output | None:
    """A finished child's last line of output, decoded off the event loop; None (logged) when it failed
    or printed anything else."""
    if returncode != 0:
        session.log_error(f"checking {where} in a child process failed (status {returncode}): "
                          f"{err.decode('utf-8', 'replace').strip()[-500:]}", None)
        return None
    found = await asyncio.to_thread(decode, out)
    if found is None:
        session.log_error(f"checking {where} in a child process gave unreadable output", None)
    return found


def decode(out: bytes) -> Output | None:
    """The child's output: its last line (after the facts line, when it sent one); None when it is not
    exactly that shape."""
    from crew_lsp.cache.codec import decode as decode_files

    end = len(out) - 1 if out.endswith(b"\n") else len(out)
    lines = out.count(b"\n", 0, end) + 1  # (counted and cut without copying the facts line: megabytes)
    if lines > 2 or lines == 2 and not is_facts_line(out):
        return None
    try:
        value = json.loads(out[out.rfind(b"\n", 0, end) + 1:end])
    except ValueError:
        return None
    if type(value) is not dict or type(value.get("key")) is not str:
        return None
    found = decode_files(value.get("files"))
    return None if found is None else Output(value["key"], found)


def own_key(ws: Workspace, entries: list[tuple[str, str, str]]) -> Key:
    """A folder's cache key as the server sees it, from its own scan, with each file's stamp (for a
    worker thread)."""
    from crew_lsp.cache import FolderCache

    return FolderCache(ws, entries, stamps=True).key
