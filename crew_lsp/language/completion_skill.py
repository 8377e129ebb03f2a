"""Skill templates as completion items: in a `SKILL.md` without frontmatter, on its first line, each
template (resources/skill_templates.py) is offered as the whole file — the same text `crew.newSkill`
writes, with the description and the template's slots as tab stops (a choice list where the slot has
choices). Without snippet support the item inserts that text with every slot at its default.
"""

from __future__ import annotations

import re

from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.model import Resource
from crew_lsp.resources.skill_new import render_skill
from crew_lsp.resources.skill_templates import TEMPLATES, Slot
from crew_lsp.resources.text import span_in_line

_TYPED = re.compile(r"[A-Za-z-]*\Z")  # what the author may have typed to filter the templates
_SNIPPET_TEXT = re.compile(r"[$}\\]")
_CHOICE_TEXT = re.compile(r"[$}\\,|]")


def _escape(text: str) -> str:
    return _SNIPPET_TEXT.sub(lambda m: "\\" + m.group(0), text)


class _TabStops:
    """Numbers the slots in order of first appearance; a slot used twice is one tab stop (mirrored)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, key: str, slot: Slot) -> str:
        n = self.numbers.get(key)
        if n is not None:
            return f"${n}"
        n = self.numbers[key] = len(self.numbers) + 1
        if slot.choices:
            options = [slot.default, *(c for c in slot.choices if c != slot.default)]
            return "${%d|%s|}" % (n, ",".join(_CHOICE_TEXT.sub(lambda m: "\\" + m.group(0), o) for o in options))
        return "${%d:%s}" % (n, _escape(slot.default))


def skill_templates(res: Resource, line: int, text: str, idx: int, snippets: bool) -> list[CompletionItem]:
    """The template items at the cursor, or none: only on the first line of a frontmatter-less skill,
    with nothing after the cursor and at most a word before it (the template starts the file)."""
    doc = res.doc
    fm = doc.frontmatter if doc is not None else None
    if res.kind != "skill" or line != 0 or fm is None or fm.present or fm.unclosed or fm.hidden_by:
        return []
    if text[idx:].strip() or not _TYPED.match(text[:idx]):
        return []
    name = res.name
    replace = span_in_line(0, text, 0, idx)
    items = []
    for n, template in enumerate(TEMPLATES.values()):
        if snippets:
            body = render_skill(name, template, put=_TabStops(), literal=_escape) + "$0"
        else:
            body = render_skill(name, template)
        items.append(CompletionItem(
            label=template.id, kind="snippet", detail=f"SKILL.md template: {template.title}",
            documentation=f"{template.description}.\n\nWrites the frontmatter (`name: {name}`), the steps and the rules.",
            insert_text=body, snippet=snippets, replace=replace, sort_text=f"{n:02d}"))
    return items
