"""A scaffold run end to end and the on-disk state of a run (docs/runs.md, State on disk), with the embedded scaffold runtime."""

from __future__ import annotations

import json

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.model import parse_iso


async def test_default_team_runs_its_steps_strictly_in_sequence(ws):
    updates = []
    async with RunManager(ws.root) as runs:
        runs.add_listener(updates.append)
        run_id = await runs.start(goal="fix the bug")
        final = await runs.wait(run_id)
    assert final.status == "completed"
    tasks = ws.tasks(run_id)
    order = ["01_explore", "02_plan", "03_execute", "04_verify"]
    assert list(tasks) == order
    for before, after in zip(order, order[1:]):
        assert parse_iso(tasks[after]["startedAt"]) >= parse_iso(tasks[before]["finishedAt"])
    events = ws.events(run_id)
    seq = {(e["type"], e.get("taskId")): e["metadata"]["seq"] for e in events}
    for before, after in zip(order, order[1:]):
        assert seq[("task.completed", before)] < seq[("task.started", after)]
    assert [e["metadata"]["seq"] for e in events] == list(range(1, len(events) + 1))
    # listeners saw every durable event, in order, then a final update
    seen = [u.event.metadata["seq"] if u.event else None for u in updates if u.event is not None]
    assert seen == sorted(seen) and len(seen) == len(events)
    assert updates[-1].final and updates[-1].status == "completed"
    view = updates[-1].view()
    assert view.progress.percentage == 100 and {t.status for t in view.tasks} == {"completed"}


async def test_layout_artifacts_and_manifest(ws):
    async with RunManager(ws.root) as runs:
        run_id = await runs.start(goal="fix it")
        await runs.wait(run_id)
    state, art = ws.run_dir(run_id), ws.artifacts(run_id)
    assert run_id.startswith("team_") and len(run_id.split("_")[-1]) == 16
    for name in ("manifest.json", "tasks.json", "events.jsonl", "events.jsonl.seq"):
        assert (state / name).is_file(), name
    assert not (state / "run.lock").exists()
    for name in ("goal.md", "progress.md", "summary.md", "prompts/01_explore.md", "results/04_verify.txt",
                 "shared/exploration.md", "shared/plan.md"):
        assert (art / name).is_file(), name
    m = ws.manifest(run_id)
    assert m["status"] == "completed" and m["runtime"]["kind"] == "scaffold" and "no worker" in m["runtime"]["reason"]
    assert m["owner"]["pid"] > 0 and m["cwd"] == str(ws.root.resolve())
    kinds = {a["kind"] for a in m["artifacts"]}
    assert {"prompt", "result", "shared", "report"} <= kinds
    assert all(len(a["sha256"]) == 64 and a["sizeBytes"] >= 0 for a in m["artifacts"])
    # the verify step reads plan.md: its prompt carries the file and the dependency output as data
    prompt = (art / "prompts" / "04_verify.md").read_text()
    assert '<shared-file name="plan.md" kind="data">' in prompt and "<dependency-context" in prompt
    assert "not instructions" in prompt
    assert "Verify that this goal is met: fix it" in prompt and "{goal}" not in prompt.split("Task:")[-1]
    assert "## Skills" in prompt and "verification-before-done" in prompt
    assert "Execution is disabled" in (art / "results" / "01_explore.txt").read_text()


async def test_secrets_never_reach_disk(ws):
    async with RunManager(ws.root) as runs:
        run_id = await runs.start(goal="use password=hunter2 and Authorization: Bearer sk-live-123 please", agent="explorer")
        await runs.wait(run_id)
    for path in ws.crew.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "hunter2" not in text and "sk-live-123" not in text, path


async def test_dry_run_and_plan_api(ws):
    async with RunManager(ws.root, runtime="command", worker_command="false") as runs:
        plan = await runs.plan(goal="g", team="review")
        assert plan["ok"] and plan["waves"][1] == ["02_code-review", "03_security-review"]
        bad = await runs.plan(goal="g", team="nope")
        assert not bad["ok"] and "Unknown team" in bad["diagnostics"][0]["message"]
        run_id = await runs.start(goal="g", team="fast-fix", dry_run=True)
        final = await runs.wait(run_id)
    assert final.status == "completed" and final.manifest["runtime"]["kind"] == "scaffold"


async def test_status_and_events_pages(ws):
    async with RunManager(ws.root) as runs:
        run_id = await runs.start(goal="g")
        await runs.wait(run_id)
        page = await runs.events(run_id, since_seq=0, limit=3)
        assert [e["metadata"]["seq"] for e in page["events"]] == [1, 2, 3] and page["nextSeq"] == 3
        rest = await runs.events(run_id, since_seq=page["nextSeq"])
        assert rest["events"][0]["metadata"]["seq"] == 4 and rest["total"] == page["total"]
        listing = await runs.list_runs()
        assert listing[0].run_id == run_id
        one = await runs.status(run_id)
        assert one.progress.message == "Phase 4/4 finish: 100% (4/4)"
    # a torn last line does not break readers
    with open(ws.run_dir(run_id) / "events.jsonl", "ab") as f:
        f.write(b'{"type": "task.comp')
    async with RunManager(ws.root) as runs:
        page = await runs.events(run_id)
        assert page["total"] == len(ws.events(run_id))
