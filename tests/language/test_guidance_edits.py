"""`crew.guidance.update` / `crew.guidance.remove` edits: idempotent, nothing outside the markers lost, CRLF kept."""

from __future__ import annotations

import pytest
from langkit import TEAM_SQUAD, AGENT_SCOUT, WS, apply

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.guidance import check_guidance
from crew_lsp.language.guidance import BLOCK_ID, GuidanceRefused, remove_edit, update_edit, workspace_guidance
from crew_lsp.resources.model import parse_resource

PATH = "/repo/AGENTS.md"
CONTENT = "## Teams\n\n| Team |\n|---|\n| `squad` |"


def updated(text: str | None, content: str = CONTENT) -> str:
    edit = update_edit(PATH, text, content)
    if text is None:
        ((path, created),) = edit.creates
        assert path == PATH
        return created
    return apply(text, edit.changes.get(PATH, []))


def removed(text: str, ids: list[str] | None = None) -> str:
    return apply(text, remove_edit(PATH, text, ids).changes.get(PATH, []))


def guidance_codes(text: str, snap) -> list[str]:
    ctx = Ctx(parse_resource("guidance", "project", PATH, text), snap)
    check_guidance(ctx)
    return [d.code for d in ctx.diags]


def test_a_missing_file_is_created_with_the_section_and_our_block():
    text = updated(None)
    assert text == ("<!-- PI-CREW:GUIDANCE:START -->\n<!-- PI-CREW:BLOCK:crew-lsp-teams -->\n" + CONTENT
                    + "\n<!-- PI-CREW:/BLOCK:crew-lsp-teams -->\n<!-- PI-CREW:GUIDANCE:END -->\n")
    assert update_edit(PATH, text, CONTENT).changes == {}  # asking again changes nothing


@pytest.mark.parametrize("original", ["# Notes\n\nRun the tests.\n", "# Notes\n\nRun the tests.", "# Notes\n\n", ""])
def test_the_section_is_appended_after_the_text_and_removing_it_gives_the_text_back(original, ws: WS):
    text = updated(original)
    assert text.startswith(original)
    assert text.endswith("<!-- PI-CREW:GUIDANCE:END -->\n")
    assert update_edit(PATH, text, CONTENT).changes == {}
    assert guidance_codes(text, ws.snap()) == []
    back = removed(text)
    assert back.rstrip("\n") == original.rstrip("\n")  # (one blank line before the section goes with it)
    assert remove_edit(PATH, back).changes == {}


def test_crlf_files_get_crlf_lines():
    original = "# Notes\r\n\r\nRun the tests.\r\n"
    text = updated(original)
    assert "\n" not in text.replace("\r\n", "")
    assert update_edit(PATH, text, CONTENT).changes == {}
    assert removed(text) == original


PI_CREW_SECTION = """# Notes

<!-- PI-CREW:GUIDANCE:START -->
<!-- PI-CREW:BLOCK:pi-crew-overview -->
Managed by pi-crew v0.2.0, do not edit.
<!-- PI-CREW:/BLOCK:pi-crew-overview -->
A line someone typed.
<!-- PI-CREW:GUIDANCE:END -->

After the section.
"""


def test_our_block_joins_an_existing_section_whose_other_text_stays():
    text = updated(PI_CREW_SECTION)
    assert text.replace(PI_CREW_SECTION.split("<!-- PI-CREW:GUIDANCE:END -->")[0], "", 1).startswith("\n<!-- PI-CREW:BLOCK:crew-lsp-teams -->")
    for kept in ("Managed by pi-crew v0.2.0, do not edit.", "A line someone typed.", "After the section.", "# Notes"):
        assert kept in text
    assert updated(text) == text
    newer = updated(text, "## Teams\n\nnone")
    assert "## Teams\n\nnone\n<!-- PI-CREW:/BLOCK:crew-lsp-teams -->" in newer and "`squad`" not in newer
    assert removed(newer) == PI_CREW_SECTION  # the section stays: other blocks and text are in it


def test_remove_takes_the_named_blocks_and_the_section_once_it_is_empty():
    only_ours_left = removed(updated(PI_CREW_SECTION), ["pi-crew-overview"])
    assert "pi-crew-overview" not in only_ours_left and BLOCK_ID in only_ours_left
    clean = PI_CREW_SECTION.replace("A line someone typed.\n", "")
    assert removed(clean, ["pi-crew-overview"]) == "# Notes\n\nAfter the section.\n"


@pytest.mark.parametrize("broken", [
    "<!-- PI-CREW:GUIDANCE:END -->\ntext\n",
    "<!-- PI-CREW:GUIDANCE:START -->\ntext\n",
    "<!-- PI-CREW:GUIDANCE:START -->\n<!-- PI-CREW:BLOCK:crew-lsp-teams -->\nold\n<!-- PI-CREW:GUIDANCE:END -->\n",
])
def test_broken_markers_are_refused_rather_than_guessed(broken):
    with pytest.raises(GuidanceRefused):
        update_edit(PATH, broken, CONTENT)


def test_the_block_lists_the_shared_teams_and_agents_with_markers_and_pipes_neutralised(ws: WS):
    ws.write("agents/scout.md", AGENT_SCOUT.replace("Finds the files a goal touches", "Finds files | ends <!-- comments -->"))
    ws.write("teams/squad.team.md", TEAM_SQUAD)
    content = workspace_guidance(ws.snap())
    assert "| `squad` | `flow` | lead, executor, checker | A small squad |" in content
    assert "| `scout` | Finds files \\| ends comments |" in content
    assert "<!--" not in content and "-->" not in content
    assert guidance_codes(updated("# Notes\n", content), ws.snap()) == []


def test_start_and_end_on_one_line_is_refused_rather_than_edited_around():
    with pytest.raises(GuidanceRefused, match="share a line"):
        update_edit(PATH, "<!-- PI-CREW:GUIDANCE:START --><!-- PI-CREW:GUIDANCE:END -->\n", CONTENT)
