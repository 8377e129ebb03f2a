"""The run store on disk (docs/runs.md, State on disk): layout, safe paths, atomic writes and the run lock.

Every write goes through ``safe_join`` (no absolute paths, no ``..``, no symlinks between the crew
root and the file) and is redacted by its caller. JSON files are replaced atomically (temp file in
the same folder, fsync, rename) so a reader never sees half a file. All functions here are
blocking: the async layers call them through ``anyio.to_thread``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

ID_RE = re.compile(r"[A-Za-z0-9_-]+\Z")
LOCK_STALE_S = 30.0


class UnsafePath(ValueError):
    """An id or a relative path that would leave the crew root (or go through a symlink)."""


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


_MADE: set[str] = set()  # folders this process already created (saves a mkdir per file)


def _ensure_dir(folder: Path, again: bool = False) -> None:
    key = str(folder)
    if again or key not in _MADE:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE.add(key)


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    _ensure_dir(path.parent)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileNotFoundError:
        _ensure_dir(path.parent, again=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)  # rename replaces a symlink at `path` instead of writing through it


def write_once(path: Path, data: bytes) -> None:
    """An artifact written once by its producer before anyone reads it (prompts, results, shared
    outputs): no rename needed, and O_NOFOLLOW refuses a symlink planted at the path."""
    _ensure_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except FileNotFoundError:  # the folder went away after we made it (a user cleaned up)
        _ensure_dir(path.parent, again=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def atomic_write_json(path: Path, value: object, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode(), fsync=fsync)


def append_bytes(path: Path, data: bytes) -> int:
    """Append and return the new size. O_NOFOLLOW: a symlink planted at the log path is refused."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def read_json(path: Path) -> object | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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


class LockTimeout(RuntimeError):
    pass


class RunLock:
    """``run.lock``: an O_EXCL file with pid and time; a lock older than 30 s is stale and broken."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = path
        self.timeout = timeout

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        payload = json.dumps({"pid": os.getpid(), "time": time.time()}).encode()
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            except FileExistsError:
                if self._stale():
                    try:
                        self.path.unlink()
                    except FileNotFoundError:
                        pass
                    continue
                if time.monotonic() > deadline:
                    raise LockTimeout(f"run lock {self.path} is held") from None
                time.sleep(0.002)
                continue
            try:
                os.write(fd, payload)
            finally:
                os.close(fd)
            return

    def _stale(self) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return False
        if age > LOCK_STALE_S:
            return True
        data = read_json(self.path)
        if isinstance(data, dict) and isinstance(data.get("pid"), int) and data["pid"] != os.getpid():
            return not pid_alive(data["pid"])
        return False

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
    """The runs of one crew root, read from disk (what the CLI and a second server see)."""

    def __init__(self, crew: Path):
        self.crew = Path(crew)

    def paths(self, run_id: str) -> RunPaths:
        check_id(run_id, "run id")
        return RunPaths(self.crew, run_id)

    def run_ids(self) -> list[str]:
        folder = self.crew / "state" / "runs"
        try:
            names = [n for n in os.listdir(folder) if ID_RE.match(n) and (folder / n / "manifest.json").is_file()]
        except OSError:
            return []
        return sorted(names, key=lambda n: (folder / n / "manifest.json").stat().st_mtime, reverse=True)

    def exists(self, run_id: str) -> bool:
        return self.paths(run_id).manifest.is_file()

    def load_manifest(self, run_id: str) -> dict | None:
        data = read_json(self.paths(run_id).manifest)
        return data if isinstance(data, dict) else None

    def load_tasks(self, run_id: str) -> list[dict]:
        data = read_json(self.paths(run_id).tasks)
        if isinstance(data, dict) and isinstance(data.get("tasks"), list):
            return [t for t in data["tasks"] if isinstance(t, dict)]
        return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
