"""Resource summaries and the stubs built from them, for checking one workspace in several processes.

When `crew-lsp check` splits a workspace between processes (`crew_lsp/checks/parallel.py`), each
process parses only its share of the files. The checks of a file also read a little of other files:
what the index reads of every file (its `Facts`, `facts.py`), plus a workflow's step roles. A
*summary* holds just that, as plain tuples that `marshal` ships cheaply (a parsed file costs more to
unpickle than to parse again).

A *stub* is a compacted `Resource` (it holds its facts, not its parse) built from a summary, whose
text is read on first use too. What the summary holds it answers at once; anything else (a document,
a span, a role's tokens) it gets by reading and parsing the file through the same loader, once: a
stub is never wrong, at worst slower. Files do not change during one `crew-lsp check`, so the file
parsed later is the file another process parsed.
"""

from __future__ import annotations

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.facts import Facts
from crew_lsp.resources.loader import Loader
from crew_lsp.resources.model import Resource, parse_resource

# A summary: (number, file_name, name or None when it is the file name, the facts' values, a
# workflow's step roles or None), where the number is the file's place in a list of scanned
# (kind, scope, path) entries every process holds.
# (Why a file was not read travels apart: few files have a problem.)
Summary = tuple


def summarize(number: int, res: Resource) -> Summary:
    file_name, name = res.file_name, res.name
    shown = None if name == file_name else name
    steps = tuple([s.role for s in res.model.steps]) if res.kind == "workflow" else None  # type: ignore[union-attr]
    return (number, file_name, shown, res.facts._values(), steps)


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
    """A resource another process parsed: a compacted resource whose text, too, is read on first use.

    Its parse, once made, is kept (not dropped like a compacted resource's: a check runs once)."""

    __slots__ = ("_source", "_text", "_summary_model")
    _fields = Resource._fields

    def __init__(self, summary: Summary, entry: tuple[str, str, str], source: StubSource):
        kind, scope, path = entry
        file_name, shown, facts, steps = summary[1:]
        facts = Facts(*facts)
        self.kind, self.scope, self.path, self.file_name, self.name = kind, scope, path, file_name, shown or file_name
        self._parsed = None
        self._reading = source.workspace.reading
        self._facts = facts
        self._source = source
        self._text: str | None = None
        if kind == "team":
            self._summary_model = _TeamSummary(self, facts)
        elif kind == "workflow":
            self._summary_model = _WorkflowSummary(self, steps)
        else:
            self._summary_model = None

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
        summary = self._summary_model
        return summary if summary is not None else self.doc_and_model()[1]


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

    def __init__(self, owner: StubResource, facts: Facts):
        self._owner = owner
        self._index = -1
        self.default_workflow = facts.default_workflow
        self._role_names = facts.role_names
        self._roles: tuple[_RoleSummary, ...] | None = None  # built on first use: most stubs are only folded

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


class _WorkflowSummary(_Part):
    __slots__ = ("_step_roles", "_steps")

    def __init__(self, owner: StubResource, step_roles: tuple[str, ...]):
        self._owner = owner
        self._index = -1
        self._step_roles = step_roles
        self._steps: tuple[_StepSummary, ...] | None = None

    @property
    def steps(self) -> tuple[_StepSummary, ...]:
        steps = self._steps
        if steps is None:
            owner = self._owner
            steps = self._steps = tuple(_StepSummary(owner, i, role) for i, role in enumerate(self._step_roles))
        return steps

    def _real_part(self):
        return self._owner.doc_and_model()[1]


class _StepSummary(_Part):
    __slots__ = ("role",)

    def __init__(self, owner: StubResource, index: int, role: str):
        self._owner = owner
        self._index = index
        self.role = role

    def _real_part(self):
        return self._owner.doc_and_model()[1].steps[self._index]  # type: ignore[union-attr]
