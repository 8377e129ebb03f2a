"""One child process under the rules of docs/runs.md, Workers.

- its own process group (``start_new_session``), so a signal reaches every tool it started;
- a no-output timeout, restarted by any byte on stdout or stderr;
- after the final answer (the caller says when), a grace period to exit, then SIGTERM, then SIGKILL;
- cancellation: SIGTERM to the group, SIGKILL after ``kill_grace``, then re-raise;
- whatever is left of the group (and of descendants that moved to their own group) is killed at the
  end, so no orphan keeps running or holds the pipes open.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

import anyio
from anyio.abc import ByteReceiveStream, Process

from crew_lsp.engine.workers.base import ChildLimits


@dataclass(slots=True)
class ChildOutcome:
    pid: int
    returncode: int | None = None
    timed_out: bool = False  # killed for silence
    killed_after_final: bool = False  # killed after the final answer: the answer stands

    @property
    def signal(self) -> int | None:
        rc = self.returncode
        if rc is None:
            return None
        if rc < 0:
            return -rc
        return None


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _signal_groups(pgids: set[int], sig: int) -> None:
    for pgid in pgids:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _groups_of(pids: list[int]) -> set[int]:
    groups = set()
    for pid in pids:
        try:
            groups.add(os.getpgid(pid))
        except (ProcessLookupError, PermissionError):
            pass
    return groups


def group_alive(pgid: int) -> bool:
    """Whether any non-zombie process is left in the group (a killed orphan may linger as a zombie
    until init reaps it)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for name in entries:
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


RUN_ENV = "PI_CREW_RUN_ID"  # set in every worker's environment (and inherited by what it starts)
OWNER_ENV = "PI_CREW_OWNER"  # the server id of the process that spawned the worker


def process_environ(pid: int) -> dict[str, str] | None:
    """The environment ``pid`` was started with (Linux /proc); None when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    out = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            out[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return out


def _ancestors() -> set[int]:
    out, pid = set(), os.getpid()
    while pid > 1 and pid not in out:
        out.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return out


def marked_workers(run_id: str, owner_id: str | None = None) -> list[int]:
    """Live processes carrying the run's marker (workers and whatever they started), optionally only
    those spawned by ``owner_id``. Found without anything on disk, so a worker whose pid never reached
    tasks.json (its owner died right after spawning it) is found too. Linux only; [] elsewhere."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    mine = _ancestors()  # never this process or what runs it (a worker recovering its own run)
    out = []
    for name in entries:
        if not name.isdigit() or int(name) in mine:
            continue
        env = process_environ(int(name))  # a zombie's reads empty: it is dead already
        if env and env.get(RUN_ENV) == run_id and (owner_id is None or env.get(OWNER_ENV) == owner_id):
            out.append(int(name))
    return out


class ChildProcess:
    def __init__(
        self, argv: list[str], *, env: dict[str, str], cwd: Path, limits: ChildLimits,
        stdin_data: bytes | None = None,
        on_stdout: Callable[[bytes], None] = lambda line: None,
        on_stderr: Callable[[bytes], None] = lambda line: None,
        on_spawn: Callable[[int], Awaitable[None]] | None = None,
        on_activity: Callable[[], None] = lambda: None,
    ):
        self.argv, self.env, self.cwd, self.limits = argv, env, cwd, limits
        self.stdin_data = stdin_data
        self.on_stdout, self.on_stderr, self.on_spawn, self.on_activity = on_stdout, on_stderr, on_spawn, on_activity
        self._activity = time.monotonic()
        self._final_at: float | None = None
        self._open_pipes = 0
        self._pipes_closed = anyio.Event()
        self._groups: set[int] = set()

    def final_seen(self) -> None:
        """The final answer arrived: from now on the child has ``final_grace`` seconds to exit."""
        if self._final_at is None:
            self._final_at = time.monotonic()

    def final_withdrawn(self) -> None:
        """What looked final was not (the child retries on its own): no exit deadline any more."""
        self._final_at = None

    async def run(self) -> ChildOutcome:
        proc = await anyio.open_process(
            self.argv, stdin=subprocess.PIPE if self.stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(self.cwd), env=self.env, start_new_session=True,
        )
        outcome = ChildOutcome(proc.pid)
        self._groups = {proc.pid}  # session leader: its pgid is its pid
        try:
            if self.on_spawn is not None:
                await self.on_spawn(proc.pid)  # the caller records the pid durably first
            self._activity = time.monotonic()
            async with anyio.create_task_group() as tg:
                self._open_pipes = 2
                tg.start_soon(self._pump, proc.stdout, self.on_stdout)
                tg.start_soon(self._pump, proc.stderr, self.on_stderr)
                if self.stdin_data is not None:
                    tg.start_soon(self._feed, proc, self.stdin_data)
                tg.start_soon(self._watchdog, proc, outcome)
                await proc.wait()
                # grandchildren may still hold the pipes: let them drain briefly, then end them
                with anyio.move_on_after(self.limits.drain):
                    await self._pipes_closed.wait()
                tg.cancel_scope.cancel()
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self._terminate(proc)
            raise
        finally:
            with anyio.CancelScope(shield=True):
                self._sweep(proc.pid)
                await self._close(proc)
        outcome.returncode = proc.returncode
        return outcome

    async def _pump(self, stream: ByteReceiveStream | None, sink: Callable[[bytes], None]) -> None:
        buf = b""
        try:
            if stream is None:
                return
            while True:
                try:
                    chunk = await stream.receive()
                except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
                    break
                self._activity = time.monotonic()
                self.on_activity()
                buf += chunk
                if b"\n" in buf:
                    *lines, buf = buf.split(b"\n")
                    for line in lines:
                        sink(line)
            if buf:
                sink(buf)
        finally:
            self._open_pipes -= 1
            if self._open_pipes <= 0:
                self._pipes_closed.set()

    async def _feed(self, proc: Process, data: bytes) -> None:
        assert proc.stdin is not None
        try:
            for i in range(0, len(data), 65536):
                await proc.stdin.send(data[i:i + 65536])
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass  # the child closed stdin or exited: not our failure
        finally:
            try:
                await proc.stdin.aclose()
            except (anyio.BrokenResourceError, OSError):
                pass

    async def _watchdog(self, proc: Process, outcome: ChildOutcome) -> None:
        limits = self.limits
        while proc.returncode is None:
            now = time.monotonic()
            deadline = self._activity + limits.idle_timeout
            if self._final_at is not None:
                if now >= self._final_at + limits.final_grace:
                    outcome.killed_after_final = True
                    await self._terminate(proc)
                    return
                deadline = min(deadline, self._final_at + limits.final_grace)
            elif now >= deadline:
                outcome.timed_out = True
                await self._terminate(proc)
                return
            await anyio.sleep(max(0.01, min(deadline - now, 0.25)))

    async def _terminate(self, proc: Process) -> None:
        """SIGTERM to the group (and descendants' groups), SIGKILL after ``kill_grace``."""
        if proc.returncode is None:
            self._groups |= _groups_of(descendants(proc.pid))
        _signal_groups(self._groups, signal.SIGTERM)
        with anyio.move_on_after(self.limits.kill_grace):
            await proc.wait()
        if proc.returncode is None:
            self._groups |= _groups_of(descendants(proc.pid))
            _signal_groups(self._groups, signal.SIGKILL)
            await proc.wait()

    def _sweep(self, pid: int) -> None:
        """Kill what is left of the child's groups once it is done (orphaned tool processes)."""
        _signal_groups({g for g in self._groups if group_alive(g)}, signal.SIGKILL)

    async def _close(self, proc: Process) -> None:
        if proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            await proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                try:
                    await stream.aclose()
                except (OSError, anyio.BrokenResourceError):
                    pass
