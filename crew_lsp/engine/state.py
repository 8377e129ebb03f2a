"""The run store on disk (docs/runs.md, State on disk): layout, safe paths, validated reads and the run lock.

The crew root must resolve inside the workspace, and every write goes through ``safe_join`` (no
absolute paths, no ``..``, no symlinks between the crew root and the file), is redacted by its
caller and made by ``files`` (atomic, no symlink or FIFO followed). What is read back is validated
(see ``records``): a damaged file is a ``CorruptRunState``, never a crash or a silently empty run.
All functions here are blocking: the async layers call them through ``anyio.to_thread``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from crew_lsp.engine import records
from crew_lsp.engine.files import read_regular

ID_RE = re.compile(r"[A-Za-z0-9_-]+\Z")
LOCK_STALE_S = 30.0


class UnsafePath(ValueError):
    """An id or a relative path that would leave the crew root (or go through a symlink)."""


class RunStateError(RuntimeError):
    """The run cannot do that now (unknown id, active elsewhere, nothing to recover…)."""


class CorruptRunState(RunStateError):
    """A file of a run's state that cannot be used as it is on disk."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"corrupt run state in {path}: {reason}")
        self.path, self.reason = path, reason


class UnsafeCrewRoot(RunStateError):
    """The crew root resolves outside the workspace: run state and artifacts would be written there."""

    def __init__(self, crew: Path, target: Path, workspace: Path):
        super().__init__(f"refusing to use the crew root {crew}: it resolves to {target}, outside the workspace {workspace}")
        self.crew, self.target, self.workspace = crew, target, workspace


class RunWriteError(RunStateError):
    """The run's state could not be written (a full disk, a read-only folder, a lock never freed)."""


def find_write_error(exc: BaseException, *, file_errors: bool = False) -> RunWriteError | None:
    """The RunWriteError behind ``exc``: itself, inside (task group) exception groups, or the context
    of an error raised while cleaning up after it. With ``file_errors``, a file operation's OSError
    among the exceptions themselves (not their contexts) counts too, as a failure to write the run's files."""
    seen: set[int] = set()
    todo: list[tuple[BaseException | None, bool]] = [(exc, True)]
    while todo:
        current, raised = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, RunWriteError):
            return current
        if file_errors and raised and isinstance(current, OSError):
            return RunWriteError(f"could not write the run's files: {current}")
        if isinstance(current, BaseExceptionGroup):
            todo.extend((inner, raised) for inner in current.exceptions)
        todo.extend(((current.__cause__, False), (current.__context__, False)))
    return None


def check_id(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise UnsafePath(f"invalid {what} {value!r}: only letters, digits, '_' and '-' are allowed")
    return value


def check_relative(rel: str, what: str = "path") -> str:
    """A shared file name from `output`/`reads`: relative, no `..` segment, not empty."""
    if not isinstance(rel, str) or not rel.strip():
        raise UnsafePath(f"empty {what}")
    norm = rel.replace("\\", "/")
    if norm.startswith("/") or re.match(r"[A-Za-z]:", norm) or os.path.isabs(rel):
        raise UnsafePath(f"{what} '{rel}' is absolute")
    if any(seg == ".." for seg in norm.split("/")):
        raise UnsafePath(f"{what} '{rel}' has a '..' segment")
    return rel


_VERIFIED: set[str] = set()  # directories already checked not to be symlinks (this process)


def safe_join(root: Path, *parts: str) -> Path:
    """``root/parts…`` after checking that nothing escapes ``root`` or passes through a symlink."""
    rel: list[str] = []
    for part in parts:
        check_relative(part)
        rel += [p for p in part.replace("\\", "/").split("/") if p and p != "."]
    current = str(root)
    for i, seg in enumerate(rel):
        current = f"{current}/{seg}"
        last = i == len(rel) - 1
        if not last and current in _VERIFIED:
            continue
        if os.path.islink(current):
            raise UnsafePath(f"refusing to follow the symlink {current}")
        if not last and os.path.isdir(current):
            _VERIFIED.add(current)
    return Path(current)


def read_record(path: Path, adapter: TypeAdapter) -> Any | None:
    """A state file validated by ``adapter``; None when it does not exist, ``CorruptRunState`` when
    it is unusable (not a regular file, not JSON, or not of the expected shape)."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CorruptRunState(path, "not a regular file (a symbolic link)") from None
        raise CorruptRunState(path, exc.strerror or str(exc)) from None
    try:
        return adapter.validate_json(data)
    except ValidationError as exc:
        raise CorruptRunState(path, records.problem(exc)) from None


# --- liveness of processes (owners and workers) ----------------------------------------------


def process_start_ticks(pid: int) -> int | None:
    """Start time of a process in clock ticks (Linux); tells a live owner from a recycled pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int | None, start_ticks: int | None = None) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            return False  # a zombie is dead, only not yet reaped
    except (OSError, IndexError):
        pass
    if start_ticks is not None:
        ticks = process_start_ticks(pid)
        if ticks is not None and ticks != start_ticks:
            return False
    return True


def owner_record(server_id: str) -> dict:
    pid = os.getpid()
    return {"pid": pid, "serverId": server_id, "host": socket.gethostname(), "startTicks": process_start_ticks(pid)}


def owner_alive(owner: dict | None) -> bool:
    if not isinstance(owner, dict):
        return False
    if owner.get("host") not in (None, socket.gethostname()):
        return True  # another machine: we cannot tell, assume alive
    return pid_alive(owner.get("pid"), owner.get("startTicks"))


# --- the run lock -----------------------------------------------------------------------------


class LockTimeout(RunStateError):
    pass


_START_TICKS: dict[int, int | None] = {}  # this process's start time, by pid (a fork has its own)


def _lock_record() -> bytes:
    pid = os.getpid()
    if pid not in _START_TICKS:
        _START_TICKS[pid] = process_start_ticks(pid)
    return json.dumps({"pid": pid, "time": time.time(), "host": socket.gethostname(), "startTicks": _START_TICKS[pid]}).encode()


class RunLock:
    """``run.lock``: a file naming its holder (pid, host, start time), created whole and at once.

    A lock whose holder is gone, whose content is not a lock record, or older than 30 s is broken
    at once; only a live holder is waited for. Not re-entrant (a holder waits for itself)."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = path
        self.timeout = timeout

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            if self._create():
                return
            holder = self._live_holder()
            if holder is None:
                continue  # broken (or released meanwhile): try again at once
            if time.monotonic() >= deadline:
                raise LockTimeout(f"run lock {self.path} is held by process {holder}") from None
            time.sleep(0.002)

    def _create(self) -> bool:
        """Write the record to a private file and hard-link it into place: the lock exists only
        with its content, so a reader never mistakes a lock being written for a garbage one, and a
        full disk leaves no empty lock behind."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            try:
                os.write(fd, _lock_record())
            finally:
                os.close(fd)
            os.link(tmp, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)

    def _live_holder(self) -> int | None:
        """The pid holding the lock, or None after breaking a lock nobody holds."""
        try:
            info = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return None
        try:
            record = records.LOCK.validate_json(read_regular(self.path))
        except FileNotFoundError:
            return None
        except (OSError, ValidationError):
            record = None  # garbage (or a symlink, a FIFO…): nobody can be holding it
        if record is not None and time.time() - info.st_mtime <= LOCK_STALE_S:
            pid = record["pid"]
            other_host = record.get("host") not in (None, socket.gethostname())
            if pid == os.getpid() or other_host or pid_alive(pid, record.get("startTicks")):
                return pid
        try:
            if os.stat(self.path, follow_symlinks=False).st_ino == info.st_ino:  # still the lock we judged
                self.path.unlink()
        except FileNotFoundError:
            pass
        return None

    def release(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- layout -------------------------------------------------------------------------------------


def new_run_id() -> str:
    """`team_<YYYYMMDDhhmmss UTC>_<16 hex>` (docs/runs.md, Planning), whatever the team: ids stay uniform and safe."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    return f"team_{stamp}_{secrets.token_hex(8)}"


class RunPaths:
    """Where one run's files live. The run folders are checked once; per-task files are checked by
    id (the id pattern cannot leave its folder) and for a symlink at the file itself."""

    def __init__(self, crew: Path, run_id: str):
        self.crew = Path(crew)
        self.run_id = check_id(run_id, "run id")
        self._state: Path | None = None
        self._artifacts: Path | None = None

    @property
    def state(self) -> Path:
        if self._state is None:
            self._state = safe_join(self.crew, "state", "runs", self.run_id)
        return self._state

    @property
    def artifacts(self) -> Path:
        if self._artifacts is None:
            self._artifacts = safe_join(self.crew, "artifacts", self.run_id)
        return self._artifacts

    def state_file(self, *parts: str) -> Path:
        return safe_join(self.state, *parts)

    def artifact(self, *parts: str) -> Path:
        return safe_join(self.artifacts, *parts)

    @property
    def manifest(self) -> Path:
        return self.state / "manifest.json"

    @property
    def tasks(self) -> Path:
        return self.state / "tasks.json"

    @property
    def events(self) -> Path:
        return self.state / "events.jsonl"

    @property
    def lock(self) -> Path:
        return self.state / "run.lock"

    @property
    def deadletter(self) -> Path:
        return self.state / "deadletter.jsonl"

    @property
    def cancel_request(self) -> Path:
        return self.state / "cancel.request.json"

    def agent_dir(self, task_id: str) -> Path:
        return safe_join(self.state, "agents", check_id(task_id, "task id"))

    def task_artifact(self, folder: str, task_id: str, suffix: str) -> Path:
        return safe_join(self.artifacts, folder, check_id(task_id, "task id") + suffix)

    def shared(self, name: str) -> Path:
        return safe_join(self.artifacts, "shared", check_relative(name, "shared file"))


class RunStore:
    """The runs of one crew root, read from disk (what the CLI and a second server see).

    The crew root is used only while it resolves inside ``workspace`` (the repository): a cloned
    `.crew -> elsewhere` must not make runs write (or read their state) outside it."""

    def __init__(self, crew: Path, workspace: Path):
        self.crew = Path(crew)
        self.workspace = Path(workspace)

    def check_root(self) -> Path:
        target, bound = self.crew.resolve(), self.workspace.resolve()
        if not target.is_relative_to(bound):
            raise UnsafeCrewRoot(self.crew, target, bound)
        return self.crew

    def paths(self, run_id: str) -> RunPaths:
        check_id(run_id, "run id")
        return RunPaths(self.check_root(), run_id)

    def run_ids(self) -> list[str]:
        folder = self.check_root() / "state" / "runs"
        try:
            names = [n for n in os.listdir(folder) if ID_RE.match(n) and (folder / n / "manifest.json").is_file()]
        except OSError:
            return []
        return sorted(names, key=lambda n: (folder / n / "manifest.json").stat().st_mtime, reverse=True)

    def exists(self, run_id: str) -> bool:
        return self.paths(run_id).manifest.is_file()

    def load_manifest(self, run_id: str) -> dict | None:
        """The validated manifest; None when the run does not exist."""
        path = self.paths(run_id).manifest
        data = read_record(path, records.MANIFEST)
        if data is not None and data["runId"] != run_id:
            raise CorruptRunState(path, f"runId is {data['runId']!r}, not this run's {run_id!r}")
        return data

    def load_tasks(self, run_id: str) -> list[dict]:
        """The validated task records of a run whose manifest exists (a missing tasks.json is damage:
        it is written before the manifest)."""
        path = self.paths(run_id).tasks
        data = read_record(path, records.TASKS)
        if data is None:
            raise CorruptRunState(path, "the file is missing")
        if data.get("runId", run_id) != run_id:
            raise CorruptRunState(path, f"runId is {data['runId']!r}, not this run's {run_id!r}")
        tasks = data["tasks"]
        seen: set[str] = set()
        for task in tasks:
            if task["id"] in seen:
                raise CorruptRunState(path, f"task id {task['id']!r} appears twice")
            seen.add(task["id"])
        return tasks
