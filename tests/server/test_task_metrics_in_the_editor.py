"""Worker metric lines in the editor (docs/runs.md, Metric lines): a real run with the command runtime
whose worker prints `CREW_METRIC` lines; the figures reach `crew.status`, `crew/runUpdate` and the
`crew_task_metric` gauge of `crew.metrics`."""

from __future__ import annotations

import sys

from lsp_harness import AGENT, TEAM, WORKFLOW
from run_harness import start_run_session, stop_run_session

DOCS = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}
WORKER = ("import sys\nsys.stdin.read()\n"
          "print('checked the docs')\nprint('CREW_METRIC pages=12')\nprint('CREW_METRIC broken_links=0')\n")


async def test_metric_lines_of_a_real_worker_reach_status_run_updates_and_the_gauge(tmp_path):
    worker = {"worker": {"runtime": "command", "command": [sys.executable, "-c", WORKER]}}
    s = await start_run_session(tmp_path, DOCS, crew=True, init_options=worker)
    try:
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        view = await s.run_until(run_id)
        assert view["status"] == "completed"
        assert {t["id"]: t["metrics"] for t in view["tasks"]} == {
            "01_explore": {"pages": 12, "broken_links": 0}, "02_write": {"pages": 12, "broken_links": 0}}
        await s.until(lambda: any(t.get("metrics") == {"pages": 12, "broken_links": 0}
                                  for u in s.of("crew/runUpdate", run_id) for t in u["tasks"]),
                      what="a crew/runUpdate with the task's metrics")
        snapshot = (await s.command("crew.metrics", {"filter": "crew_task_metric*"}))["metrics"]
        gauge = next(m for m in snapshot if m["name"] == "crew_task_metric")
        assert {x["labels"]["name"]: x["value"] for x in gauge["series"]} == {"pages": 12, "broken_links": 0}
    finally:
        await stop_run_session(s)
