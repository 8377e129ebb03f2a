"""The processes of a parallel check (`checks/parallel.py`): forking, the pipes between them, and what
travels through them — chunk numbers, length-prefixed messages, diagnostics as plain tuples."""

from __future__ import annotations

import atexit
import marshal
import os
import sys

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.diagnostic import Diagnostic, Related
from crew_lsp.resources.text import Span

Entry = tuple[str, str, str]  # (kind, scope, path), as `scan` lists them
_TOKEN = 4  # bytes of a chunk number


def can_fork() -> bool:
    """Forking is safe only from a single-threaded process (a thread's lock could be held forever)."""
    if not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def deal(count: int) -> int:
    """A pipe holding the chunk numbers 0 … count-1, its writing end closed: its reading end."""
    take, put = os.pipe()
    try:
        send_all(put, b"".join(k.to_bytes(_TOKEN, "little") for k in range(count)))
    finally:
        os.close(put)
    return take


def claim(fd: int) -> int | None:
    """The next chunk's number, or None when every chunk is taken. (Each read takes one whole number:
    the pipe holds only whole numbers, and reads of it do not interleave.)"""
    token = os.read(fd, _TOKEN)
    return int.from_bytes(token, "little") if len(token) == _TOKEN else None


class WorkerGone(Exception):
    """A worker's pipe closed before its whole message came."""


def send(fd: int, payload: bytes) -> None:
    send_all(fd, len(payload).to_bytes(8, "little") + payload)


def send_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise WorkerGone
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> bytes:
    return _read_exactly(fd, int.from_bytes(_read_exactly(fd, 8), "little"))


_SEVERITIES = {int(s): s for s in Severity}


def encode_found(found: dict[str, list[Diagnostic]], checked: list[tuple[int, str]]) -> bytes:
    """The diagnostics of the ``checked`` files (numbered by their place in the scan), in their order:
    a file without any as its bare number (most files: a path costs more to ship than its diagnostics)."""
    out: list = []
    for number, path in checked:
        diags = found.get(path)
        if diags is None:  # (not reported)
            continue
        out.append((number, [(d.code, int(d.severity), tuple(d.span), d.message, d.data,
                              [(r.path, tuple(r.span), r.message) for r in d.related], d.unnecessary) for d in diags])
                   if diags else number)
    return marshal.dumps(out)


def decode_found(payload: bytes, entries: list[Entry]) -> dict[str, list[Diagnostic]]:
    found: dict[str, list[Diagnostic]] = {}
    severity, span = _SEVERITIES, Span._make
    for item in marshal.loads(payload):
        if item.__class__ is int:
            found[entries[item][2]] = []
            continue
        number, diags = item
        found[entries[number][2]] = [
            Diagnostic(code, severity[level], span(where), message, data, [Related(p, span(s), m) for p, s, m in related], unnecessary)
            for code, level, where, message, data, related, unnecessary in diags]
    return found


def detach_standard_streams() -> None:
    """Point a worker's stdin, stdout and stderr at /dev/null: it writes nothing there, and a reader of
    `crew-lsp check`'s output must not wait for it to finish exiting before seeing the end of it."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


_exiting: list[int] = []  # workers done with their work, still freeing their memory: reaped later


def end(pid: int, finished: bool) -> None:
    """Reap a worker. One that has sent its last message exits by itself, but handing a large heap
    back to the system takes it a moment: it is reaped later, not waited for. Any other is no longer
    needed and is killed (it may be stuck)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] != 0:
            return
        if finished:
            _exiting.append(pid)
            return
        import signal

        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:  # (already reaped)
        pass


def reap_exited() -> None:
    """Wait for the workers of earlier checks that were still exiting (at the next check, or at exit;
    the CLI leaves with os._exit, and init reaps what is left)."""
    while _exiting:
        try:
            os.waitpid(_exiting.pop(), 0)
        except ChildProcessError:
            pass


atexit.register(reap_exited)
