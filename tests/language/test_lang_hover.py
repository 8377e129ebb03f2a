"""Hover: field docs, agents, roles, steps, skills, placeholders, config keys."""

from __future__ import annotations

from langkit import at, cursors

from crew_lsp.language.hover import hover
from crew_lsp.resources.text import Span


def test_frontmatter_key_docs(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    h = hover(team, snap, *at(team, "def|aultWorkflow"))
    assert h.span == Span(3, 0, 3, 15)
    assert h.markdown == "**defaultWorkflow** — The workflow this team runs (exact name).\n\nDefault: `default`"
    agent = squad.res(snap, "agents/scout.md")
    h = hover(agent, snap, *at(agent, "|tools"))
    assert "Allowed: `read`, `grep`, `find`, `ls`, `bash`, `edit`, `write`" in h.markdown
    assert "Default: `unrestricted`" in h.markdown


def test_default_workflow_value(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    h = hover(team, snap, *at(team, ": f|low"))
    assert h.span == Span(3, 17, 3, 21)
    assert h.markdown.startswith("**workflow `flow`** (project)\n\nScout, build, check\n\nsteps: `scan`, `build`, `check`")


def test_agent_token(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    h = hover(team, snap, *at(team, "agent=sc|out"))
    assert h.span == Span(7, 14, 7, 19)
    assert h.markdown == (f"**agent `scout`** (project)\n\nFinds the files a goal touches\n\ntools read, grep\n\n`{squad.crew / 'agents/scout.md'}`")
    h = hover(team, snap, *at(team, "agent=v|erifier"))
    assert h.markdown.startswith("**agent `verifier`** (builtin)\n\nIndependently checks")
    key = hover(team, snap, *at(team, "|maxConcurrency"))
    assert key.markdown.startswith("**maxConcurrency=** — ")
    assert key.span == Span(9, 26, 9, 40)


def test_role_name_and_skill_item(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    h = hover(team, snap, *at(team, "|executor"))
    assert "**role `executor`** of team `squad` (project)" in h.markdown
    assert "agent `executor` (builtin): Implements planned changes" in h.markdown
    skill = hover(team, snap, *at(team, "sa|fe-bash"))
    assert skill.span == Span(7, 46, 7, 55)
    assert skill.markdown.startswith("**skill `safe-bash`** (builtin)\n\nRun shell commands predictably")


def test_step_role_shows_the_team_role_line(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    h = hover(wf, snap, *at(wf, "role: l|ead"))
    assert h.span == Span(6, 6, 6, 10)
    assert h.markdown == (
        "**role `lead`** of team `squad` (project)\n\n```markdown\n- lead: agent=scout model=openai/gpt-5 skills=safe-bash map the code\n```"
        "\n\nagent `scout` (project): Finds the files a goal touches"
    )


def test_depends_on_item_shows_first_task_line(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    line, col = at(wf, "dependsOn: scan, |build")
    h = hover(wf, snap, line, col)
    assert h.span == Span(line, col, line, col + len("build"))
    assert h.markdown == "**step `build`** — task `02_build`, role `executor`\n\n> Build it."
    first = hover(wf, snap, *at(wf, "dependsOn: s|can"))
    assert first.markdown.endswith("> Scan the code for {goal}.")


def test_step_key_id_and_placeholders(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    assert hover(wf, snap, *at(wf, "|verify")).markdown.startswith("**verify** — This step verifies the others.\n\nAllowed: `true`, `false`")
    step = hover(wf, snap, *at(wf, "## b|uild"))
    assert step.markdown.startswith("**step `build`** — task `02_build`, role `executor`")
    assert hover(wf, snap, *at(wf, "{g|oal}")).markdown == "**{goal}** — replaced by the goal the run was started with."
    other = hover(wf, snap, *at(wf, "{|other}"))
    assert other.span == Span(24, 17, 24, 24) and "stays verbatim" in other.markdown
    assert hover(wf, snap, *at(wf, "|Build it")) is None


def test_config_key(ws):
    text, (stale, mode_key) = cursors('{"limits": {"he|artbeatStaleMs": 5}, "runtime": {"m|ode": "auto"}}')
    ws.write("config.json", text)
    snap = ws.snap()
    res = ws.res(snap, "config.json")
    h = hover(res, snap, *stale)
    assert h.markdown == "**limits.heartbeatStaleMs** — integer\n\nHeartbeat age that counts as stale (default 60000).\n\nRange: 1–86400000"
    mode = hover(res, snap, *mode_key)
    assert mode.markdown.startswith('**runtime.mode** — one of `"auto"`, `"scaffold"`')
    assert "Ignored (with a warning) in the project config" in mode.markdown
