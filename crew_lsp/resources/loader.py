"""The one way resource files are read, by `crew-lsp check` and the server alike.

A cloned workspace is untrusted: only regular files of at most `MAX_BYTES` that resolve inside
their root are read. A symlink (to a file or through a folder) whose target leaves the root is not
followed, so `agents/x.md -> ~/secret` never reaches a worker prompt (a file below a folder symlinked
out of its root is not there at all: `scan` does not list it); a FIFO, socket or device is
never read (opened non-blocking, then `fstat`: a FIFO cannot hang the reader); a file above the cap
or with NUL bytes (binary) is not read either. Each of those is indexed as an empty file (its name
still resolves) and carries one `Problem` the checks turn into a diagnostic. Bad UTF-8 is decoded
as pi-crew decodes it (U+FFFD per bad byte) and checked like any file.

Roots are the repository root of the workspace, each extra project root, the user root
(`~/.pi/agent`) and the shipped builtins: a path belongs to the innermost root that holds it.
"""

from __future__ import annotations

import os
import stat

from crew_lsp.resources.record import Record

MAX_BYTES = 2 * 1024 * 1024

Stamp = tuple[int, int]  # (mtime_ns, size) of what was read: how disk changes are noticed

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_SPECIAL = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
            (stat.S_ISBLK, "block device"))


class Problem(Record):
    """Why a file was not read; `message` is what its one diagnostic says."""

    __slots__ = ("reason", "message")

    def __init__(self, reason: str, message: str):
        self.reason = reason  # "too-large" | "binary" | "special" | "symlink-out" | "internal"
        self.message = message


class Loaded(Record):
    """A file as read: text None when there is no file to read (gone, a folder, a dangling link)."""

    __slots__ = ("text", "problem", "stamp")

    def __init__(self, text: str | None, problem: Problem | None = None, stamp: Stamp | None = None):
        self.text = text
        self.problem = problem
        self.stamp = stamp


NO_FILE = Loaded(None)


def too_large(size: int | None) -> Problem:
    amount = f"{size} bytes" if size is not None else f"more than {MAX_BYTES} bytes"
    return Problem("too-large", f"Not checked: too large ({amount}, limit 2 MiB).")


BINARY = Problem("binary", "Not checked: binary file (it contains NUL bytes).")


def internal_problem(exc: BaseException) -> Problem:
    return Problem("internal", f"Not checked: crew-lsp failed to read this file ({type(exc).__name__}).")


def text_problem(text: str) -> Problem | None:
    """The problem of a text an editor sent: the same cap and binary rule as for files on disk."""
    if len(text) * 4 > MAX_BYTES:  # below that no text can exceed the cap: skip the encoding
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            return too_large(size)
    return BINARY if "\x00" in text else None


def _special(mode: int) -> Problem | None:
    for test, what in _SPECIAL:
        if test(mode):
            return Problem("special", f"Not a regular file (a {what}) — not read.")
    return None


def _symlink_out(target: str, root: str) -> Problem:
    return Problem("symlink-out", f"Not read: the symlink leaves the workspace (it points to `{target}`, outside `{root}`).")


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


class Loader:
    """Reads files below a set of roots; remembers where the folders it has seen really are.

    Make one per burst of reads (a scan, a batch of changes): a folder turned into a symlink later
    is seen by the next loader.
    """

    __slots__ = ("_roots", "_real_dirs", "_folders")

    def __init__(self, roots):
        self._roots = sorted({str(r) for r in roots}, key=len, reverse=True)  # lexical roots, innermost first
        # folder → where it really is; a root's is resolved when a path below it is first read (a loader
        # made for one read resolves one root, not all of them)
        self._real_dirs: dict[str, str] = {}
        self._folders: dict[str, bool] = {}  # folder → whether it resolves inside its root

    def root_of(self, path: str) -> tuple[str, str]:
        """(lexical, real) root holding a path; a path under no root is its own folder's."""
        for lexical in self._roots:
            if _inside(path, lexical):
                real = self._real_dirs.get(lexical)
                if real is None:
                    real = self._real_dirs[lexical] = os.path.realpath(lexical)
                return lexical, real
        folder = os.path.dirname(path)
        return folder, self._real_dir(folder)

    def _real_dir(self, folder: str) -> str:
        real = self._real_dirs.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            known = self._real_dirs.get(parent)
            # below a folder already resolved, one lstat tells whether this step is a link
            real = os.path.join(known, name) if known is not None and name and not os.path.islink(folder) \
                else os.path.realpath(folder)
            self._real_dirs[folder] = real
        return real

    def lists(self, folder: str) -> bool:
        """Whether a folder may be listed: it resolves inside its root (no symlink out)."""
        root = self.root_of(folder + os.sep)[1]  # (first: a root resolved is where its folders resolve from)
        return _inside(self._real_dir(folder), root)

    def load(self, path: str) -> Loaded:
        folder, _sep, name = path.rpartition(os.sep)
        try:
            listed = self._folders[folder]  # one look per folder, not per file
        except KeyError:
            listed = self._folders[folder] = self.lists(folder)
        if not listed:
            return NO_FILE  # below a folder symlinked out of its root: not there, as `scan` does not list it
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError:
            return self._not_opened(path, *self.root_of(path))
        return _read(fd)

    def _not_opened(self, path: str, lexical: str, root: str) -> Loaded:
        """A symlink (O_NOFOLLOW refused it), a socket (cannot be opened), or no file at all."""
        try:
            st = os.lstat(path)
        except OSError:
            return NO_FILE
        if stat.S_ISLNK(st.st_mode):
            try:
                target_stat = os.stat(path)
            except OSError:
                return NO_FILE  # dangling: there is nothing to read, as for a missing file
            target = os.path.realpath(path)
            stamp = (target_stat.st_mtime_ns, target_stat.st_size)
            if not _inside(target, root):
                return Loaded("", _symlink_out(target, lexical), stamp)
            try:
                fd = os.open(target, _OPEN_FLAGS)
            except OSError:
                return NO_FILE  # changed under us: the next look sees the new state
            return _read(fd)
        problem = _special(st.st_mode)
        return Loaded("", problem, (st.st_mtime_ns, st.st_size)) if problem is not None else NO_FILE


def _read(fd: int) -> Loaded:
    """The text behind an open descriptor: exact (no newline translation), at most MAX_BYTES.

    Plain `os.read` calls: no file object per file (a buffered text file costs more than the read).
    """
    try:
        st = os.fstat(fd)
        stamp = (st.st_mtime_ns, st.st_size)
        if not stat.S_ISREG(st.st_mode):
            problem = _special(st.st_mode)
            return Loaded("", problem, stamp) if problem is not None else NO_FILE  # a folder is no file
        if st.st_size > MAX_BYTES:
            return Loaded("", too_large(st.st_size), stamp)
        data = os.read(fd, 65536)
        if data and len(data) != st.st_size:  # all of it at the first read: no second read to see the end
            more = os.read(fd, 65536)
            if more:
                chunks = [data, more]
                total = len(data) + len(more)
                while more and total <= MAX_BYTES:  # the size may lie (a growing file, /proc): one byte past the cap at most
                    more = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
                    chunks.append(more)
                    total += len(more)
                if total > MAX_BYTES:
                    return Loaded("", too_large(None), stamp)
                data = b"".join(chunks)
    except OSError:
        return NO_FILE
    finally:
        os.close(fd)
    if b"\x00" in data:
        return Loaded("", BINARY, stamp)
    return Loaded(data.decode("utf-8", "replace"), None, stamp)


def load_file(path: str, root: str) -> Loaded:
    """One file below one root (a `Loader` reads many)."""
    return Loader([root]).load(path)


def stamp_of(path: str) -> Stamp | None:
    """The stamp a reload would record (the target's, through a symlink); None when gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
