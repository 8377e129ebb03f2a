"""Skill templates as completion snippets in an empty or frontmatter-less SKILL.md (docs/editor.md, New skill)."""

from __future__ import annotations

import re

from langkit import cursor

from crew_lsp.language.completion import complete
from crew_lsp.resources.skill_new import render_skill
from crew_lsp.resources.skill_templates import TEMPLATES
from crew_lsp.resources.text import Span


def _skill(ws, text: str, name: str = "house-style"):
    path = ws.root / "skills" / name / "SKILL.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    snap = ws.snap()
    return snap.resources[str(path)], snap


def _expand(snippet: str) -> str:
    """What the editor inserts when the user accepts every default: the first choice, the placeholder text."""
    def first(match: re.Match) -> str:
        body = match.group(1)
        if body.startswith("|"):
            return re.split(r"(?<!\\),", body[1:-1])[0]
        return body.split(":", 1)[1]
    text = re.sub(r"\$\{\d+((?::(?:\\.|[^}\\])*)|(?:\|(?:\\.|[^|\\])*\|))\}", first, snippet).replace("$0", "")
    return re.sub(r"\\([$}\\,|])", r"\1", text)


def test_an_empty_skill_offers_the_five_templates_as_snippets_named_after_its_folder(ws):
    text, here = cursor("|")
    res, snap = _skill(ws, text)
    items = complete(res, snap, *here)
    assert [i.label for i in items] == list(TEMPLATES)
    review = items[0]
    assert review.kind == "snippet" and review.snippet and review.replace == Span(0, 0, 0, 0)
    assert review.insert_text.startswith("---\nname: house-style\ndescription: ${1:Review a change")
    assert "${2|the languages the change touches,Python,TypeScript,Go,Rust,Java|}" in review.insert_text
    assert "## Rules" in review.insert_text and review.insert_text.endswith("$0")


def test_accepting_every_default_gives_the_file_the_new_skill_command_writes(ws):
    res, snap = _skill(ws, "")
    for item in complete(res, snap, 0, 0):
        assert _expand(item.insert_text) == render_skill("house-style", TEMPLATES[item.label]), item.label


def test_a_word_typed_on_the_first_line_is_replaced(ws):
    text, here = cursor("secu|")
    res, snap = _skill(ws, text)
    item = next(i for i in complete(res, snap, *here) if i.label == "security-audit")
    assert item.replace == Span(0, 0, 0, 4)


def test_without_snippet_support_the_template_is_inserted_with_its_defaults(ws):
    res, snap = _skill(ws, "")
    item = next(i for i in complete(res, snap, 0, 0, snippets=False) if i.label == "testing")
    assert not item.snippet and item.insert_text == render_skill("house-style", TEMPLATES["testing"])


def test_no_template_where_it_would_not_start_the_file_or_the_file_has_frontmatter(ws):
    body_after, here = cursor("| existing text\n")
    res, snap = _skill(ws, body_after)
    assert complete(res, snap, *here) == []
    below, here = cursor("\n|")
    res, snap = _skill(ws, below)
    assert complete(res, snap, *here) == []  # frontmatter must start the file
    hidden, here = cursor("|\n---\nname: house-style\n---\n")  # a frontmatter hidden by a blank line (CREW101)
    res, snap = _skill(ws, hidden)
    assert complete(res, snap, *here) == []
    with_frontmatter, here = cursor("---\nname: house-style\ndescription: x\n---\n|")
    res, snap = _skill(ws, with_frontmatter)
    assert [i.label for i in complete(res, snap, *here)] == []
