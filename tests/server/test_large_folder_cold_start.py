"""The cold start of a large folder (docs/architecture.md, Cold start of a large folder): the folder is
indexed compacted and its diagnostics come from `crew-lsp check` in a child process; open documents
are checked by the server; a child that fails leaves the check to the server. The folder here is
small: `CREW_LSP_LARGE_FOLDER_FILES` lowers the threshold."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from lsp_harness import AGENT, BROKEN_TEAM, TEAM, WORKFLOW, start_session, stop_session

from crew_lsp.checks.jobs import LARGE_FOLDER_VARIABLE
from crew_lsp.server.head_start import OFF_VARIABLE

BROKEN = ".crew/teams/broken.team.md"
DOCS_TEAM = ".crew/teams/docs.team.md"
DOCS_WORKFLOW = ".crew/workflows/docs.workflow.md"
FILES = {
    ".crew/agents/scribe.md": AGENT,
    DOCS_TEAM: TEAM,
    BROKEN: BROKEN_TEAM,
    DOCS_WORKFLOW: WORKFLOW,
    ".crew/agents/loner.md": "---\nname: loner\ndescription: Reads\nskills: no-such-skill\n---\nYou read.\n",
    ".crew/teams/solo.team.md": "---\nname: solo\ndescription: One role\n---\n- lead: agent=nobody lead\n",
}
# (without the head start, which has a child check every folder it can: docs/architecture.md, Head start)
IN_SERVER = {OFF_VARIABLE: "1"}
AS_LARGE = {LARGE_FOLDER_VARIABLE: "1", **IN_SERVER}
NO_CACHE = {"diagnostics": {"delayMs": 0, "cache": False}}


def _checked_by_child(s) -> bool:
    return any("checked in a child process" in m.message for m in s.client.log_messages)


def _child_failed(s) -> bool:
    return any("in a child process failed" in m.message for m in s.client.log_messages)


async def _settled(s, env: dict[str, str]) -> None:
    if env.get(LARGE_FOLDER_VARIABLE):
        await s.until(lambda: _checked_by_child(s), what="the child's diagnostics to be published")
    else:
        await s.ready()
    await s.barrier()


def _shown(s) -> dict[str, list]:
    """What the editor shows, by file: the last set published for each (empty ones left out)."""
    return {uri: [(d.code, d.range.start.line, d.message) for d in diags] for uri, diags in s.client.diagnostics.items() if diags}


async def _session_after(tmp_path, env: dict[str, str], edit=None) -> tuple[dict[str, list], object]:
    """What the editor shows once the cold start settled, and what ``edit`` then gave."""
    s = await start_session(tmp_path, "neovim", files=FILES, init_options=NO_CACHE, env=env)
    try:
        await _settled(s, env)
        edited = await edit(s) if edit is not None else None
        return _shown(s), edited
    finally:
        await stop_session(s)


def _relative(shown: dict[str, list]) -> dict[str, list]:
    return {uri.split("/ws/", 1)[1]: diags for uri, diags in shown.items()}


async def test_a_large_folder_publishes_exactly_what_the_server_check_publishes(tmp_path):
    in_server, _ = await _session_after(tmp_path / "a", IN_SERVER)
    by_child, _ = await _session_after(tmp_path / "b", AS_LARGE)
    assert _relative(by_child) == _relative(in_server)
    assert {BROKEN, ".crew/agents/loner.md", ".crew/teams/solo.team.md"} <= set(_relative(by_child))


async def test_a_large_folder_is_indexed_from_the_childs_facts_without_reading_or_parsing_its_files(tmp_path):
    s = await start_session(tmp_path, "neovim", files=FILES, init_options=NO_CACHE, env=AS_LARGE)
    try:
        await s.until(lambda: any("indexed from its child's facts" in m.message for m in s.client.log_messages),
                      what="the folder to be indexed")
        said = next(m.message for m in s.client.log_messages if "indexed from its child's facts" in m.message)
        used, total = map(int, re.search(r"\((\d+) of (\d+) files neither read nor parsed here\)", said).groups())
        assert used == total > len(FILES)  # (the project's files and crew-lsp's builtins)
    finally:
        await stop_session(s)


async def test_a_child_that_fails_leaves_the_check_to_the_server(tmp_path):
    # (the checker refuses a worker count that is not a number; the server does not read it)
    s = await start_session(tmp_path, "neovim", files=FILES, init_options=NO_CACHE, env={**AS_LARGE, "CREW_LSP_JOBS": "many"})
    try:
        await s.until(lambda: _child_failed(s), what="the child to fail")
        await s.ready()
        assert [d.code for d in await s.diagnostics(BROKEN)] == ["CREW201"]
        assert not _checked_by_child(s)
    finally:
        await stop_session(s)


async def test_an_open_document_is_checked_by_the_server_not_the_child(tmp_path):
    s = await start_session(tmp_path, "neovim", files=FILES, init_options=NO_CACHE, env=AS_LARGE)
    try:
        s.open(BROKEN, BROKEN_TEAM.replace("agent=scrib ", "agent=scribe "))  # fixed in the editor, not on disk
        await s.until(lambda: _checked_by_child(s), what="the child's diagnostics to be published")
        assert await s.diagnostics(BROKEN) == []
        assert [p.diagnostics for p in s.publishes_for(BROKEN) if p.diagnostics] == []
    finally:
        await stop_session(s)


async def _rename_scribe_role(s) -> list:
    """The docs workflow's diagnostics once the docs team's `scribe` role is renamed in the editor: the
    workflow, a closed file (compacted after a large cold start), has a step for that role."""
    s.open(DOCS_TEAM)
    s.change(DOCS_TEAM, (6, 2), (6, 8), "writer")
    found = await s.until(lambda: s.client.diagnostics.get(s.uri(DOCS_WORKFLOW)), what="the workflow's new diagnostics")
    return [(d.code, d.range.start.line, d.message) for d in found]


async def test_an_edit_right_after_a_large_cold_start_is_checked_against_compacted_neighbours(tmp_path):
    in_server = await _session_after(tmp_path / "a", IN_SERVER, _rename_scribe_role)
    by_child = await _session_after(tmp_path / "b", AS_LARGE, _rename_scribe_role)
    assert [code for code, _line, message in by_child[1] if "scribe" in message] == ["CREW301"]
    assert (_relative(by_child[0]), by_child[1]) == (_relative(in_server[0]), in_server[1])


def test_child_output_other_than_a_key_and_cache_shaped_diagnostics_is_refused():
    from crew_lsp.server.checker_child import decode

    good = b'{"key":"k","files":[["/w/a.md",[["CREW201",1,0,0,0,4,"Unknown agent",null,null,0]]]]}'
    out = decode(good)
    assert out.key == "k" and [d.code for d in out.found["/w/a.md"]] == ["CREW201"]
    facts = b'{"key":"k","facts":[null,["a",null,true,false,null,null,[],[],[],[]]]}\n'
    assert decode(facts + good + b"\n").key == "k"  # (the facts line first, when the files were parsed)
    assert decode(good + b"\n" + good) is None and decode(facts) is None
    for garbage in (b"", b"not json", b"[]", b'{"files":[]}', b'{"key":1,"files":[]}',
                    b'{"key":"k","files":[["/w/a.md",[["NOPE",1,0,0,0,4,"x",null,null,0]]]]}', b"\xff\xfe"):
        assert decode(garbage) is None


def test_a_facts_line_other_than_a_key_and_a_list_of_rows_is_refused():
    from crew_lsp.server.checker_child import decode_facts, is_facts_line

    line = b'{"key":"k","facts":[null,["a",null,true,false,null,null,[],[],[],[]]]}\n'
    assert is_facts_line(line) and decode_facts(line) == ("k", [None, ["a", None, True, False, None, None, [], [], [], []]])
    for garbage in (b"", b"{}", b'{"key":"k","facts":{}}', b'{"key":1,"facts":[]}', b'{"key":"k","files":[]}', b"\xff"):
        assert decode_facts(garbage) is None


async def test_the_indexing_progress_of_a_large_folder_says_the_files_are_being_checked_first(tmp_path):
    files = {f".crew/agents/a{i:03}.md": f"---\nname: a{i:03}\ndescription: agent {i}\n---\nDo {i}.\n" for i in range(260)}
    s = await start_session(tmp_path, "vscode", files={**FILES, **files}, init_options=NO_CACHE, env=AS_LARGE)
    try:
        await s.until(lambda: any("indexed from its child's facts" in m.message for m in s.client.log_messages),
                      what="the folder to be indexed")
        await s.ready()
        (reports,) = s.client.progress_reports.values()
        messages = [r.message for r in reports if r.kind == "report"]
        total = int(messages[-1].split("/")[1].split()[0])
        assert messages[0] == f"checking {total} files on every core"  # (the count stays where it was)
        assert reports[1].percentage is None and messages[-1] == f"{total}/{total} files"
    finally:
        await stop_session(s)


async def test_a_large_folder_with_a_head_start_is_indexed_from_its_facts_and_shows_what_the_server_check_shows(tmp_path):
    in_server, _ = await _session_after(tmp_path / "a", IN_SERVER)
    head_start = {LARGE_FOLDER_VARIABLE: "1"}
    s = await start_session(tmp_path / "b", "neovim", files=FILES, init_options=NO_CACHE, env=head_start)
    try:
        await s.until(lambda: any("indexed from its child's facts" in m.message for m in s.client.log_messages),
                      what="the folder to be indexed from the head-start child's facts")
        await s.until(lambda: _checked_by_child(s), what="the child's diagnostics to be published")
        await s.barrier()
        assert _relative(_shown(s)) == _relative(in_server)
        assert [(code, line) for code, line, _m in await _rename_scribe_role(s)] == \
            [(code, line) for code, line, _m in (await _session_after(tmp_path / "c", IN_SERVER, _rename_scribe_role))[1]]
    finally:
        await stop_session(s)


async def test_a_second_start_of_a_large_folder_indexes_it_from_the_facts_the_cache_kept(tmp_path):
    from lsp_harness import write_project

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cache"))
    from cacheutil import backdate

    write_project(tmp_path / "ws", FILES)
    backdate(tmp_path)  # (old enough to be stored)
    cache_on = {"diagnostics": {"delayMs": 0, "cache": True}}
    for start in ("first", "second"):
        s = await start_session(tmp_path, "neovim", write=False, init_options=cache_on, env=AS_LARGE)
        try:
            await s.until(lambda: any("indexed from its child's facts" in m.message for m in s.client.log_messages),
                          what=f"the {start} start to index the folder from the child's facts")
            await _settled(s, AS_LARGE)
            shown = _shown(s)
        finally:
            await stop_session(s)
        if start == "first":
            first = shown
            kept = Path(os.environ["XDG_CACHE_HOME"]) / "crew-lsp" / "diagnostics"
            assert len(list(kept.glob("*.facts.json"))) == 1  # (what the second start's child sends again)
    assert shown == first and shown
