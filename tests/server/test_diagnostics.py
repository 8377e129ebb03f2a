"""Push and pull diagnostics: content, counts per edit, cross-file, settings, close and delete."""

from __future__ import annotations

import pytest
from lsprotocol import types as T

from crew_lsp.checks.codes import doc_url

from lsp_harness import start_session, stop_session

BROKEN = ".crew/teams/broken.team.md"
TEAM = ".crew/teams/docs.team.md"
AGENT = ".crew/agents/scribe.md"
WORKFLOW = ".crew/workflows/docs.workflow.md"


async def _not(answer) -> bool:
    return not await answer


def _only(diags: list[T.Diagnostic]) -> T.Diagnostic:
    assert len(diags) == 1, [(d.code, d.message) for d in diags]
    return diags[0]


async def test_initial_push_covers_closed_files_with_the_full_diagnostic(session):
    # nothing is open: the broken team was pushed from the background index
    d = _only(session.pushed(BROKEN))
    assert d.code == "CREW201"
    assert d.source == "crew"
    assert d.severity == T.DiagnosticSeverity.Error
    assert d.range == T.Range(T.Position(6, 16), T.Position(6, 21))
    assert d.message == "Role `scribe` references unknown agent `scrib` — did you mean `scribe`?"
    assert d.code_description.href == doc_url("CREW201")
    first_fix = d.data["fixes"][0]
    assert (first_fix["title"], first_fix["edits"]) == ("Change to `scribe`", [[6, 16, 6, 21, "scribe"]])
    # clean files were never published (their set is empty, like the client's)
    assert session.publishes_for(TEAM) == []
    assert session.publishes_for(WORKFLOW) == []
    assert len(session.publishes_for(BROKEN)) == 1


async def test_one_publish_per_changed_set_and_none_when_unchanged(session):
    session.open(BROKEN)
    await session.barrier()
    start = len(session.publishes)
    # an edit that changes the set: `scrib` → `scribe` clears the error
    session.change(BROKEN, (6, 16), (6, 21), "scribe")
    assert await session.diagnostics(BROKEN) == []
    pushed = session.publishes_for(BROKEN, start)
    if session.pull:
        # document pull serves the open file: its pushed copy was withdrawn at open, nothing is pushed now
        assert pushed == []
    else:
        assert [len(p.diagnostics) for p in pushed] == [0]
    # an edit that leaves the set unchanged: no publish at all
    mark = len(session.publishes)
    session.change(BROKEN, (6, 30), (6, 30), " carefully")
    await session.barrier()
    assert session.publishes[mark:] == []
    # and the error comes back with exactly one publish (push) or a new pull report
    mark = len(session.publishes)
    session.change(BROKEN, (6, 16), (6, 22), "nobody")
    diags = await session.diagnostics(BROKEN)
    assert [d.code for d in diags] == ["CREW201"]
    assert diags[0].range == T.Range(T.Position(6, 16), T.Position(6, 22))
    if not session.pull:
        assert len(session.publishes_for(BROKEN, mark)) == 1
        assert len(session.publishes[mark:]) == 1


async def test_open_publishes_once_for_push_clients(session):
    mark = len(session.publishes)
    session.open(BROKEN)
    await session.barrier()
    if session.pull:
        # the pushed copy is withdrawn: the editor now pulls this document
        assert [len(p.diagnostics) for p in session.publishes_for(BROKEN, mark)] == [0]
        assert [d.code for d in await session.diagnostics(BROKEN)] == ["CREW201"]
    else:
        assert [len(p.diagnostics) for p in session.publishes_for(BROKEN, mark)] == [1]
    assert session.publishes[mark:] == session.publishes_for(BROKEN, mark)


async def test_renaming_an_agent_republishes_the_team_that_names_it(session):
    session.open(AGENT)
    await session.barrier()
    mark = len(session.publishes)
    session.change(AGENT, (1, 6), (1, 12), "penman")  # name: scribe → penman
    await session.until(lambda: session.publishes_for(TEAM, mark), what="the team to be re-published")
    team = session.pushed(TEAM)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in team] == [("CREW201", 6, 16)]
    assert "unknown agent `scribe`" in team[0].message
    # the broken team still names `scrib`: now closer to nothing, but its set changed (the suggestion went)
    await session.barrier()
    assert len(session.publishes_for(TEAM, mark)) == 1
    # and back: the team is cleared with exactly one more publish
    mark = len(session.publishes)
    session.change(AGENT, (1, 6), (1, 12), "scribe")
    await session.until(lambda: session.publishes_for(TEAM, mark), what="the team to be cleared")
    await session.barrier()
    assert [len(p.diagnostics) for p in session.publishes_for(TEAM, mark)] == [0]


async def test_severity_setting_change_republishes_without_restart(session):
    mark = len(session.publishes)
    session.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(
        settings={"crew": {"diagnostics": {"severity": {"CREW201": "off"}}}}))
    await session.until(lambda: session.publishes_for(BROKEN, mark), what="re-publish after severity off")
    assert session.pushed(BROKEN) == []
    mark = len(session.publishes)
    session.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(
        settings={"diagnostics": {"severity": {"CREW201": "hint"}}}))  # top-level shape works too
    await session.until(lambda: session.publishes_for(BROKEN, mark), what="re-publish as a hint")
    d = _only(session.pushed(BROKEN))
    assert (d.code, d.severity) == ("CREW201", T.DiagnosticSeverity.Hint)
    # delayMs from initializationOptions survives (settings merge over the initial options)
    result = await session.command("crew.doctor", {})
    assert result["settings"]["diagnostics"] == {"delayMs": 0, "severity": {"CREW201": "hint"}, "cache": True}


async def test_close_of_an_unsaved_file_clears_it(session):
    rel = ".crew/teams/draft.team.md"
    session.open(rel, "---\nname: draft\ndescription: d\ndefaultWorkflow: docs\n---\n"
                      "- explorer: agent=explorer go\n- scribe: agent=nobody go\n")
    diags = await session.diagnostics(rel)
    assert [d.code for d in diags] == ["CREW201"]
    mark = len(session.publishes)
    session.close(rel)  # never saved: the file does not exist on disk
    await session.until(lambda: any(not p.diagnostics for p in session.publishes_for(rel, mark)) or
                        (session.pull and not session.publishes_for(rel, mark)), what="clearing")
    await session.barrier()
    assert session.pushed(rel) == []


async def test_close_of_a_deleted_file_clears_it(session):
    session.open(BROKEN)
    await session.barrier()
    assert await session.hovers(BROKEN, 5, 19)  # `agent=explorer` while the file is open
    session.path(BROKEN).unlink()
    mark = len(session.publishes)
    session.close(BROKEN)
    if session.pull:
        # the pushed copy was withdrawn at open; a closed, deleted file is never pushed again
        # the close is handled once the server no longer knows the file (an event, not a delay)
        await session.until(lambda: _not(session.hovers(BROKEN, 5, 19)), what="the server to drop the file")
        assert session.publishes_for(BROKEN, mark) == []
    else:
        await session.until(lambda: session.publishes_for(BROKEN, mark), what="the deleted file to be cleared")
        await session.barrier()
        assert [list(p.diagnostics) for p in session.publishes_for(BROKEN, mark)] == [[]]
    assert session.pushed(BROKEN) == []


async def test_closing_a_pulled_document_pushes_its_set_again(session):
    # the editor holds one unsaved line more than the disk; its diagnostics are the same
    disk = session.path(BROKEN).read_text()
    session.open(BROKEN, disk + "- extra: agent=scribe help\n")
    assert await session.hovers(BROKEN, 7, 16)  # `agent=scribe` on the unsaved line
    mark = len(session.publishes)
    session.close(BROKEN)
    if session.pull:
        await session.until(lambda: session.publishes_for(BROKEN, mark), what="the closed file to be pushed")
        assert [d.code for d in session.pushed(BROKEN)] == ["CREW201"]
    else:
        # the close is handled once the server reads the disk text again (the unsaved line is gone)
        await session.until(lambda: _not(session.hovers(BROKEN, 7, 16)), what="the disk text to be read back")
        assert session.publishes_for(BROKEN, mark) == []  # unchanged: the editor still holds it


async def test_deleting_a_file_on_disk_clears_it(session):
    mark = len(session.publishes)
    session.path(BROKEN).unlink()
    session.watched((BROKEN, T.FileChangeType.Deleted))
    await session.until(lambda: session.publishes_for(BROKEN, mark), what="the deleted file to be cleared")
    await session.barrier()
    assert [list(p.diagnostics) for p in session.publishes_for(BROKEN, mark)] == [[]]


async def test_a_new_file_on_disk_is_checked(session):
    rel = ".crew/teams/extra.team.md"
    session.path(rel).write_text("---\nname: extra\ndescription: e\ndefaultWorkflow: docs\n---\n"
                                 "- explorer: agent=explorer go\n- scribe: agent=ghost go\n")
    session.watched((rel, T.FileChangeType.Created))
    await session.until(lambda: session.publishes_for(rel), what="the new file to be published")
    assert [d.code for d in session.pushed(rel)] == ["CREW201"]


async def test_pull_reports_carry_result_ids_and_unchanged(tmp_path):
    s = await start_session(tmp_path, "neovim")
    try:
        await s.ready()
        assert s.pull
        s.open(BROKEN)
        ident = T.TextDocumentIdentifier(uri=s.uri(BROKEN))
        first = await s.client.text_document_diagnostic_async(T.DocumentDiagnosticParams(text_document=ident))
        assert first.kind == "full" and first.result_id
        assert [d.code for d in first.items] == ["CREW201"]
        again = await s.client.text_document_diagnostic_async(
            T.DocumentDiagnosticParams(text_document=ident, previous_result_id=first.result_id))
        assert again.kind == "unchanged" and again.result_id == first.result_id
        s.change(BROKEN, (6, 16), (6, 21), "scribe")
        fixed = await s.client.text_document_diagnostic_async(
            T.DocumentDiagnosticParams(text_document=ident, previous_result_id=first.result_id))
        assert fixed.kind == "full" and list(fixed.items) == [] and fixed.result_id != first.result_id
        # a text edit that keeps the set keeps the id
        s.change(BROKEN, (6, 30), (6, 30), " now")
        same = await s.client.text_document_diagnostic_async(
            T.DocumentDiagnosticParams(text_document=ident, previous_result_id=fixed.result_id))
        assert same.kind == "unchanged"
        # workspace pull is not offered (VS Code would re-poll it every 2 s)
        assert s.init.capabilities.diagnostic_provider.workspace_diagnostics is False
        assert s.init.capabilities.diagnostic_provider.inter_file_dependencies is True
    finally:
        await stop_session(s)


@pytest.mark.parametrize("profile", ["vscode"])
async def test_push_clients_get_no_pull_provider(tmp_path, profile):
    s = await start_session(tmp_path, profile)
    try:
        assert s.init.capabilities.diagnostic_provider is None
    finally:
        await stop_session(s)


async def test_related_information_for_a_duplicate_key(session):
    rel = ".crew/agents/scribe.md"
    session.open(rel, "---\nname: scribe\ndescription: one\ndescription: two\n---\nYou write.\n")
    diags = await session.diagnostics(rel)
    (dup,) = [d for d in diags if d.code == "CREW106"]
    assert dup.range.start.line in (2, 3)
    (related,) = dup.related_information
    assert related.location.uri == session.uri(rel)
    assert {related.location.range.start.line, dup.range.start.line} == {2, 3}


async def test_extra_roots_setting_reindexes_without_restart(session, tmp_path):
    extra = tmp_path / "extra"
    (extra / "agents").mkdir(parents=True)
    (extra / "agents" / "penman.md").write_text("---\nname: penman\ndescription: Writes\n---\nYou write.\n")
    rel = ".crew/teams/pen.team.md"
    session.path(rel).write_text("---\nname: pen\ndescription: p\ndefaultWorkflow: docs\n---\n"
                                 "- explorer: agent=explorer x\n- scribe: agent=penman y\n")
    session.watched((rel, T.FileChangeType.Created))
    await session.until(lambda: session.pushed(rel), what="the unknown agent")
    assert [d.code for d in session.pushed(rel)] == ["CREW201"]
    mark = len(session.publishes)
    session.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(
        settings={"crew": {"roots": [str(extra)]}}))
    await session.until(lambda: session.publishes_for(rel, mark), what="the team to be re-checked")
    assert session.pushed(rel) == []
    # the broken team is still reported once, unchanged sets are not re-sent
    await session.barrier()
    assert session.publishes_for(BROKEN, mark) == []


async def test_workspace_folders_can_be_added_and_removed(session, tmp_path):
    other = tmp_path / "other"
    team = other / ".crew" / "teams" / "lonely.team.md"
    team.parent.mkdir(parents=True)
    team.write_text("---\nname: lonely\ndescription: l\ndefaultWorkflow: fast-fix\n---\n"
                    "- explorer: agent=nobody x\n- executor: agent=executor y\n")
    uri = team.as_uri()
    folder = T.WorkspaceFolder(uri=other.as_uri(), name="other")
    session.client.workspace_did_change_workspace_folders(T.DidChangeWorkspaceFoldersParams(
        event=T.WorkspaceFoldersChangeEvent(added=[folder], removed=[])))
    await session.until(lambda: session.client.diagnostics.get(uri), what="the new folder's diagnostics")
    assert "CREW201" in [d.code for d in session.client.diagnostics[uri]]
    session.client.workspace_did_change_workspace_folders(T.DidChangeWorkspaceFoldersParams(
        event=T.WorkspaceFoldersChangeEvent(added=[], removed=[folder])))
    await session.until(lambda: not session.client.diagnostics.get(uri), what="the removed folder to be cleared")
