"""The resource record shared by every layer, and parsing a file of any kind."""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import PurePath
from _thread import allocate_lock

from crew_lsp.resources.agent import Agent, parse_agent
from crew_lsp.resources.facts import Facts, Strings, facts_of, fresh, skill_names
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
    from collections.abc import Callable

    from crew_lsp.resources.guidance import Guidance
    from crew_lsp.resources.jsonpos import JsonError, Node


class ConfigFile(Record):
    __slots__ = ("node", "error", "role")

    def __init__(self, node: Node | None, error: JsonError | None, role: str):
        self.node = node
        self.error = error
        self.role = role  # legacy-user | user | project | repo


class Resource(Record):
    """One file of the index. Immutable once built: an edit makes a new one.

    A *compacted* resource (`compacted`) keeps its text and its `Facts` (what the index and other
    files read of it) and drops its parse; `doc` and `model` parse the text again when asked (the
    same text read the same way gives the same parse) and the last `EXPANDED_MAX` such parses are
    kept (docs/architecture.md, Memory).
    """

    __slots__ = ("kind", "scope", "path", "file_name", "name", "text", "_parsed", "_reading", "_facts")
    _fields = ("kind", "scope", "path", "file_name", "name", "doc", "model", "text")

    def __init__(self, kind: str, scope: str, path: str, file_name: str, name: str, doc: Document | None,
                 model: Agent | Team | Workflow | Skill | ConfigFile | Guidance | None, text: str,
                 reading: Reading = BASELINE, facts: Facts | None = None):
        self.kind = kind
        self.scope = scope  # builtin | user | project | loose (checked, not part of the effective set)
        self.path = path
        self.file_name = file_name  # base name without the kind's suffix (the folder for a skill)
        self.name = name
        self.text = text
        # (doc, model) in one slot, read at once: another thread may drop or restore a compacted parse
        self._parsed = (doc, model) if model is not None else None  # None: compacted, not parsed again yet
        self._reading = reading  # how the text was read (to read it again the same way)
        self._facts = facts  # set on a compacted resource only

    @property
    def doc(self) -> Document | None:
        parsed = self._parsed
        if parsed is None:
            parsed = self._expand()
        return parsed[0]

    @property
    def model(self) -> Agent | Team | Workflow | Skill | ConfigFile | Guidance:
        parsed = self._parsed
        if parsed is None:
            parsed = self._expand()
        return parsed[1]

    @property
    def compact(self) -> bool:
        return self._facts is not None

    @property
    def facts(self) -> Facts:
        """What the index reads of this file (worked out from the parse unless compacted)."""
        facts = self._facts
        if facts is None:
            return facts_of(self.kind, *self._parsed)  # type: ignore[misc]
        return facts

    @property
    def declared_name(self) -> bool:
        if self._facts is not None:
            return self._facts.declared
        doc = self._parsed[0]  # type: ignore[index]
        return doc is not None and bool(doc.frontmatter.get("name"))  # (values are trimmed already)

    @property
    def disabled(self) -> bool:
        if self._facts is not None:
            return self._facts.disabled
        model = self._parsed[1]  # type: ignore[index]
        return isinstance(model, Agent) and model.disabled

    @property
    def team_workflow(self) -> str:
        """A team's workflow: its `defaultWorkflow`, else "default"."""
        if self._facts is not None:
            return self._facts.workflow  # type: ignore[return-value]
        return self._parsed[1].workflow  # type: ignore[index,union-attr]

    @property
    def default_workflow(self) -> str | None:
        if self._facts is not None:
            return self._facts.default_workflow
        return self._parsed[1].default_workflow  # type: ignore[index,union-attr]

    @property
    def role_names(self) -> tuple[str, ...]:
        """A team's role names in file order."""
        if self._facts is not None:
            return self._facts.role_names
        return tuple(r.name for r in self._parsed[1].roles)  # type: ignore[index,union-attr]

    @property
    def role_agents(self) -> tuple[str, ...]:
        """The agent each of a team's roles names, in file order."""
        if self._facts is not None:
            return self._facts.role_agents
        return tuple(r.agent for r in self._parsed[1].roles)  # type: ignore[index,union-attr]

    @property
    def skill_names(self) -> frozenset[str]:
        """Every skill name the file's checks look up."""
        if self._facts is not None:
            return self._facts.skills
        return skill_names(self.kind, *self._parsed)  # type: ignore[misc]

    def compacted(self, strings: Strings | None = None) -> Resource:
        """A copy that keeps only the text and the facts (configs and AGENTS.md are kept whole: few, and
        read on every check). Its strings are new objects (shared through ``strings``): nothing of the
        parse they came from stays alive, so its memory can go back to the system."""
        if self.kind not in COMPACTABLE:
            return self
        if strings is None:
            strings = Strings()
        facts = self._facts if self._facts is not None else facts_of(self.kind, *self.doc_and_model(), strings)
        name = fresh(self.name)
        return Resource(self.kind, self.scope, self.path, name if self.file_name == self.name else fresh(self.file_name),
                        name, None, None, self.text, self._reading, facts)

    def doc_and_model(self) -> tuple[Document | None, Agent | Team | Workflow | Skill | ConfigFile | Guidance]:
        """`doc` and `model` of one parse (a compacted resource may be parsed again between two reads)."""
        parsed = self._parsed
        return parsed if parsed is not None else self._expand()

    def _expand(self) -> tuple[Document | None, Agent | Team | Workflow | Skill | ConfigFile | Guidance]:
        parsed = parse_resource(self.kind, self.scope, self.path, self.text, reading=self._reading)._parsed
        assert parsed is not None
        with _EXPANDED_LOCK:
            if self._parsed is not None:  # (another thread was first: the same parse, keep one)
                return self._parsed
            self._parsed = parsed
            _EXPANDED[id(self)] = self  # (held here: no other resource can take its id meanwhile)
            while len(_EXPANDED) > EXPANDED_MAX:
                _id, oldest = _EXPANDED.popitem(last=False)
                oldest._parsed = None
        return parsed


COMPACTABLE = frozenset(("agent", "team", "workflow", "skill"))
EXPANDED_MAX = 512  # compacted resources parsed again and kept so (a re-check reads a few files' neighbours)
_EXPANDED: OrderedDict[int, Resource] = OrderedDict()
_EXPANDED_LOCK = allocate_lock()  # (the server's checks run in a worker thread)


class ReadWhenAsked(Resource):
    """A compacted resource made from its `Facts` alone, as another process parsed its file (the language
    server's cold start of a large folder: docs/architecture.md, Cold start of a large folder). Its text
    is read from disk when first asked for (``read(path)``) and kept; until then the file costs only
    its facts. The file is the one the facts describe while its stamp is the one they were taken at:
    a later change on disk reaches the index as any disk change does, and replaces this resource."""

    __slots__ = ("_read", "_text")
    _fields = Resource._fields

    def __init__(self, kind: str, scope: str, path: str, file_name: str, name: str, reading: Reading, facts: Facts,
                 read: Callable[[str], str]):
        self.kind, self.scope, self.path, self.file_name, self.name = kind, scope, path, file_name, name
        self._parsed = None
        self._reading = reading
        self._facts = facts
        self._read = read
        self._text: str | None = None

    @property  # type: ignore[override]
    def text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = self._read(self.path)
        return text

    def compacted(self, strings: Strings | None = None) -> Resource:
        return self  # (compacted already; copying it would read its text)


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
        return Resource(kind, scope, path, file_name, file_name, None, ConfigFile(node, error, config_role), text, reading)
    if kind == "guidance":  # the repository's AGENTS.md: only its PI-CREW markers matter
        from crew_lsp.resources.guidance import parse_guidance

        return Resource(kind, scope, path, file_name, file_name, None, parse_guidance(text), text, reading)
    if kind == "workflow" and path.endswith(_DYNAMIC):
        return Resource(kind, scope, path, file_name, file_name, parse_document(""), Workflow(None, [], [], ()), text, reading)
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
    return Resource(kind, scope, path, file_name, name, doc, model, text, reading)
