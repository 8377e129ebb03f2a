"""The cold start's head start (docs/architecture.md, Head start): the checker child starts before the
server's own imports.

A language server spends its first few hundred milliseconds importing pygls and lsprotocol — the
same for a do-nothing server — while the second core sits idle. An editor sends `initialize` as soon as
it has started the server, so before importing anything heavy `crew-lsp serve` reads that first message
from stdin (waiting at most `FIRST_MESSAGE_WAIT_S` for it), and for the workspace folders it names
starts `crew-lsp check --server-format` (`server/checker_child.py`) right away. By the time the server
answers `initialize`, a child has read and checked a folder of a few thousand files; its diagnostics
are published as soon as the server's own scan of the folder gives the same cache key
(`server/early_diagnostics.py`).

Nothing here decides more than `initialize` already says: the folders are the ones it names, the
child is the server's own interpreter running its own checker, and it starts only when the
`initializationOptions` leave the checker as `checker_child.command` would run it
(`raw_settings.checker_options`). Everything read from stdin goes to the transport unchanged
(`HeadStart.prefix`), so pygls reads the same messages in the same order. Until the server has started,
a child keeps to one process (the server's start has a core to itself): a small folder is checked
before the server is up, a large one then goes on on every core (`HeadStart.server_started`).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import select
import stat
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from crew_lsp.server import checker_child
from crew_lsp.server.raw_settings import checker_options, section
from crew_lsp.server.uri_path import uri_to_path

OFF_VARIABLE = "CREW_LSP_NO_HEAD_START"  # any value but empty or 0: no head start (the folder is checked as without one)
FIRST_MESSAGE_WAIT_S = 0.2  # for the first bytes of `initialize` (editors send it at once); a later client starts as it always did
MESSAGE_WAIT_S = 1.0  # for the rest of it, once it started
MESSAGE_LIMIT = 4 << 20  # an `initialize` larger than this is left to pygls
MAX_FOLDERS = 4  # a child for each of the first few folders, at most one per spare core


class Child:
    """One folder's head-start checker: its argument list and, once it exits, its output."""

    def __init__(self, argv: list[str]):
        self.argv = argv
        self.result: concurrent.futures.Future[tuple[int, bytes, bytes] | None] = concurrent.futures.Future()
        # its facts line, as soon as it comes (None: it ended without one)
        self.facts: concurrent.futures.Future[bytes | None] = concurrent.futures.Future()
        self._proc: subprocess.Popen[bytes] | None = None
        self._starting: int | None = None  # the write end of the child's stdin: closed once the server has started

    def start(self, env: dict[str, str]) -> None:
        # (its stdin tells it when the server has started: checks/jobs.py, for_server_child)
        read_end, self._starting = os.pipe()
        try:
            self._proc = subprocess.Popen(self.argv, stdin=read_end, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, close_fds=True, env=env)
        except OSError:
            self.result.set_result(None)
            self.facts.set_result(None)
            self.server_started()
            return
        finally:
            os.close(read_end)
        threading.Thread(target=self._collect, name="crew-head-start", daemon=True).start()

    def _collect(self) -> None:
        """(a thread: the output is read as it comes, so the child never waits on a full pipe, and its
        facts line is handed on at once)"""
        proc = self._proc
        assert proc is not None and proc.stdout is not None and proc.stderr is not None
        try:
            out, err = self._read(proc.stdout.fileno(), proc.stderr.fileno(), time.monotonic() + checker_child.CHILD_TIMEOUT_S)
            proc.wait()
        except Exception:  # (timed out, or the pipes closed under it)
            proc.kill()
            proc.wait()
            out = None
        finally:
            if not self.facts.done():
                self.facts.set_result(None)
        self.result.set_result((proc.returncode, out, err) if out is not None else None)

    def _read(self, out_fd: int, err_fd: int, deadline: float) -> tuple[bytes, bytes]:
        import selectors

        chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
        first_line = True
        with selectors.DefaultSelector() as selector:
            for fd in (out_fd, err_fd):
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                for key, _events in selector.select(left):
                    data = os.read(key.fd, 1 << 20)
                    if not data:
                        selector.unregister(key.fd)
                        continue
                    chunks[key.fd].append(data)
                    if first_line and key.fd == out_fd and b"\n" in data:
                        first_line = False
                        line = b"".join(chunks[out_fd]).partition(b"\n")[0] + b"\n"
                        if checker_child.is_facts_line(line):
                            self.facts.set_result(line)
        return b"".join(chunks[out_fd]), b"".join(chunks[err_fd])

    async def output(self) -> tuple[int, bytes, bytes] | None:
        """The child's exit status, output and error output once it has exited (None: it failed to start
        or was stopped), handed over once: the child keeps nothing of it (it can run to megabytes)."""
        import asyncio

        done = await asyncio.wrap_future(self.result)
        self.result = concurrent.futures.Future()
        self.result.set_result(None)
        return done

    async def facts_line(self) -> bytes | None:
        """The child's facts line as soon as it comes (None: it ended without one), handed over once."""
        import asyncio

        line = await asyncio.wrap_future(self.facts)
        self.facts = concurrent.futures.Future()
        self.facts.set_result(None)
        return line

    def server_started(self) -> None:
        """Tell the child the server has started: a large folder is then checked on every core."""
        if self._starting is not None:
            os.close(self._starting)
            self._starting = None

    def stop(self) -> None:
        """Kill the child if it still runs (the server stops, or its output is of no use)."""
        self.server_started()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                proc.kill()
            except OSError:
                pass


@dataclass
class HeadStart:
    """What `crew-lsp serve` did before its imports: the bytes it read, and a child per folder path."""

    prefix: bytes = b""
    children: dict[str, Child] = field(default_factory=dict)

    def server_started(self) -> None:
        for child in self.children.values():
            child.server_started()

    def stop(self) -> None:
        """End every child still running (the server stops)."""
        for child in self.children.values():
            child.stop()


def _cores() -> int:
    """The processes a `crew-lsp check` would use here (at least one)."""
    from crew_lsp.checks.jobs import JobsError, default_jobs  # (light; loaded only when a child starts)

    try:
        return default_jobs()
    except JobsError:  # (a `CREW_LSP_JOBS` the checker refuses: the child says so)
        return 1


def _child_environment(jobs: int) -> dict[str, str]:
    """The server's environment, with the child's number of processes unless `CREW_LSP_JOBS` sets it."""
    from crew_lsp.checks.jobs import JOBS_VARIABLE

    env = dict(os.environ)
    if not env.get(JOBS_VARIABLE):
        env[JOBS_VARIABLE] = str(jobs)
    return env


def begin(stdin_fd: int = 0) -> HeadStart:
    """Read the client's first message, and start a checker child for each folder it names."""
    if os.name != "posix" or os.environ.get(OFF_VARIABLE, "").strip() not in ("", "0"):
        return HeadStart()
    try:
        mode = os.fstat(stdin_fd).st_mode
    except OSError:
        return HeadStart()
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):  # (the transport reads only these natively)
        return HeadStart()
    head = HeadStart(read_first_message(stdin_fd))
    try:
        _start_children(head)
    except Exception:  # (never a reason not to serve: the folders are opened as without a head start)
        head.stop()
        head.children.clear()
    return head


def _start_children(head: HeadStart) -> None:
    params = initialize_params(head.prefix)
    if params is None:
        return
    options = checker_options(section(params.get("initializationOptions")))
    if options is None:
        return
    cache, version = options
    cores = _cores()
    # one folder per core the server's start leaves free (the others are opened as without a head start)
    folders = folders_of(params)[:min(MAX_FOLDERS, max(1, cores - 1))]
    for folder in folders:
        child = Child(checker_child.command_for(folder, cache, version))
        child.start(_child_environment(max(1, cores // len(folders))))
        head.children[folder] = child


def read_first_message(fd: int) -> bytes:
    """Bytes from ``fd`` up to the end of the first complete message (or less: nothing arrived in
    time, the input ended, or the message is too large); never more than is available."""
    buf = b""
    deadline = time.monotonic() + FIRST_MESSAGE_WAIT_S
    while True:
        if _complete(buf) or len(buf) > MESSAGE_LIMIT:
            return buf
        wait = deadline - time.monotonic()
        if wait <= 0:
            return buf
        try:
            ready, _, _ = select.select([fd], [], [], wait)
        except (OSError, ValueError):
            return buf
        if not ready:
            return buf
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            return buf
        if not chunk:
            return buf
        if not buf:
            deadline = time.monotonic() + MESSAGE_WAIT_S
        buf += chunk


def _complete(buf: bytes) -> bool:
    header_end = buf.find(b"\r\n\r\n")
    if header_end < 0:
        return False
    length = _content_length(buf[:header_end])
    return length is not None and len(buf) >= header_end + 4 + length


def _content_length(headers: bytes) -> int | None:
    for line in headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def initialize_params(buf: bytes) -> dict[str, Any] | None:
    """The params of the first message when it is a complete `initialize` request; else None."""
    header_end = buf.find(b"\r\n\r\n")
    if header_end < 0:
        return None
    length = _content_length(buf[:header_end])
    body = buf[header_end + 4:header_end + 4 + length] if length is not None else b""
    if length is None or len(body) < length:
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return None
    params = message.get("params")
    return params if isinstance(params, dict) else None


def folders_of(params: dict[str, Any]) -> list[str]:
    """The folder paths `initialize` names, as the lifecycle reads them: the workspace folders, else
    the root (`Lifecycle.initialize`)."""
    found: list[str] = []
    folders = params.get("workspaceFolders")
    for wf in folders if isinstance(folders, list) else []:
        uri = wf.get("uri") if isinstance(wf, dict) else None
        path = uri_to_path(uri) if isinstance(uri, str) else None
        if path:
            found.append(path)
    if not found:
        root = params.get("rootUri")
        path = uri_to_path(root) if isinstance(root, str) and root else params.get("rootPath")
        if isinstance(path, str) and path:
            found.append(path)
    return list(dict.fromkeys(found))
