"""The resource record shared by every layer, and parsing a file of any kind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from crew_lsp.resources.agent import Agent, parse_agent
from crew_lsp.resources.frontmatter import Document, parse_document
from crew_lsp.resources.jsonpos import JsonError, Node, parse_json
from crew_lsp.resources.skill import Skill, parse_skill
from crew_lsp.resources.team import Team, parse_team
from crew_lsp.resources.workflow import Workflow, parse_workflow

KINDS = ("agent", "team", "workflow", "skill", "config")
SCOPES = ("builtin", "user", "project")
_SUFFIX = {"team": ".team.md", "workflow": ".workflow.md", "agent": ".md"}


@dataclass(slots=True)
class ConfigFile:
    node: Node | None
    error: JsonError | None
    role: str  # legacy-user | user | project | repo


@dataclass(slots=True)
class Resource:
    kind: str
    scope: str  # builtin | user | project | loose (checked, not part of the effective set)
    path: str
    file_name: str  # base name without the kind's suffix (the folder for a skill)
    name: str
    doc: Document | None
    model: Agent | Team | Workflow | Skill | ConfigFile
    text: str

    @property
    def declared_name(self) -> bool:
        return self.doc is not None and bool((self.doc.frontmatter.get("name") or "").strip())

    @property
    def disabled(self) -> bool:
        return isinstance(self.model, Agent) and self.model.disabled


def kind_by_name(path: str) -> str | None:
    """The kind a file name implies on its own (agents need their folder: see discovery)."""
    name = PurePath(path).name
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
    p = PurePath(path)
    if kind == "skill":
        return p.parent.name
    suffix = _SUFFIX.get(kind, "")
    return p.name[: -len(suffix)] if suffix and p.name.endswith(suffix) else p.stem


def parse_resource(kind: str, scope: str, path: str, text: str, config_role: str = "project") -> Resource:
    """Parse one file of a known kind. Never raises on any text."""
    file_name = base_name(kind, path)
    if kind == "config":
        try:
            node, error = parse_json(text), None
        except JsonError as exc:
            node, error = None, exc
        return Resource(kind, scope, path, file_name, file_name, None, ConfigFile(node, error, config_role), text)
    doc = parse_document(text)
    model: Any
    if kind == "agent":
        model = parse_agent(doc)
    elif kind == "team":
        model = parse_team(doc)
    elif kind == "workflow":
        model = parse_workflow(doc)
    else:
        model = parse_skill(doc, file_name)
    declared = (doc.frontmatter.get("name") or "").strip()
    name = file_name if kind == "skill" else (declared or file_name)
    return Resource(kind, scope, path, file_name, name, doc, model, text)
