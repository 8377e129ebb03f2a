"""Skills (formats §6): `<root>/<name>/SKILL.md`; the folder name is the skill name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crew_lsp.resources.frontmatter import Document

SKILL_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")
BODY_BUDGET = 1500
TOTAL_BUDGET = 6000
MAX_SKILLS = 32


@dataclass(slots=True)
class Skill:
    folder: str
    declared_name: str | None
    description: str | None
    body: str


def valid_skill_name(name: str) -> bool:
    return bool(SKILL_NAME.match(name))


def parse_skill(doc: Document, folder: str) -> Skill:
    fm = doc.frontmatter
    body = "\n".join(doc.lines[i] for i in doc.body_lines).strip()
    return Skill(folder=folder, declared_name=fm.get("name"), description=fm.get("description") or None, body=body)
