"""The state machines (docs/runs.md, States), concurrency, plan resolution and the minimal validation."""

from __future__ import annotations

import pytest

from crew_lsp.engine.config import EngineConfig, effective_concurrency, load_config
from crew_lsp.engine.plan import build_plan, load_snapshot
from crew_lsp.engine.states import IllegalTransition, check_run_move, check_task_move
from crew_lsp.engine.validate import PlanError
from crew_lsp.resources.discovery import Workspace as Ws

from engine_helpers import steps


def test_state_machines_allow_only_the_documented_moves():
    check_run_move("r", "queued", "running")
    with pytest.raises(IllegalTransition):
        check_run_move("r", "completed", "failed")
    check_run_move("r", "failed", "running")
    with pytest.raises(IllegalTransition):
        check_task_move("t", "completed", "running")
    check_task_move("t", "completed", "queued")
    for old, new in (("queued", "completed"), ("skipped", "running"), ("cancelled", "completed")):
        with pytest.raises(IllegalTransition):
            check_task_move("t", old, new)


def test_concurrency_precedence_and_the_cap_of_eight():
    # parallel-research, team 4, config limit 1 → 1
    assert effective_concurrency(EngineConfig(max_concurrent_workers=1), 4, None, "parallel-research") == 1
    # implementation, workflow 2, team 4 → 4 (team beats workflow)
    assert effective_concurrency(EngineConfig(), 4, 2, "implementation") == 4
    # config 64 → capped at 8; unbounded → 64
    assert effective_concurrency(EngineConfig(max_concurrent_workers=64), 4, 2, "x") == 8
    assert effective_concurrency(EngineConfig(max_concurrent_workers=64, allow_unbounded=True), 4, 2, "x") == 64
    # name defaults, workflow value, and team values < 1 acting as 1
    assert effective_concurrency(EngineConfig(), None, None, "research") == 3
    assert effective_concurrency(EngineConfig(), None, None, "whatever") == 2
    assert effective_concurrency(EngineConfig(), None, 5, "whatever") == 5
    assert effective_concurrency(EngineConfig(), 0, 5, "whatever") == 1


def test_config_concurrency_limit_applies_to_a_builtin_team(ws):
    ws.config({"limits": {"maxConcurrentWorkers": 1}})
    snap = load_snapshot(ws.root)
    plan = build_plan(snap, load_config(Ws.discover(ws.root)), goal="g", team="parallel-research")
    assert plan.concurrency == 1
    ws.config({"limits": {"maxConcurrentWorkers": 64}})
    assert build_plan(snap, load_config(Ws.discover(ws.root)), goal="g", team="parallel-research").concurrency == 8


def test_default_plan_tasks_and_waves(ws):
    plan = build_plan(load_snapshot(ws.root), EngineConfig(), goal="fix it")
    assert [t.id for t in plan.tasks] == ["01_explore", "02_plan", "03_execute", "04_verify"]
    assert plan.waves() == [["01_explore"], ["02_plan"], ["03_execute"], ["04_verify"]]
    assert plan.tasks[1].depends_on == ["explore"] and plan.tasks[0].agent == "explorer"
    assert all(t.status == "queued" for t in plan.tasks)
    assert plan.tasks[3].verify is True


def _codes(exc: PlanError) -> list[str]:
    return sorted(i.code for i in exc.issues if i.code)


def test_invalid_workflow_is_refused_with_checker_codes(ws):
    ws.team("t", ["planner", "executor"], workflow="bad")
    ws.workflow("bad", steps(
        ("a", "ghost", "b", "x"),
        ("b", "executor", "a, missing-step", "y"),
        ("b", "executor", "", "dup"),
    ))
    with pytest.raises(PlanError) as err:
        build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="t")
    codes = _codes(err.value)
    assert "CREW301" in codes and "CREW302" in codes and "CREW303" in codes and "CREW304" in codes
    cycle = [i for i in err.value.issues if i.code == "CREW303"][0]
    assert "a -> b -> a" in cycle.message or "b -> a -> b" in cycle.message
    assert all(i.path and i.path.endswith("bad.workflow.md") for i in err.value.issues if i.code != "CREW303" or i.path)


@pytest.mark.parametrize("meta", ["output: ../escape.md", "output: /etc/passwd", "reads: ../../secret.md", "reads: ok.md, /abs.md"])
def test_path_escape_in_output_or_reads_is_refused(ws, meta):
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", f"## a\nrole: executor\n{meta}\n\ndo {{goal}}\n")
    with pytest.raises(PlanError) as err:
        build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="t")
    assert "CREW308" in _codes(err.value)


def test_unknown_team_workflow_agent_and_task_limit(ws):
    snap = load_snapshot(ws.root)
    with pytest.raises(PlanError, match="Unknown team"):
        build_plan(snap, EngineConfig(), goal="g", team="nope")
    with pytest.raises(PlanError, match="Unknown workflow"):
        build_plan(snap, EngineConfig(), goal="g", team="default", workflow="nope")
    with pytest.raises(PlanError, match="agent"):
        build_plan(snap, EngineConfig(), goal="g", agent="nobody")
    with pytest.raises(PlanError, match="maxTasksPerRun"):
        build_plan(snap, EngineConfig(max_tasks_per_run=3), goal="g")
    with pytest.raises(PlanError, match="goal"):
        build_plan(snap, EngineConfig(), goal="  ")


def test_direct_agent_run_is_a_synthetic_team(ws):
    plan = build_plan(load_snapshot(ws.root), EngineConfig(), goal="look around", agent="explorer")
    assert plan.team == "direct-explorer"
    assert [(t.id, t.role, t.agent, t.task) for t in plan.tasks] == [("01_explorer", "explorer", "explorer", "{goal}")]


def test_role_with_unknown_agent_is_refused(ws):
    ws.team("t", ["executor=exector"], workflow="w")
    ws.workflow("w", "## a\nrole: executor=exector\n\nx\n")
    (ws.crew / "teams" / "t.team.md").write_text("---\nname: t\ndefaultWorkflow: w\n---\n- executor: agent=exector implement\n")
    ws.workflow("w", "## a\nrole: executor\n\nx\n")
    with pytest.raises(PlanError) as err:
        build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="t")
    assert "CREW201" in _codes(err.value)
