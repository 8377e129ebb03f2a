"""Fixtures of the server tests (the harness itself is in lsp_harness.py)."""

from __future__ import annotations

import pytest_asyncio
from lsp_harness import PROFILES, start_session, stop_session


@pytest_asyncio.fixture(params=list(PROFILES))
async def session(request, tmp_path):
    s = await start_session(tmp_path, request.param)
    try:
        await s.ready()
        yield s
    finally:
        await stop_session(s)
