"""Export to Claude Code, Cursor and Codex: per-kind paths, Unicode-safe names, dropped fields listed, nothing lost."""

from __future__ import annotations

import pytest
from langkit import AGENT_SCOUT, TEAM_SQUAD, WORKFLOW_FLOW, WS, apply

from crew_lsp.language.export import EXPORT_BLOCK, export, slug


@pytest.mark.parametrize(("name", "expected"), [
    ("Code Reviewer", "code-reviewer"),
    ("Ünïcode Agent!!", "ünïcode-agent"),
    ("日本 レビュー", "日本-レビュー"),
    ("snake_case__name", "snake-case-name"),
    ("!!!", ""),
])
def test_names_keep_their_letters_in_any_script(name, expected):
    assert slug(name) == expected


def _project(ws: WS):
    ws.write("agents/scout.md", AGENT_SCOUT.replace("tools: read, grep", "tools: read, grep, subagent\nmodel: openai/gpt-5\nthinking: high"))
    ws.write("agents/ünïcode.md", "---\nname: Ünïcode Agent!!\ndescription: \"quotes\" and: colons\n---\nBe careful.\n")
    ws.write("agents/nameless.md", "---\nname: \"!!!\"\ndescription: x\n---\nx\n")
    ws.write("teams/squad.team.md", TEAM_SQUAD)
    ws.write("workflows/flow.workflow.md", WORKFLOW_FLOW)
    snap = ws.snap()
    return snap, [r for r in snap.resources.values() if r.scope == "project" and r.kind != "config"]


def nothing_on_disk(path: str) -> None:
    return None


def test_claude_gets_subagents_commands_per_kind_and_the_dropped_fields(ws: WS):
    snap, resources = _project(ws)
    root = str(ws.root)
    result = export("claude", resources, root, nothing_on_disk)
    created = dict(result.edit.creates)
    assert sorted(p[len(root) + 1:] for p in created) == [
        ".claude/agents/scout.md", ".claude/agents/ünïcode-agent.md",
        ".claude/commands/crew-team-squad.md", ".claude/commands/crew-workflow-flow.md"]
    scout = created[f"{root}/.claude/agents/scout.md"]
    assert scout.startswith('---\nname: scout\ndescription: "Finds the files a goal touches"\ntools: Read, Grep\n---\n\nYou scout.')
    unicode_agent = created[f"{root}/.claude/agents/ünïcode-agent.md"]
    assert 'description: "\\"quotes\\" and: colons"' in unicode_agent  # quoted safely for YAML
    flow = created[f"{root}/.claude/commands/crew-workflow-flow.md"]
    assert "- **build** (executor, after scan): Build it." in flow
    assert 'argument-hint: "<goal>"' in flow and "- **scan** (lead): Scan the code for $ARGUMENTS. More text." in flow
    dropped = {(d.path.rsplit("/", 1)[-1], d.field) for d in result.dropped}
    assert {("scout.md", "model"), ("scout.md", "thinking"), ("scout.md", "skills"), ("scout.md", "tools"),
            ("nameless.md", "name")} <= dropped
    assert any("`subagent`" in d.reason for d in result.dropped if d.field == "tools")


def test_cursor_rules_are_mdc_files_the_agent_may_apply(ws: WS):
    _snap, resources = _project(ws)
    result = export("cursor", resources, str(ws.root), nothing_on_disk)
    squad = dict(result.edit.creates)[f"{ws.root}/.cursor/rules/crew-team-squad.mdc"]
    assert squad.startswith('---\ndescription: "A small squad"\nalwaysApply: false\n---\n\n# squad\n')
    assert "- **lead** (agent `scout`): map the code" in squad


def test_codex_gets_one_block_in_agents_md_and_text_outside_it_stays(ws: WS):
    _snap, resources = _project(ws)
    agents_md = "# House rules\n\nRun the tests.\n"
    result = export("codex", resources, str(ws.root), lambda path: agents_md)
    (path,) = result.edit.changes
    text = apply(agents_md, result.edit.changes[path])
    assert text.startswith(agents_md)
    assert f"<!-- PI-CREW:BLOCK:{EXPORT_BLOCK} -->" in text and "## Team `squad`" in text
    assert result.files[path] == text
    again = export("codex", resources, str(ws.root), lambda p: text)
    assert again.edit.changes == {} and again.edit.creates == []


def test_an_existing_file_is_replaced_whole_and_an_identical_one_left_alone(ws: WS):
    _snap, resources = _project(ws)
    first = export("claude", resources, str(ws.root), nothing_on_disk)
    on_disk = dict(first.edit.creates)
    assert export("claude", resources, str(ws.root), on_disk.get).edit.changes == {}
    stale = {p: "old text\nmore\n" for p in on_disk}
    replaced = export("claude", resources, str(ws.root), stale.get)
    for path, edits in replaced.edit.changes.items():
        assert apply(stale[path], edits) == on_disk[path]
