"""Where cache files live and how they are read and written (docs/cache.md, Where).

The folder is `$XDG_CACHE_HOME/crew-lsp/diagnostics` (an absolute `XDG_CACHE_HOME` only), else
`~/.cache/crew-lsp/diagnostics`: only the environment chooses it, never a workspace. Our two folders are
created 0700 and opened without following a symlink, and must belong to the user; each file is opened
relative to that folder's descriptor without following a symlink, must be a regular file of the user
of bounded size, and is written 0600 to a fresh temporary name, then renamed over the old one (a
symlink planted there is replaced, never written through). Where files cannot be opened relative to
a folder's descriptor (Windows) there is no cache. Only the newest `MAX_FILES` files are kept.
"""

from __future__ import annotations

import json
import os
import stat

MAX_FILES = 64  # files remembered, two per folder at most (the oldest files are removed beyond that)
MAX_BYTES = 64 * 1024 * 1024
_DIRS = ("crew-lsp", "diagnostics")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
# every file operation is made relative to the cache folder's descriptor (no path can be swapped
# under it): where the system cannot (Windows), there is no cache
SUPPORTED = {os.open, os.mkdir, os.rename, os.unlink, os.stat} <= os.supports_dir_fd


def cache_base() -> str:
    value = os.environ.get("XDG_CACHE_HOME", "")
    return value if os.path.isabs(value) else os.path.join(os.path.expanduser("~"), ".cache")


def _open_folder(create: bool) -> int | None:
    """A descriptor of our cache folder (None when it is missing and not created, or not safe to use)."""
    if not SUPPORTED:
        return None
    try:
        fd = os.open(cache_base(), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        if not create:
            return None
        try:
            os.makedirs(cache_base(), mode=0o700, exist_ok=True)
            fd = os.open(cache_base(), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return None
    for name in _DIRS:
        try:
            if create:
                try:
                    os.mkdir(name, 0o700, dir_fd=fd)
                except FileExistsError:
                    pass
            inner = os.open(name, _DIR_FLAGS, dir_fd=fd)  # a symlink here fails (O_NOFOLLOW)
        except OSError:
            os.close(fd)
            return None
        os.close(fd)
        fd = inner
        st = os.fstat(fd)
        if st.st_uid != os.getuid():
            os.close(fd)
            return None
        if st.st_mode & 0o077:
            os.fchmod(fd, 0o700)
    return fd


def read(name: str) -> object | None:
    """The JSON of a cache file; None when it is missing, not ours, not a regular file, too big or not JSON."""
    data = read_bytes(name)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def read_bytes(name: str) -> bytes | None:
    """A cache file as stored; None when it is missing, not ours, not a regular file or too big."""
    folder = _open_folder(create=False)
    if folder is None:
        return None
    try:
        fd = os.open(f"{name}.json", os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_size > MAX_BYTES:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            if sum(map(len, chunks)) > MAX_BYTES:
                return None
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks)


def write(name: str, text: str) -> bool:
    """Replace a cache file atomically (0600, never through a symlink); keep the newest MAX_FILES."""
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        return False
    folder = _open_folder(create=True)
    if folder is None:
        return False
    temp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.rename(temp, f"{name}.json", src_dir_fd=folder, dst_dir_fd=folder)  # (atomically replaces it on POSIX)
        _prune(folder)
        return True
    except OSError:
        try:
            os.unlink(temp, dir_fd=folder)
        except OSError:
            pass
        return False
    finally:
        os.close(folder)


def _prune(folder: int) -> None:
    """Keep the newest MAX_FILES cache files (and no temporary file another process left behind long ago)."""
    import time

    files = []
    for entry in os.listdir(folder):
        try:
            st = os.stat(entry, dir_fd=folder, follow_symlinks=False)
        except OSError:
            continue
        if entry.endswith(".tmp"):
            if st.st_mtime < time.time() - 3600:
                _unlink(entry, folder)
        elif entry.endswith(".json"):
            files.append((st.st_mtime_ns, entry))
    files.sort(reverse=True)
    for _mtime, entry in files[MAX_FILES:]:
        _unlink(entry, folder)


def _unlink(entry: str, folder: int) -> None:
    try:
        os.unlink(entry, dir_fd=folder)
    except OSError:
        pass
