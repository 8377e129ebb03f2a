"""The adaptive plan of the `implementation` workflow (extraction, strict parse, repair, injection; docs/runs.md, Planning)."""

from __future__ import annotations

import json

import pytest

from crew_lsp.engine.adaptive import END, START, AdaptivePlanError, extract, inject, parse_strict, plan_from_output, repair
from crew_lsp.engine.model import TaskState

ROLES = {"explorer", "analyst", "planner", "critic", "executor", "test-engineer", "reviewer", "security-reviewer", "verifier", "writer"}


def _plan(phases: dict[str, list[str]]) -> str:
    return json.dumps({"phases": [{"name": n, "tasks": [{"role": r, "title": f"{r} work", "task": f"do {r} things"} for r in roles]}
                                  for n, roles in phases.items()]})


def test_three_phases_of_2_1_3():
    text = f"Rationale first.\n{START}\n" + _plan({"research": ["explorer", "analyst"], "build": ["executor"],
                                                    "check": ["reviewer", "test-engineer", "writer"]}) + f"\n{END}\ntrailing"
    plan = plan_from_output(text, ROLES)
    assert [p.name for p in plan.phases] == ["research", "build", "check"]
    assert [len(p.tasks) for p in plan.phases] == [2, 1, 3]
    assert not plan.repaired
    assess = TaskState(id="01_assess", step_id="assess", role="planner", agent="planner", depends_on=[])
    tasks = inject(plan, assess, {r: r for r in ROLES})
    assert [t.id for t in tasks] == ["adaptive-01-explorer", "adaptive-02-analyst", "adaptive-03-executor",
                                     "adaptive-04-reviewer", "adaptive-05-test-engineer", "adaptive-06-writer"]
    assert tasks[0].depends_on == ["01_assess"] and tasks[1].depends_on == ["01_assess"]
    assert tasks[2].depends_on == ["adaptive-01-explorer", "adaptive-02-analyst"]
    assert all(t.depends_on == ["adaptive-03-executor"] for t in tasks[3:])
    assert tasks[2].phase == "build" and "executor work" in tasks[2].task


def test_strict_rejects_13_tasks_and_unknown_roles():
    with pytest.raises(AdaptivePlanError, match="13 tasks"):
        parse_strict(_plan({"a": ["executor"] * 13}), ROLES)
    with pytest.raises(AdaptivePlanError, match="mystery"):
        parse_strict(_plan({"a": ["executor", "mystery"]}), ROLES)
    with pytest.raises(AdaptivePlanError, match="code-review"):
        parse_strict(_plan({"a": ["code-review"]}), ROLES)


def test_repair_closes_brackets_cuts_maps_and_drops():
    text = _plan({"a": ["executor"] * 10, "b": ["code-review", "mystery", "qa", "verifier", "writer"]})
    broken = text[:-3]  # lose the closing brackets
    with pytest.raises(AdaptivePlanError):
        parse_strict(broken, ROLES)
    plan = repair(broken, ROLES)
    assert plan.repaired and plan.task_count == 12
    roles = [t.role for p in plan.phases for t in p.tasks]
    assert roles[10:] == ["reviewer", "test-engineer"]
    assert "mystery" not in roles
    assert any("mystery" in n for n in plan.notes) and any("code-review" in n for n in plan.notes)
    repaired15 = repair(_plan({"a": ["executor"] * 15}), ROLES)
    assert repaired15.task_count == 12


def test_extraction_fallbacks():
    body = _plan({"a": ["executor"]})
    assert extract(f"x {START}\n{body}\n{END}") == body
    assert extract(f"x {START}\n{body}") == body  # no end marker: the text after the start marker
    assert extract(f"intro\n```json\n{body}\n```\nmore") == body  # no markers: the first fenced block
    assert extract("nothing here") is None
    with pytest.raises(AdaptivePlanError, match="no plan"):
        plan_from_output("no plan at all", ROLES)
    top_level = json.dumps({"tasks": [{"role": "executor", "title": "t", "task": "x"}]})
    assert plan_from_output(f"{START}{top_level}{END}", ROLES).task_count == 1
