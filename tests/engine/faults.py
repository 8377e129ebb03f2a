"""Fault injection at the operating-system boundary: a disk that fills up.

No file system here can be made small enough to fill for real, so ``os.write``/``os.pwrite`` on the
files under one folder fail with ENOSPC, as the kernel's would. The engine's code runs unchanged.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class DiskFull:
    """Writes to files under ``under`` (whose name contains ``named``, if given) fail with ENOSPC
    from the moment a file whose path ends with ``when_opened`` is opened (``None``: at once), for
    ``failures`` writes (``None``: for good)."""

    def __init__(self, monkeypatch, under: Path, when_opened: str | None = None, failures: int | None = None,
                 named: str = ""):
        self.under = str(under)
        self.full = when_opened is None
        self.failures_left = failures
        self.failed = 0
        self._fds: set[int] = set()  # descriptors of files under `under`
        real_open, real_close, real_write, real_pwrite = os.open, os.close, os.write, os.pwrite

        def open_(path, flags, mode=0o777, *, dir_fd=None):
            fd = real_open(path, flags, mode, dir_fd=dir_fd)
            name = os.fsdecode(os.fspath(path))
            if when_opened is not None and name.endswith(when_opened):
                self.full = True
            if name.startswith(self.under) and named in os.path.basename(name):
                self._fds.add(fd)
            return fd

        def close_(fd):
            self._fds.discard(fd)
            real_close(fd)

        def no_space(fd) -> None:
            if not self.full or fd not in self._fds:
                return
            if self.failures_left is not None:
                if self.failures_left == 0:
                    return
                self.failures_left -= 1
            self.failed += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def write_(fd, data):
            no_space(fd)
            return real_write(fd, data)

        def pwrite_(fd, data, offset):
            no_space(fd)
            return real_pwrite(fd, data, offset)

        monkeypatch.setattr(os, "open", open_)
        monkeypatch.setattr(os, "close", close_)
        monkeypatch.setattr(os, "write", write_)
        monkeypatch.setattr(os, "pwrite", pwrite_)
