"""A new skill (docs/editor.md, New skill): the checks on its name and description, its `SKILL.md`
text and where that file goes. `crew.newSkill` and `crew-lsp skills new` both use this module, so the
editor and the terminal write the same file and refuse the same things.

Two readers meet in a skill's frontmatter: pi-crew reads it with its line grammar (docs/formats.md,
The frontmatter grammar: quotes are part of a value), pi's skill loader reads it as YAML (a
`description` holding `: ` is a YAML error there, and the skill is not loaded). So a value is written
plain whenever both read it the same; a description YAML cannot hold plain is written in double
quotes, the form pi can load (pi-crew then shows the quotes: CREW105 says so).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable

from crew_lsp.resources.skill_templates import TEMPLATES, SkillTemplate, Slot
from crew_lsp.resources.text import js_trim

MAX_NAME_CHARS = 64  # the Agent Skills limit pi checks (pi-crew allows 80)
MAX_DESCRIPTION_CHARS = 1024  # the Agent Skills limit pi checks
BLANK_DESCRIPTION = "Describe when an agent should use this skill"

# lowercase letters and digits in groups joined by single hyphens: valid for pi-crew and for pi
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# plain YAML scalars that a YAML 1.2 reader takes for something other than text
_YAML_NOT_TEXT = re.compile(
    r"(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")
_YAML_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# line breaks and control characters: a frontmatter value is one line of text
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class NewSkillError(ValueError):
    """A new skill that cannot be written; ``argument`` names the input at fault."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


def check_name(name: str) -> str:
    if not name:
        raise NewSkillError("name", "a skill needs a name")
    if len(name) > MAX_NAME_CHARS or not _NAME.match(name):
        raise NewSkillError("name", f"`{name[:80]}` is not a skill name: use lowercase letters and digits, with single "
                                    f"hyphens between them, at most {MAX_NAME_CHARS} characters")
    if _YAML_NOT_TEXT.match(name):
        raise NewSkillError("name", f"`{name}` is not a skill name: YAML readers (pi's skill loader) take it for a "
                                    "number or a boolean, not a name")
    return name


def check_description(description: str | None) -> str | None:
    """The description, trimmed; None when none was given (the template's applies)."""
    if description is None:
        return None
    text = js_trim(description)
    if not text:
        return None
    if _NOT_ONE_LINE.search(text):
        raise NewSkillError("description", "must be one line of text (no line breaks or control characters)")
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise NewSkillError("description", f"is {len(text)} characters long; at most {MAX_DESCRIPTION_CHARS}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NewSkillError("description", "is not valid Unicode text") from None
    return text


def check_template(template: str | None) -> SkillTemplate | None:
    if template is None:
        return None
    found = TEMPLATES.get(template)
    if found is None:
        raise NewSkillError("template", f"`{template[:80]}` is not a skill template; one of {', '.join(TEMPLATES)}")
    return found


def yaml_value(text: str) -> str:
    """``text`` as a frontmatter value both readers agree on when possible: plain, else double-quoted."""
    plain = (text[0] not in _YAML_INDICATORS and ": " not in text and " #" not in text and not text.endswith(":")
             and not _YAML_NOT_TEXT.match(text))
    return text if plain else json.dumps(text, ensure_ascii=False)


_SLOT = re.compile(r"\{([a-z]+)\}")
Put = Callable[[str, Slot], str]


def _default(key: str, slot: Slot) -> str:
    return slot.default


def _as_is(text: str) -> str:
    return text


def fill(text: str, slots: dict[str, Slot], put: Put = _default, literal: Callable[[str], str] = _as_is) -> str:
    """``text`` with each ``{slot}`` replaced by ``put(key, slot)`` (its default unless told otherwise) and
    the text around the slots passed through ``literal``; one pass, so a value is never read for slots."""
    out, pos = [], 0
    for match in _SLOT.finditer(text):
        slot = slots.get(match.group(1))
        if slot is not None:
            out += [literal(text[pos:match.start()]), put(match.group(1), slot)]
            pos = match.end()
    out.append(literal(text[pos:]))
    return "".join(out)


def render_skill(name: str, template: SkillTemplate | None = None, description: str | None = None, nl: str = "\n",
                 put: Put = _default, literal: Callable[[str], str] = _as_is) -> str:
    """The `SKILL.md` of a new skill: `name:`, `description:`, then the template's text with its slots at
    their defaults and its guardrails as **Rules** (or a short skeleton without a template). ``put`` and
    ``literal`` let completion write the same text as a snippet (language/completion_skill.py); the
    description is the slot ``{description}``."""
    desc = description or (template.description if template is not None else BLANK_DESCRIPTION)
    slots = {"description": Slot(yaml_value(desc)), **(template.slots if template is not None else {})}
    lines = ["---", f"name: {name}", "description: {description}", "---"]
    if template is None:
        lines += [f"# {name}", "", "Say what the agent does when this skill applies, step by step.", "", "## Rules", "",
                  "- Write each rule as an instruction the agent can follow and a reviewer can check."]
    else:
        lines += [f"# {template.title}", "", template.purpose, "", "## Steps", ""]
        lines += [f"{i}. {step}" for i, step in enumerate(template.steps, 1)]
        lines += ["", "## Rules", ""] + [f"- {rule}" for rule in template.rules]
    return nl.join(fill(line, slots, put, literal) for line in lines) + nl


def skill_file(folder: Path, skill_root: Path, name: str) -> Path:
    """Where the new skill's file goes: ``<skill root>/<name>/SKILL.md``, refused when it exists or when
    the skill root (or a folder on the way, through a symlink) leads out of the workspace ``folder``."""
    path = skill_root / name / "SKILL.md"
    if os.path.lexists(path):
        raise NewSkillError("name", f"{path} already exists; a new skill never overwrites one")
    real_folder = folder.resolve()
    target = path.parent.resolve()  # the parts that exist, with their symlinks followed
    if target != real_folder and real_folder not in target.parents:
        raise NewSkillError("name", f"{path.parent} leads out of the workspace folder {folder} (a symlink); not writing there")
    return path


def write_skill_file(path: Path, text: str) -> None:
    """Create the file (and its folders); never replaces a file that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise NewSkillError("name", f"{path} already exists; a new skill never overwrites one") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
