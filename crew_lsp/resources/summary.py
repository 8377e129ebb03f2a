"""Resource summaries and the stubs built from them, for checking one workspace in several processes.

When `crew-lsp check` splits a workspace between processes (`crew_lsp/checks/parallel.py`), each
process parses only its share of the files. The checks of a file also read a little of other files:
their names (to fold them), whether an agent is switched off, a team's workflow and role names. A
*summary* holds just that, as a plain tuple that `marshal` ships cheaply (a parsed file costs more to
unpickle than to parse again, and every item a summary holds costs both processes time).

A *stub* is a `Resource` built from a summary, whose text is read on first use. What the summary
holds it answers at once; anything else (a document, a span, a workflow's steps, the file's `Facts`)
it gets by reading and parsing the file through the same loader, once: a stub is never wrong, at
worst slower. Files do not change during one `crew-lsp check`, so the file parsed later is the file
another process parsed.
"""

from __future__ import annotations

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.facts import Facts, facts_of, skill_names
from crew_lsp.resources.loader import Loader
from crew_lsp.resources.model import Resource, parse_resource

# A summary: (number, file_name, name or None when it is the file name, then by kind: an agent's
# `disabled`; a team's `defaultWorkflow` and role names; nothing for other kinds), where the number
# is the file's place in a list of scanned (kind, scope, path) entries every process holds.
# (Why a file was not read travels apart: few files have a problem.)
Summary = tuple


def summarize(number: int, res: Resource) -> Summary:
    kind, file_name, name = res.kind, res.file_name, res.name
    shown = None if name == file_name else name
    if kind == "team":
        team = res.model
        return (number, file_name, shown, team.default_workflow, tuple([r.name for r in team.roles]))  # type: ignore[union-attr]
    if kind == "agent":
        return (number, file_name, shown, res.model.disabled)  # type: ignore[union-attr]
    return (number, file_name, shown)


class StubSource:
    """Reads and parses, for the stubs of one process, the files they stand for."""

    __slots__ = ("workspace", "loader")

    def __init__(self, workspace: Workspace, loader: Loader):
        self.workspace = workspace
        self.loader = loader

    def read(self, path: str) -> str:
        return self.loader.load(path).text or ""

    def parse(self, kind: str, scope: str, path: str, text: str) -> Resource:
        """The file parsed as `index.read_entries` parses it."""
        ws = self.workspace
        role = ws.config_role(path) if kind == "config" else "project"
        return parse_resource(kind, scope, path, text, role, ws.reading)


class StubResource(Resource):
    """A resource another process parsed: what its summary holds, and the rest from the file on first use.

    Its parse, once made, is kept (not dropped like a compacted resource's: a check runs once)."""

    __slots__ = ("_source", "_text", "_summary", "_team")
    _fields = Resource._fields

    def __init__(self, summary: Summary, entry: tuple[str, str, str], source: StubSource):
        self.kind, self.scope, self.path = entry
        self.file_name = file_name = summary[1]
        self.name = summary[2] or file_name
        self._summary = summary
        self._source = source
        self._reading = source.workspace.reading
        self._parsed = self._facts = self._text = self._team = None

    def _expand(self):
        parsed = self._source.parse(self.kind, self.scope, self.path, self.text)._parsed
        self._parsed = parsed
        return parsed

    @property  # type: ignore[override]
    def text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = self._source.read(self.path)
        return text

    @property
    def model(self):  # type: ignore[override]
        if self.kind != "team":
            return self.doc_and_model()[1]
        team = self._team
        if team is None:
            team = self._team = _TeamSummary(self, self._summary[3], self._summary[4])
        return team

    # what the fold reads, from the summary (`Resource` reads these from the parse or the facts)
    @property
    def disabled(self) -> bool:
        return self.kind == "agent" and self._summary[3]

    @property
    def team_workflow(self) -> str:
        return self._summary[3] or "default"

    @property
    def default_workflow(self) -> str | None:
        return self._summary[3]

    @property
    def role_names(self) -> tuple[str, ...]:
        return self._summary[4]

    # the rest, from the file
    @property
    def facts(self) -> Facts:
        return facts_of(self.kind, *self.doc_and_model())

    @property
    def declared_name(self) -> bool:
        doc = self.doc_and_model()[0]
        return doc is not None and bool(doc.frontmatter.get("name"))

    @property
    def role_agents(self) -> tuple[str, ...]:
        return tuple(r.agent for r in self.doc_and_model()[1].roles)  # type: ignore[union-attr]

    @property
    def skill_names(self) -> frozenset[str]:
        return skill_names(self.kind, *self.doc_and_model())


class _Part:
    """A summarised part of a parsed model; any attribute it does not hold comes from the parsed file."""

    __slots__ = ("_owner", "_index")

    def _real_part(self):
        raise NotImplementedError

    def __getattr__(self, attr: str):
        if attr.startswith("__"):  # (copy, pickle and friends probe for these: not ours to answer)
            raise AttributeError(attr)
        return getattr(self._real_part(), attr)


class _TeamSummary(_Part):
    __slots__ = ("default_workflow", "_role_names", "_roles")

    def __init__(self, owner: StubResource, default_workflow: str | None, role_names: tuple[str, ...]):
        self._owner = owner
        self._index = -1
        self.default_workflow = default_workflow
        self._role_names = role_names
        self._roles: tuple[_RoleSummary, ...] | None = None  # built on first use

    @property
    def workflow(self) -> str:
        return self.default_workflow or "default"

    @property
    def roles(self) -> tuple[_RoleSummary, ...]:
        roles = self._roles
        if roles is None:
            owner = self._owner
            roles = self._roles = tuple(_RoleSummary(owner, i, name) for i, name in enumerate(self._role_names))
        return roles

    def _real_part(self):
        return self._owner.doc_and_model()[1]


class _RoleSummary(_Part):
    __slots__ = ("name",)

    def __init__(self, owner: StubResource, index: int, name: str):
        self._owner = owner
        self._index = index
        self.name = name

    def _real_part(self):
        return self._owner.doc_and_model()[1].roles[self._index]  # type: ignore[union-attr]
