"""Correlation ids follow the code working for a run, and only it (docs/telemetry.md, Correlation)."""

from __future__ import annotations

import logging

import anyio

from crew_lsp.telemetry.correlation import CorrelationFilter, correlate, current_ids, span_id


def test_ids_are_set_within_the_block_and_restored_after_it():
    assert current_ids() == {}
    with correlate("run_1"):
        assert current_ids() == {"traceId": "run_1"}
        with correlate("run_1", "01_plan", 2):
            assert current_ids() == {"traceId": "run_1", "spanId": "run_1:01_plan:2"}
        assert current_ids() == {"traceId": "run_1"}
    assert current_ids() == {}
    assert span_id("r", "t", 1) == "r:t:1"


async def test_concurrent_runs_each_see_their_own_ids_also_in_worker_threads():
    seen: dict[str, list] = {}

    async def work(run_id: str) -> None:
        with correlate(run_id, "01_task", 1):
            await anyio.sleep(0)  # let the other run interleave
            seen[run_id] = [current_ids(), await anyio.to_thread.run_sync(current_ids)]

    async with anyio.create_task_group() as tg:
        tg.start_soon(work, "run_a")
        tg.start_soon(work, "run_b")
    for run_id in ("run_a", "run_b"):
        expected = {"traceId": run_id, "spanId": f"{run_id}:01_task:1"}
        assert seen[run_id] == [expected, expected]


def test_log_records_carry_the_ids_of_their_run(caplog):
    logger = logging.getLogger("crew_lsp.test_correlation")
    logger.addFilter(CorrelationFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("outside")
        with correlate("run_1", "02_build", 1):
            logger.info("inside")
    outside, inside = caplog.records
    assert (outside.traceId, outside.spanId) == (None, None)
    assert (inside.traceId, inside.spanId) == ("run_1", "run_1:02_build:1")
