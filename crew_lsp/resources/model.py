"""The resource record shared by every layer, and parsing a file of any kind."""

from __future__ import annotations

import os
from pathlib import PurePath

from crew_lsp.resources.agent import Agent, parse_agent
from crew_lsp.resources.frontmatter import Document, parse_document
from crew_lsp.resources.record import Record
from crew_lsp.resources.skill import Skill, parse_skill
from crew_lsp.resources.team import Team, parse_team
from crew_lsp.resources.versions import BASELINE, Reading
from crew_lsp.resources.workflow import Workflow, parse_workflow

KINDS = ("agent", "team", "workflow", "skill", "config", "guidance")
SCOPES = ("builtin", "user", "project")
_SUFFIX = {"team": ".team.md", "workflow": ".workflow.md", "agent": ".md"}
_DYNAMIC = ".dwf.ts"  # a dynamic workflow (code): known by name only

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:  # the JSON reader is imported when a config file is parsed, the marker reader for AGENTS.md
    from crew_lsp.resources.guidance import Guidance
    from crew_lsp.resources.jsonpos import JsonError, Node


class ConfigFile(Record):
    __slots__ = ("node", "error", "role")

    def __init__(self, node: Node | None, error: JsonError | None, role: str):
        self.node = node
        self.error = error
        self.role = role  # legacy-user | user | project | repo


class Resource(Record):
    __slots__ = ("kind", "scope", "path", "file_name", "name", "doc", "model", "text")

    def __init__(self, kind: str, scope: str, path: str, file_name: str, name: str, doc: Document | None,
                 model: Agent | Team | Workflow | Skill | ConfigFile | Guidance, text: str):
        self.kind = kind
        self.scope = scope  # builtin | user | project | loose (checked, not part of the effective set)
        self.path = path
        self.file_name = file_name  # base name without the kind's suffix (the folder for a skill)
        self.name = name
        self.doc = doc
        self.model = model
        self.text = text

    @property
    def declared_name(self) -> bool:
        return self.doc is not None and bool(self.doc.frontmatter.get("name"))  # (values are trimmed already)

    @property
    def disabled(self) -> bool:
        return isinstance(self.model, Agent) and self.model.disabled


_ODD_ENDS = (os.sep, os.sep + ".")
_ALTSEP = os.altsep


def _name(path: str) -> str:
    """``PurePath(path).name`` without building a path object (the common, already normal case)."""
    if path.endswith(_ODD_ENDS) or path == "." or _ALTSEP and _ALTSEP in path:  # where normalising changes the last part
        return PurePath(path).name
    return path[path.rfind(os.sep) + 1 :]


def kind_by_name(path: str) -> str | None:
    """The kind a file name implies on its own (agents need their folder: see discovery)."""
    name = _name(path)
    if name.endswith(".team.md"):
        return "team"
    if name.endswith(".workflow.md"):
        return "workflow"
    if name == "SKILL.md":
        return "skill"
    if name.endswith(".json"):
        return "config"
    if name.endswith(".md"):
        return "agent"
    return None


def base_name(kind: str, path: str) -> str:
    if kind == "skill":
        return PurePath(path).parent.name
    name = _name(path)
    suffix = _SUFFIX.get(kind, "")
    if kind == "workflow" and name.endswith(_DYNAMIC):
        suffix = _DYNAMIC
    if suffix and name.endswith(suffix):
        return name[: -len(suffix)]
    dot = name.rfind(".")  # PurePath.stem
    return name[:dot] if 0 < dot < len(name) - 1 else name


def is_dynamic_workflow(path: str) -> bool:
    return path.endswith(_DYNAMIC)


def parse_resource(kind: str, scope: str, path: str, text: str, config_role: str = "project", reading: Reading = BASELINE) -> Resource:
    """Parse one file of a known kind, as the pi-crew version of ``reading`` does. Never raises on any text."""
    file_name = base_name(kind, path)
    if kind == "config":
        from crew_lsp.resources.jsonpos import JsonError, parse_json

        try:
            node, error = parse_json(text), None
        except JsonError as exc:
            node, error = None, exc
        return Resource(kind, scope, path, file_name, file_name, None, ConfigFile(node, error, config_role), text)
    if kind == "guidance":  # the repository's AGENTS.md: only its PI-CREW markers matter
        from crew_lsp.resources.guidance import parse_guidance

        return Resource(kind, scope, path, file_name, file_name, None, parse_guidance(text), text)
    if kind == "workflow" and path.endswith(_DYNAMIC):
        return Resource(kind, scope, path, file_name, file_name, parse_document(""), Workflow(None, [], [], []), text)
    doc = parse_document(text)
    model: Agent | Team | Workflow | Skill
    if kind == "agent":
        model = parse_agent(doc, reading, scope)
    elif kind == "team":
        model = parse_team(doc, reading)
    elif kind == "workflow":
        model = parse_workflow(doc, reading, scope)
    else:
        model = parse_skill(doc, file_name)
    doc.release_lines()  # the parsers are done with them; the few files a check quotes split them again
    declared = doc.frontmatter.get("name") or ""  # (already trimmed as JavaScript trims)
    name = file_name if kind == "skill" else (declared or file_name)
    return Resource(kind, scope, path, file_name, name, doc, model, text)
