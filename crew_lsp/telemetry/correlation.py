"""Correlation ids carried by `contextvars` (docs/telemetry.md, Correlation).

A run's trace id is its run id; a task attempt's span id is ``<runId>:<taskId>:<attempt>`` — the
same ids the engine writes into every event's metadata. Code working for a run sets them once with
`correlate`; anything it calls (event writers, log lines, notifications, exporters) reads them with
`current_ids` without being passed them. Context variables follow anyio/asyncio tasks and
`anyio.to_thread` calls, so the ids of one run never leak into another's.

    with correlate(run_id, task_id, attempt):
        ...                                   # log lines here carry traceId/spanId
    logging.getLogger("crew_lsp").addFilter(CorrelationFilter())
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

TRACE_ID: ContextVar[str | None] = ContextVar("crew_trace_id", default=None)
SPAN_ID: ContextVar[str | None] = ContextVar("crew_span_id", default=None)


def span_id(run_id: str, task_id: str, attempt: int | str) -> str:
    """The span id of one attempt of one task: ``<runId>:<taskId>:<attempt>``."""
    return f"{run_id}:{task_id}:{attempt}"


@contextmanager
def correlate(run_id: str, task_id: str | None = None, attempt: int | str | None = None) -> Iterator[None]:
    """Within the block, the trace id is ``run_id`` and the span id names the task's attempt (no span
    id without both a task and an attempt). The previous ids come back when the block ends."""
    trace_token = TRACE_ID.set(run_id)
    span = span_id(run_id, task_id, attempt) if task_id is not None and attempt is not None else None
    span_token = SPAN_ID.set(span)
    try:
        yield
    finally:
        SPAN_ID.reset(span_token)
        TRACE_ID.reset(trace_token)


def current_ids() -> dict[str, str]:
    """``{"traceId": …, "spanId": …}`` with only the ids that are set (empty outside a run)."""
    out = {}
    trace = TRACE_ID.get()
    if trace is not None:
        out["traceId"] = trace
        span = SPAN_ID.get()
        if span is not None:
            out["spanId"] = span
    return out


class CorrelationFilter(logging.Filter):
    """Adds ``traceId``/``spanId`` attributes to every log record (None outside a run), so a format
    string such as ``%(traceId)s`` works everywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.traceId = TRACE_ID.get()
        record.spanId = SPAN_ID.get()
        return True
