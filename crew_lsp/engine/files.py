"""Files of the run store, written and read defensively (docs/runs.md, State on disk).

Writes never follow a symlink planted at the path, never block on a planted FIFO, and replace JSON
files atomically (temp file in the same folder, fsync, rename) so a reader never sees half a file; a
failed write leaves no temp file behind. Reads take regular files only, with a size cap. All
blocking: the async layers call these through ``anyio.to_thread``.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from pathlib import Path

MAX_STATE_BYTES = 256 * 1024 * 1024  # far above any real tasks.json; a planted giant is refused

_MADE: set[str] = set()  # folders this process already created (saves a mkdir per file)


def _ensure_dir(folder: Path, again: bool = False) -> None:
    key = str(folder)
    if again or key not in _MADE:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE.add(key)


def _open_to_write(path: Path, flags: int) -> int:
    """Open a regular file to write: never through a symlink planted at the path (O_NOFOLLOW), never
    blocking on a planted FIFO (O_NONBLOCK), and nothing but a regular file."""
    flags |= os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    _ensure_dir(path.parent)
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:  # the folder went away after we made it (a user cleaned up)
        _ensure_dir(path.parent, again=True)
        fd = os.open(path, flags, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Replace ``path`` whole; a failed write (a full disk) leaves the old file and no temp file."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = _open_to_write(tmp, os.O_CREAT | os.O_EXCL)
    try:
        try:
            _write_all(fd, data)
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)  # rename replaces a symlink at `path` instead of writing through it
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_once(path: Path, data: bytes) -> None:
    """An artifact written once by its producer before anyone reads it (prompts, results, shared
    outputs): no rename needed, and a symlink planted at the path is refused."""
    fd = _open_to_write(path, os.O_CREAT | os.O_TRUNC)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def atomic_write_json(path: Path, value: object, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode(), fsync=fsync)


def append_bytes(path: Path, data: bytes) -> int:
    """Append and return the new size (a symlink or FIFO planted at the log path is refused)."""
    fd = _open_to_write(path, os.O_CREAT | os.O_APPEND)
    try:
        _write_all(fd, data)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def overwrite_start(path: Path, data: bytes) -> None:
    """Overwrite the first bytes of a small file in place (no rename): the caller keeps the length
    fixed, so a reader never sees the file shorter."""
    fd = _open_to_write(path, os.O_CREAT)
    try:
        os.pwrite(fd, data, 0)
    finally:
        os.close(fd)


def read_regular(path: Path, tail: int | None = None) -> bytes:
    """The bytes of a regular file (its last ``tail`` bytes only, if given), without following a
    symlink or blocking on a FIFO or device."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if tail is not None:
            os.lseek(fd, max(0, info.st_size - tail), os.SEEK_SET)
        elif info.st_size > MAX_STATE_BYTES:
            raise OSError(errno.EFBIG, f"larger than {MAX_STATE_BYTES >> 20} MiB", str(path))
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_json(path: Path) -> object | None:
    """A file whose absence or damage means "nothing there" (a cancel request, a status hint)."""
    try:
        return json.loads(read_regular(path))
    except (OSError, ValueError):
        return None
