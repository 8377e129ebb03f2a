"""crew.guidance.update / crew.guidance.remove / crew.export: the edit is sent with workspace/applyEdit (previewable),
applied here as an editor would, re-checked clean; asking again proposes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Union

import pytest
from lsp_harness import start_session, stop_session
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from crew_lsp.resources.text import offset_at

NOTES = "# House rules\n\nRun the tests before you commit.\n"


def apply_to_disk(edit: T.WorkspaceEdit) -> None:
    """What an editor does with an accepted edit, written straight to the files."""
    def path(uri: str) -> Path:
        return Path(uri.removeprefix("file://"))

    for change in edit.document_changes or []:
        if isinstance(change, T.CreateFile):
            path(change.uri).parent.mkdir(parents=True, exist_ok=True)
            if not path(change.uri).exists():
                path(change.uri).write_bytes(b"")
            continue
        target = path(change.text_document.uri)
        text = target.read_bytes().decode("utf-8")
        out = text
        for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            a = offset_at(text, e.range.start.line, e.range.start.character)
            b = offset_at(text, e.range.end.line, e.range.end.character)
            out = out[:a] + e.new_text + out[b:]
        target.write_bytes(out.encode("utf-8"))
    for uri, edits in (edit.changes or {}).items():
        text = path(uri).read_bytes().decode("utf-8")
        out = text
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            out = out[:offset_at(text, e.range.start.line, e.range.start.character)] + e.new_text + \
                out[offset_at(text, e.range.end.line, e.range.end.character):]
        path(uri).write_bytes(out.encode("utf-8"))


async def run_and_apply(session, name: str, arguments: dict) -> dict:
    before = len(session.client.edits)
    result = await session.command(name, arguments)
    if result["edit"] is None:
        assert len(session.client.edits) == before, "nothing to change: nothing is sent"
        return result
    assert result["applied"] is True
    (params,) = session.client.edits[before:]
    apply_to_disk(params.edit)
    if session.profile == "vscode":  # it can preview: every change waits for the user's confirmation
        assert params.edit.change_annotations["crew"].needs_confirmation is True
    return result


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
async def test_guidance_update_adds_our_block_keeps_the_text_and_is_idempotent(session, newline):
    agents_md = session.path("AGENTS.md")
    agents_md.write_bytes(NOTES.replace("\n", newline).encode())
    result = await run_and_apply(session, "crew.guidance.update", {})
    assert result["path"] == str(session.root.resolve() / "AGENTS.md")
    text = agents_md.read_bytes().decode()
    assert text.startswith(NOTES.replace("\n", newline))
    assert "| `docs` | `docs` | explorer, scribe | Explores and writes documentation |" in text
    assert "\n" not in text.replace(newline, "") if newline == "\r\n" else "\r" not in text
    # pi-crew drops blocks of a CRLF file on its next write: that warning is the only one left
    expected = [] if newline == "\n" else ["CREW604"]
    session.watched(("AGENTS.md", T.FileChangeType.Changed))
    assert await _codes_when_settled(session, expected) == expected
    again = await run_and_apply(session, "crew.guidance.update", {})
    assert again["edit"] is None and agents_md.read_bytes().decode() == text
    removed = await run_and_apply(session, "crew.guidance.remove", {})
    assert removed["edit"] is not None
    assert agents_md.read_bytes().decode() == NOTES.replace("\n", newline)
    assert (await run_and_apply(session, "crew.guidance.remove", {}))["edit"] is None


async def _codes_when_settled(session, expected: list[str]) -> list[str]:
    async def codes():
        found = sorted(str(d.code) for d in await session.diagnostics("AGENTS.md"))
        return found if found == expected else None

    try:
        return await session.until(codes, what="AGENTS.md diagnostics")
    except AssertionError:
        return sorted(str(d.code) for d in await session.diagnostics("AGENTS.md"))


async def test_guidance_update_creates_a_missing_agents_md(session):
    await run_and_apply(session, "crew.guidance.update", {})
    text = session.path("AGENTS.md").read_text()
    assert text.startswith("<!-- PI-CREW:GUIDANCE:START -->\n<!-- PI-CREW:BLOCK:crew-lsp-teams -->\n")
    assert (await run_and_apply(session, "crew.guidance.update", {}))["edit"] is None


async def test_broken_markers_are_diagnosed_and_the_update_refused(session):
    session.path("AGENTS.md").write_text("# Rules\n\n<!-- PI-CREW:GUIDANCE:START -->\nloose text\n")
    session.watched(("AGENTS.md", T.FileChangeType.Created))
    assert await _codes_when_settled(session, ["CREW601"]) == ["CREW601"]
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.guidance.update", {})
    assert "unbalanced (CREW601)" in err.value.message
    # the document is ours only for its markers: other features answer nothing, without failing
    session.open("AGENTS.md")
    assert not await session.hovers("AGENTS.md", 0, 2)
    actions = await session.client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=session.uri("AGENTS.md")), range=T.Range(T.Position(2, 0), T.Position(2, 5)),
        context=T.CodeActionContext(diagnostics=[])))
    assert [a.title for a in actions] == ["Remove the unclosed START marker"]


async def test_a_path_outside_the_workspace_is_refused(session, tmp_path):
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.guidance.update", {"path": str(tmp_path / "elsewhere" / "AGENTS.md")})
    assert "outside the workspace" in err.value.message
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.guidance.update", {"path": "../AGENTS.md"})
    assert "outside the workspace" in err.value.message


async def test_export_an_agent_to_claude_code_creates_a_subagent_and_lists_what_it_cannot_hold(session):
    agent = session.path(".crew/agents/scribe.md")
    agent.write_text(agent.read_text().replace("description:", "thinking: high\ndescription:"))
    session.watched((".crew/agents/scribe.md", T.FileChangeType.Changed))

    async def reread() -> bool:  # the server re-reads a changed file in a worker thread
        preview = await session.command("crew.export", {"target": "claude", "path": str(agent), "apply": False})
        return bool(preview["dropped"])

    await session.until(reread, what="the server reading the changed agent")
    result = await run_and_apply(session, "crew.export", {"target": "claude", "path": str(agent)})
    subagent = session.path(".claude/agents/scribe.md")
    assert result["files"] == [str(session.root.resolve() / ".claude/agents/scribe.md")]
    assert subagent.read_text().startswith('---\nname: scribe\ndescription: "Writes the documentation"\n---\n')
    assert result["dropped"] == [{"path": str(agent.resolve()), "field": "thinking",
                                  "reason": "Claude Code has no counterpart for `thinking`"}]
    again = await run_and_apply(session, "crew.export", {"target": "claude", "path": str(agent)})
    assert again["edit"] is None


def tell_commands_from_code_actions(session) -> None:
    """A code action carrying a command (and no edit) is a CodeAction, as editors tell them apart (by the
    type of `command`): lsprotocol's own reading would take it for a Command."""
    converter = session.client.protocol._converter
    either = Union[T.Command, T.CodeAction]
    converter.register_structure_hook(either, lambda obj, _: converter.structure(
        obj, T.Command if isinstance(obj.get("command"), str) else T.CodeAction))


async def test_export_is_offered_as_source_actions_on_resource_files(session):
    tell_commands_from_code_actions(session)
    session.open(".crew/teams/docs.team.md")
    actions = await session.client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=session.uri(".crew/teams/docs.team.md")),
        range=T.Range(T.Position(0, 0), T.Position(0, 0)), context=T.CodeActionContext(diagnostics=[], only=["source"])))
    exports = [(a.title, a.command.command, a.command.arguments[0]["target"]) for a in actions if a.kind == "source.crew.export"]
    assert exports == [("Export to Claude Code", "crew.export", "claude"), ("Export to Cursor", "crew.export", "cursor"),
                       ("Export to Codex", "crew.export", "codex")]


async def test_without_apply_the_edit_is_only_returned(tmp_path):
    s = await start_session(tmp_path, "neovim")
    try:
        await s.ready()
        result = await s.command("crew.export", {"target": "cursor", "apply": False})
        assert result["applied"] is False and s.client.edits == []
        assert not s.path(".cursor").exists()
        assert sorted(Path(p).name for p in result["files"]) == [
            "crew-agent-scribe.mdc", "crew-team-broken.mdc", "crew-team-docs.mdc", "crew-workflow-docs.mdc"]
    finally:
        await stop_session(s)


async def test_export_refuses_to_write_through_a_symlink_leaving_the_workspace(session, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    session.path(".claude").symlink_to(outside)
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.export", {"target": "claude"})
    assert "symlink leaving the workspace" in err.value.message
    assert session.client.edits == [] and list(outside.iterdir()) == []
