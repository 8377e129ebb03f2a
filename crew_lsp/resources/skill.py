"""Skills (docs/formats.md, Skills): `<root>/<name>/SKILL.md`; the folder name is the skill name."""

from __future__ import annotations

import re
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.record import Record

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


def parse_skill(doc: Document, folder: str) -> Skill:
    fm = doc.frontmatter
    body = doc.body_text.strip()
    return Skill(folder=folder, declared_name=fm.get("name"), description=fm.get("description") or None, body=body)
