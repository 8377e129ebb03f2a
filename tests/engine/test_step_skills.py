"""Which skills a task gathers from a step's `skills:` (as pi-crew reads it): `false` turns off only the
role-default skills; an empty `skills:` or `skills: ,` is not set."""

from __future__ import annotations

import pytest

from crew_lsp.engine.config import EngineConfig
from crew_lsp.engine.plan import build_plan, load_snapshot
from crew_lsp.engine.prompts import select_skills

EXECUTOR_DEFAULTS = ["state-mutation-locking", "safe-bash", "verification-before-done"]


def _task_and_role(ws, step_skills: str, role_line: str = "agent=executor"):
    (ws.crew / "teams" / "crew.team.md").write_text(f"---\nname: crew\ndefaultWorkflow: flow\n---\n- executor: {role_line}\n")
    ws.workflow("flow", f"## execute\nrole: executor\n{step_skills}\n\nDo {{goal}}.\n")
    plan = build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="crew")
    (task,) = plan.tasks
    return task, plan.roles["executor"]


def test_step_skills_false_drops_only_the_role_defaults(ws):
    task, role = _task_and_role(ws, "skills: false", "agent=executor skills=minimal-diff")
    # agent, role and run-override skills still apply
    assert select_skills(task, role, ["agent-skill"], ["run-skill"]) == ["agent-skill", "minimal-diff", "run-skill"]


@pytest.mark.parametrize("value", ["skills:", "skills: ,", "skills:  , ,"])
def test_empty_step_skills_are_not_set(ws, value):
    task, role = _task_and_role(ws, value)
    assert task.skills is None
    assert select_skills(task, role, []) == EXECUTOR_DEFAULTS


def test_step_skills_add_to_the_role_defaults(ws):
    task, role = _task_and_role(ws, "skills: minimal-diff")
    assert select_skills(task, role, []) == [*EXECUTOR_DEFAULTS, "minimal-diff"]



def test_the_role_defaults_are_the_versions(ws):
    from crew_lsp.resources.versions import reading_for

    (ws.crew / "teams" / "crew.team.md").write_text("---\nname: crew\ndefaultWorkflow: flow\n---\n- writer: agent=writer\n")
    ws.workflow("flow", "## notes\nrole: writer\n\nWrite {goal}.\n")
    (task,) = build_plan(load_snapshot(ws.root), EngineConfig(), goal="g", team="crew").tasks
    assert select_skills(task, None, []) == ["context-artifact-hygiene", "verify-evidence"]
    newest = reading_for((0, 10, 1)).role_default_skills
    assert select_skills(task, None, [], role_defaults=newest) == ["context-artifact-hygiene", "verification-before-done"]


def test_the_skill_texts_are_the_versions_shipped_skills(ws):
    from crew_lsp.engine.prompts import skill_texts

    old, new = load_snapshot(ws.root, "0.2"), load_snapshot(ws.root, "0.10")
    # 0.9.17 stopped shipping verify-evidence and ships council, whose text crew-lsp does not have
    assert [s.body is not None for s in skill_texts(["verify-evidence", "safe-bash"], old)] == [True, True]
    assert [s.body is not None for s in skill_texts(["verify-evidence", "safe-bash", "council"], new)] == [False, True, False]
