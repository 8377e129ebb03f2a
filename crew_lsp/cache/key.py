"""What a folder's diagnostics depend on, as one digest (docs/cache.md, The key).

The digest covers crew-lsp itself (its version, the size and time of each of its source files, the
Python that runs it and the folders holding the libraries whose messages reach diagnostics), the
workspace as discovered (every root, the pi-crew version read as and why, so every file discovery and
version detection read is covered by what it decided), the options that change diagnostics, and every
scanned file in scan order with its stat stamp. Discovery and the scan run anyway on a warm start:
only their results are hashed, never trusted from the cache.
"""

from __future__ import annotations

import os
import stat
import sys
import time

try:  # the blake2 module alone: `hashlib` would load OpenSSL (a few ms of `crew-lsp check` start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

import crew_lsp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from crew_lsp.resources.discovery import Workspace

# libraries whose text reaches diagnostics (YAML and config validation messages)
_LIBRARIES = ("yaml", "pydantic", "pydantic_core", "immutables")
# a file changed this recently may change again within the file system's timestamp granularity
# (up to 2 s on FAT) without its stamp changing: such a state is checked but not stored
RACY_NS = 2_000_000_000

_source: bytes | None = None


def _digest(text: str) -> str:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def source_fingerprint() -> bytes:
    """crew-lsp's version and its source files (an editable install changes code, not the version)."""
    global _source
    if _source is None:
        parts = [crew_lsp.__version__, sys.version, sys.executable]
        package = os.path.dirname(os.path.abspath(crew_lsp.__file__))
        pending = [package]
        while pending:
            with os.scandir(pending.pop()) as found:
                for entry in sorted(found, key=lambda e: e.name):
                    if entry.name == "__pycache__":
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.name.endswith(".py"):
                        st = entry.stat()
                        parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}")
        parts += _library_stamps()
        _source = "\n".join(parts).encode("utf-8", "surrogatepass")
    return _source


def _library_stamps() -> list[str]:
    """Where each library lives and when that folder and its parent last changed (an upgrade renames
    the `*.dist-info` folder beside it): found without importing the library."""
    from importlib.machinery import PathFinder

    out = []
    for name in _LIBRARIES:
        spec = PathFinder.find_spec(name)
        origin = spec.origin if spec is not None else None
        if not origin:
            out.append(f"{name}\0-")
            continue
        folder = os.path.dirname(origin)
        for where in (folder, os.path.dirname(folder)):
            try:
                st = os.stat(where)
                out.append(f"{name}\0{where}\0{st.st_mtime_ns}\0{st.st_ino}")
            except OSError:
                out.append(f"{name}\0{where}\0-")
    return out


def workspace_part(ws: Workspace) -> str:
    """Everything discovery and version detection decided for a folder."""
    found = ws.detection
    detection = (found.version, found.source, found.why, found.newer_than_known) if found is not None else None
    return repr((str(ws.folder), str(ws.repo), str(ws.crew), str(ws.builtin), str(ws.user), [str(r) for r in ws.extra_roots],
                 str(ws.user_config), ws.user_config_why, detection, ws.reading.version))


def _stat_text(st: os.stat_result) -> str:
    return f"{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_ctime_ns}\0{st.st_mode}"


def _stamp(path: str) -> tuple[str, int, tuple[int, int] | None]:
    """A file's stamp (the link's and its target's, through a symlink), its newest modification time,
    and the (mtime_ns, size) of what a loader would read (`loader.Stamp`; None: nothing to read)."""
    try:
        st = os.lstat(path)
    except OSError:
        return "-", 0, None
    if not stat.S_ISLNK(st.st_mode):
        return _stat_text(st), st.st_mtime_ns, (st.st_mtime_ns, st.st_size)
    try:
        target = os.stat(path)
    except OSError:
        return f"{_stat_text(st)}\0dangling", st.st_mtime_ns, None
    return (f"{_stat_text(st)}\0{os.path.realpath(path)}\0{_stat_text(target)}", max(st.st_mtime_ns, target.st_mtime_ns),
            (target.st_mtime_ns, target.st_size))


class Key:
    """The digest of a folder's diagnostics inputs, the cache file it names, and whether it may be stored.
    With ``stamps``, each file's `loader.Stamp` as the key saw it, in scan order (to tell whether a
    file read later is the one the key covers)."""

    __slots__ = ("name", "digest", "racy", "stamps")

    def __init__(self, ws: Workspace, entries: list[tuple[str, str, str]], options: dict[str, object], stamps: bool = False):
        started = time.time_ns()
        chosen = repr(sorted(options.items()))
        lines = [workspace_part(ws), chosen]
        newest = 0
        seen: list[tuple[int, int] | None] | None = [] if stamps else None
        for kind, scope, path in entries:
            text, mtime, read = _stamp(path)
            lines.append(f"{kind}\0{scope}\0{path}\0{text}")
            if mtime > newest:
                newest = mtime
            if seen is not None:
                seen.append(read)
        self.stamps = seen
        hasher = blake2b(source_fingerprint(), digest_size=20)
        hasher.update("\n".join(lines).encode("utf-8", "surrogatepass"))
        self.digest = hasher.hexdigest()
        self.name = _digest(f"{ws.folder}\0{chosen}")  # one file per folder and options
        self.racy = newest > started - RACY_NS
