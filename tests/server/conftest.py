"""Fixtures of the server tests (the harness itself is in lsp_harness.py)."""

from __future__ import annotations

import pytest_asyncio
from lsp_harness import PROFILES, start_session, stop_session
from raw_jsonrpc import RawServer


@pytest_asyncio.fixture(params=list(PROFILES))
async def session(request, tmp_path):
    s = await start_session(tmp_path, request.param)
    try:
        await s.ready()
        yield s
    finally:
        await stop_session(s)


@pytest_asyncio.fixture
async def raw_server(tmp_path):
    """The real server over raw JSON-RPC, for what a client library would not send (raw_jsonrpc.py)."""
    raw = await RawServer.start(tmp_path / "home")
    try:
        yield raw
    finally:
        await raw.kill()
