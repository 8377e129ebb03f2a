"""Completion and hover follow the pi-crew version the workspace is read as: a key is offered only
from the version that reads it, and its hover says since when."""

from __future__ import annotations

from langkit import at, cursor

from crew_lsp.language.completion import complete
from crew_lsp.language.hover import hover
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index


def _snap(ws, version: str):
    return Index.load(Workspace.discover(ws.root, pi_crew_version=version)).snapshot


def _labels(items) -> list[str]:
    return [i.label for i in items]


def test_a_key_is_offered_only_from_the_version_that_reads_it(ws):
    text, here = cursor("---\nname: shaped\n|\n---\n## executor\nDo it.\n")
    ws.write("workflows/shaped.workflow.md", text)
    for version, offered in (("0.2.0", False), ("0.9.14", False), ("0.9.15", True), ("0.10.1", True)):
        snap = _snap(ws, version)
        res = ws.res(snap, "workflows/shaped.workflow.md")
        assert ("topology" in _labels(complete(res, snap, *here))) is offered, version


def test_step_keys_follow_the_version(ws):
    text, here = cursor("---\nname: specced\n---\n## executor\nrole: executor\n|\n")
    ws.write("workflows/specced.workflow.md", text)
    old, new = _snap(ws, "0.2"), _snap(ws, "0.10")
    assert "specRefs" not in _labels(complete(ws.res(old, "workflows/specced.workflow.md"), old, *here))
    assert {"specRefs", "seedPaths", "preStepScript"} <= set(_labels(complete(ws.res(new, "workflows/specced.workflow.md"), new, *here)))


def test_tool_values_follow_the_version(ws):
    text, here = cursor("---\nname: asker\ntools: read, |\n---\nYou ask.\n")
    ws.write("agents/asker.md", text)
    old, new = _snap(ws, "0.2"), _snap(ws, "0.10")
    assert "ask" not in _labels(complete(ws.res(old, "agents/asker.md"), old, *here))
    assert {"ask", "delegate", "scratchpad"} <= set(_labels(complete(ws.res(new, "agents/asker.md"), new, *here)))


def test_hover_on_a_versioned_key_says_since_when(ws):
    ws.write("workflows/shaped.workflow.md", "---\nname: shaped\ntopology: sequential\n---\n## executor\nDo it.\n")
    snap = _snap(ws, "0.10.1")
    res = ws.res(snap, "workflows/shaped.workflow.md")
    h = hover(res, snap, *at(res, "top|ology"))
    assert h.markdown.startswith("**topology** — ") and "Read since pi-crew 0.9.15." in h.markdown


def test_hover_on_a_key_a_later_version_reads_says_this_version_ignores_it(ws):
    ws.write("workflows/shaped.workflow.md", "---\nname: shaped\ntopology: sequential\n---\n## executor\nDo it.\n")
    snap = _snap(ws, "0.2.0")
    res = ws.res(snap, "workflows/shaped.workflow.md")
    h = hover(res, snap, *at(res, "top|ology"))
    assert h.markdown == ("`topology` is read from pi-crew 0.9.15 on. This workspace is read as pi-crew 0.2.0 (setting), "
                          "which ignores it.")


def test_hover_on_a_step_key_says_since_when(ws):
    ws.write("workflows/specced.workflow.md", "---\nname: specced\n---\n## executor\nrole: executor\nspecRefs: docs/spec.md\nDo it.\n")
    snap = _snap(ws, "0.10")
    res = ws.res(snap, "workflows/specced.workflow.md")
    h = hover(res, snap, *at(res, "spec|Refs"))
    assert "Read since pi-crew 0.10.1." in h.markdown


def test_skill_values_are_the_skills_the_version_ships(ws):
    places = {
        "agents/skilled.md": "---\nname: skilled\nskills: |\n---\nYou use skills.\n",
        "teams/skilled.team.md": "---\nname: skilled\n---\n- executor: agent=executor skills=| build it\n",
        "workflows/skilled.workflow.md": "---\nname: skilled\n---\n## build\nrole: executor\nskills: |\n\nBuild {goal}.\n",
    }
    for rel, marked in places.items():
        text, here = cursor(marked)
        ws.write(rel, text)
        old, new = _snap(ws, "0.2"), _snap(ws, "0.10")
        at_0_2 = set(_labels(complete(ws.res(old, rel), old, *here)))
        at_0_10 = set(_labels(complete(ws.res(new, rel), new, *here)))
        assert "verify-evidence" in at_0_2 and "council" not in at_0_2, rel
        assert "council" in at_0_10 and "verify-evidence" not in at_0_10 and "safe-bash" in at_0_10, rel


def test_hover_on_a_skill_follows_the_version(ws):
    ws.write("agents/skilled.md", "---\nname: skilled\nskills: council, verify-evidence\n---\nYou use skills.\n")
    old, new = _snap(ws, "0.2"), _snap(ws, "0.10")
    for snap, council, evidence in ((old, "No skill", "**skill `verify-evidence`**"), (new, "knows it by name only", "No skill")):
        res = ws.res(snap, "agents/skilled.md")
        assert council in hover(res, snap, *at(res, "coun|cil")).markdown
        assert evidence in hover(res, snap, *at(res, "verify-ev|idence")).markdown


def _tokens_on(snap, res, line: int) -> list[tuple]:
    from langkit import decode

    from crew_lsp.language.tokens import semantic_tokens

    return [t[1:4] for t in decode(semantic_tokens(res, snap.workspace.reading)) if t[0] == line]


def test_semantic_tokens_give_a_later_versions_keys_the_treatment_of_their_kind(ws):
    ws.write("agents/capped.md", "---\nname: capped\nmaxTokens: 4000\n---\nYou write little.\n")
    ws.write("workflows/shaped.workflow.md",
             "---\nname: shaped\ntopology: sequential\n---\n## build\nrole: executor\nspecRefs: a.md, b.md\nspecStrict: true\n\nBuild {goal}.\n")
    ws.write("teams/deep.team.md", "---\nname: deep\n---\n- executor: agent=executor thinking=high build it\n")
    old, new = _snap(ws, "0.2"), _snap(ws, "0.10")

    def both(rel: str, line: int) -> tuple[list, list]:
        return _tokens_on(old, ws.res(old, rel), line), _tokens_on(new, ws.res(new, rel), line)

    assert both("agents/capped.md", 2) == ([(0, 9, "property"), (11, 4, "string")], [(0, 9, "property"), (11, 4, "number")])
    assert both("workflows/shaped.workflow.md", 2) == ([(0, 8, "property"), (10, 10, "string")],
                                                      [(0, 8, "property"), (10, 10, "enumMember")])
    # 0.2 stores these as unknown step keys (plain text); 0.10 reads a list and a boolean
    assert both("workflows/shaped.workflow.md", 6) == ([(0, 8, "property"), (10, 10, "string")],
                                                      [(0, 8, "property"), (10, 4, "string"), (16, 4, "string")])
    assert both("workflows/shaped.workflow.md", 7) == ([(0, 10, "property"), (12, 4, "string")],
                                                      [(0, 10, "property"), (12, 4, "enumMember")])
    assert both("teams/deep.team.md", 3)[1][-2:] == [(27, 8, "property"), (36, 4, "enumMember")]
    assert (27, 8, "property") not in both("teams/deep.team.md", 3)[0]


def test_locate_and_hover_read_a_later_versions_list_keys_item_by_item(ws):
    from crew_lsp.language.locate import locate

    ws.write("workflows/specced.workflow.md", "---\nname: specced\n---\n## build\nrole: executor\nspecRefs: a.md, b.md\n\nBuild {goal}.\n")
    snap = _snap(ws, "0.10")
    res = ws.res(snap, "workflows/specced.workflow.md")
    found = locate(res, *at(res, "b.|md"), snap.workspace.reading)
    assert found is not None and found.kind == "step-value" and found.item is not None and found.item.text == "b.md"
    h = hover(res, snap, *at(res, "specR|efs"))
    assert "Read since pi-crew 0.10.1." in h.markdown


def test_role_line_thinking_and_fallback_models_are_offered_and_explained_from_0_9_60(ws):
    text, here = cursor("---\nname: deep\n---\n- executor: agent=executor |\n")
    ws.write("teams/deep.team.md", text)
    old, new = _snap(ws, "0.9.59"), _snap(ws, "0.9.60")
    assert not {"thinking=", "fallbackModels="} & set(_labels(complete(ws.res(old, "teams/deep.team.md"), old, *here)))
    assert {"thinking=", "fallbackModels="} <= set(_labels(complete(ws.res(new, "teams/deep.team.md"), new, *here)))
    ws.write("teams/deep.team.md", "---\nname: deep\n---\n- executor: agent=executor thinking=high fallbackModels=a/m1, b/m2 build it\n")
    new = _snap(ws, "0.10")
    res = ws.res(new, "teams/deep.team.md")
    assert "overrides the agent's `thinking`" in hover(res, new, *at(res, "think|ing")).markdown
    assert "overrides the agent's `thinking`" in hover(res, new, *at(res, "hi|gh")).markdown
    assert "do not switch models" in hover(res, new, *at(res, "fallback|Models")).markdown


def test_links_and_definitions_of_skills_follow_the_version(ws):
    from crew_lsp.language.navigation import definition
    from crew_lsp.language.structure import document_links

    ws.write("agents/skilled.md", "---\nname: skilled\nskills: verify-evidence\n---\nYou use skills.\n")
    old, new = _snap(ws, "0.2"), _snap(ws, "0.10")
    for snap, linked in ((old, True), (new, False)):
        res = ws.res(snap, "agents/skilled.md")
        assert bool(document_links(res, snap)) is linked
        assert bool(definition(res, snap, *at(res, "verify-ev|idence"))) is linked
