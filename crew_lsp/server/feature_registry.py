"""How an LSP request reaches its handler in `features.py`: the registrations (`@feature`,
`@on_document`), the document a request is about (`Ctx`, one consistent snapshot) and the binding of
each handler to the session (`register`).

Every handler is exception-safe (a failure is logged redacted and answers the neutral result) and is
async so `$/cancelRequest` can stop the slow ones; pygls builds the capabilities from the
registrations and `capabilities.advertised` drops what the client did not declare.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from crew_lsp.server.errors import CONTENT_MODIFIED

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from crew_lsp.resources.index import Snapshot
    from crew_lsp.resources.model import Resource
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session


class Ctx:
    """The document a request is about: its folder, its resource and the one snapshot to answer from."""

    __slots__ = ("folder", "res", "snap", "path")

    def __init__(self, folder: Folder, res: Resource, snap: Snapshot, path: str):
        self.folder, self.res, self.snap, self.path = folder, res, snap, path


async def context(session: Session, uri: str) -> Ctx | None:
    """The resource behind a URI and the snapshot to answer from; None for anything else."""
    path = session.uris.path(uri)
    if path is None:
        return None
    folder = session.project.owner(path)
    if folder is None or not await session.folder_ready(folder):
        return None
    if path in folder.skipped:
        return None  # too large or binary: no features, no diagnostics
    snap = folder.snapshot
    res = snap.resources.get(path)
    if res is None:
        return None
    return Ctx(folder, res, snap, path)


# ---------------------------------------------------------------- registration

@dataclass(frozen=True, slots=True)
class Feature:
    method: str
    options: Any  # the registration options pygls turns into the server capability
    handle: Callable[[Session, Any], Awaitable[Any]]


FEATURES: list[Feature] = []


def _none() -> None:
    return None


def feature(method: str, options: Any = None, *, empty: Callable[[], Any] = _none):
    """Register a request handler `(session, params)`: exception-safe, a failure is logged (redacted)
    and answers `empty()`; JSON-RPC errors and cancellation pass through."""

    def deco(fn: Callable[[Session, Any], Awaitable[Any]]):
        @functools.wraps(fn)
        async def handle(session: Session, params: Any) -> Any:
            try:
                return await fn(session, params)
            except (JsonRpcException, asyncio.CancelledError):
                raise
            except Exception as exc:
                session.log_error(f"{method} failed", exc)
                return empty()

        FEATURES.append(Feature(method, options, handle))
        return fn

    return deco


def on_document(method: str, options: Any = None, *, empty: Callable[[], Any] = _none, exact: bool = False):
    """A request about one document, handler `(session, ctx, params)`: answers `empty()` without calling it
    when the document is none of ours (not indexed, not read, its folder not loaded in time). `exact`: the
    answer is only valid for the text the request was asked about (the client maps it onto that text and
    shifts it by later edits itself): an edit that overtook the request makes it ContentModified."""

    def deco(fn: Callable[[Session, Ctx, Any], Awaitable[Any]]):
        @feature(method, options, empty=empty)
        async def handle(session: Session, params: Any) -> Any:
            ctx = await context(session, params.text_document.uri)
            if ctx is None or (ctx.res.kind == "guidance" and method != T.TEXT_DOCUMENT_CODE_ACTION):
                return empty()  # of an AGENTS.md only the guidance markers are ours: their diagnostics and fixes
            if exact and session.overtaken():
                raise JsonRpcException(code=CONTENT_MODIFIED, message="the document changed after this request")
            return await fn(session, ctx, params)

        return fn

    return deco


def register(server: LanguageServer, session: Session) -> None:
    """Every registered feature as a pygls feature bound to the session (capabilities.py trims what the
    client did not declare)."""
    for f in FEATURES:
        options = f.options() if callable(f.options) else f.options  # a callable: options built on registration
        server.feature(f.method, options)(session.metrics.timed(f.method, _bound(f.handle, session)))


def _bound(handle: Callable[[Session, Any], Awaitable[Any]], session: Session) -> Callable[[Any], Awaitable[Any]]:
    async def handler(params: Any) -> Any:  # no `ls` parameter: pygls passes only the params
        return await handle(session, params)

    return handler
