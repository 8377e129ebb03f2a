"""Skills (docs/formats.md, Skills): `<root>/<name>/SKILL.md`; the folder name is the skill name."""

from __future__ import annotations

import re
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import js_trim

SKILL_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")
BODY_BUDGET = 1500
TOTAL_BUDGET = 6000
MAX_SKILLS = 32


class Skill(Record):
    __slots__ = ("folder", "declared_name", "description", "body")

    def __init__(self, folder: str, declared_name: str | None, description: str | None, body: str):
        self.folder = folder
        self.declared_name = declared_name
        self.description = description
        self.body = body


def valid_skill_name(name: str) -> bool:
    return bool(SKILL_NAME.match(name))


def description_line(text: str) -> int | None:
    """The line skill discovery takes the description from: the first that starts exactly with `description:`.

    pi-crew reads it with its own reader, not the frontmatter grammar: a repeated key keeps the first
    value, and an indented `  description:` or a `description :` line gives none.
    """
    if text.startswith("description:"):
        return 0
    at = text.find("\ndescription:")
    return None if at < 0 else text.count("\n", 0, at + 1)


def parse_skill(doc: Document, folder: str) -> Skill:
    fm = doc.frontmatter
    body = js_trim(doc.body_text)
    line = description_line(doc.text)
    description = js_trim(doc.lines[line][len("description:") :]) if line is not None else ""
    return Skill(folder=folder, declared_name=fm.get("name"), description=description or None, body=body)
