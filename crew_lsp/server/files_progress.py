"""`$/progress` counted in files (indexing a folder): begun only when the client can show it."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from lsprotocol import types as T

if TYPE_CHECKING:
    from crew_lsp.server.session import Session


class FilesProgress:
    """One work-done progress: `done/total files` with its percentage."""

    def __init__(self, session: Session, token: str, total: int):
        self.session, self.token, self.total = session, token, total

    @classmethod
    async def begin(cls, session: Session, title: str, total: int) -> FilesProgress | None:
        """A progress the client has created and shows; None when it cannot."""
        if not session.client.progress:
            return None
        token = str(uuid.uuid4())
        try:
            # never cancelled while the client answers `create` (a known pygls failure mode)
            await asyncio.shield(session.progress.create_async(token))
        except Exception:
            return None
        session.progress.begin(token, T.WorkDoneProgressBegin(
            title=title, percentage=0, message=f"0/{total} files", cancellable=False))
        return cls(session, token, total)

    def report(self, done: int) -> None:
        pct = int(done * 100 / self.total) if self.total else 100
        self.session.progress.report(self.token, T.WorkDoneProgressReport(
            percentage=min(pct, 100), message=f"{done}/{self.total} files"))

    def note(self, message: str) -> None:
        """Say what is happening meanwhile (the count stays where it is)."""
        self.session.progress.report(self.token, T.WorkDoneProgressReport(message=message))

    def end(self, message: str) -> None:
        self.session.progress.end(self.token, T.WorkDoneProgressEnd(message=message))
