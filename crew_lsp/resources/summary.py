"""Resource summaries and the stubs built from them, for checking one workspace in several processes.

When `crew-lsp check` splits a workspace between processes (`crew_lsp/checks/parallel.py`), each
process parses only its share of the files. The checks of a file also read a little of other files:
their kind, scope, path and name, whether an agent is disabled, a team's workflow and role names, a
workflow's step roles. A *summary* holds just that, as plain tuples that `marshal` ships cheaply
(a parsed file costs more to unpickle than to parse again).

A *stub* is a `Resource` built from a summary. What the summary holds it answers at once; anything
else (a document, a span, a role's tokens) it gets by reading and parsing the file through the same
loader, once, on first use: a stub is never wrong, at worst slower. Files do not change during one
`crew-lsp check`, so the file parsed later is the file another process parsed.
"""

from __future__ import annotations

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.loader import Loader
from crew_lsp.resources.model import Resource, parse_resource

# A summary: (number, file_name, name or None when it is the file name, kind's details...), where the
# number is the file's place in a list of scanned (kind, scope, path) entries every process holds:
#   agent: (..., disabled), team: (..., default_workflow, role names), workflow: (..., step roles).
# (Why a file was not read travels apart: few files have a problem.)
Summary = tuple


def summarize(number: int, res: Resource) -> Summary:
    kind, file_name, name = res.kind, res.file_name, res.name
    shown = None if name == file_name else name
    if kind == "agent":
        return (number, file_name, shown, res.model.disabled)  # type: ignore[union-attr]
    if kind == "team":
        team = res.model
        return (number, file_name, shown, team.default_workflow, tuple([r.name for r in team.roles]))  # type: ignore[union-attr]
    if kind == "workflow":
        return (number, file_name, shown, tuple([s.role for s in res.model.steps]))  # type: ignore[union-attr]
    return (number, file_name, shown)


class StubSource:
    """Reads and parses, for the stubs of one process, the files they stand for."""

    __slots__ = ("workspace", "loader")

    def __init__(self, workspace: Workspace, loader: Loader):
        self.workspace = workspace
        self.loader = loader

    def parse(self, kind: str, scope: str, path: str) -> Resource:
        """The file parsed as `index.read_entries` parses it."""
        ws = self.workspace
        text = self.loader.load(path).text
        role = ws.config_role(path) if kind == "config" else "project"
        return parse_resource(kind, scope, path, text or "", role, ws.reading)


class StubResource(Resource):
    """A resource another process parsed: its summary now, the parsed file on first use of anything else."""

    __slots__ = ("_source", "_real", "_disabled", "_summary_model")
    _fields = Resource._fields

    def __init__(self, summary: Summary, entry: tuple[str, str, str], source: StubSource):
        kind, self.scope, self.path = entry
        self.kind = kind
        self.file_name = summary[1]
        self.name = summary[2] or summary[1]
        self._source = source
        self._real: Resource | None = None
        self._disabled = kind == "agent" and summary[3]
        if kind == "team":
            self._summary_model = _TeamSummary(self, summary[3], summary[4])
        elif kind == "workflow":
            self._summary_model = _WorkflowSummary(self, summary[3])
        else:
            self._summary_model = None

    def real(self) -> Resource:
        """The file, parsed (once)."""
        real = self._real
        if real is None:
            real = self._real = self._source.parse(self.kind, self.scope, self.path)
        return real

    @property
    def doc(self):  # type: ignore[override]
        return self.real().doc

    @property
    def text(self) -> str:  # type: ignore[override]
        return self.real().text

    @property
    def model(self):  # type: ignore[override]
        summary = self._summary_model
        return summary if summary is not None else self.real().model

    @property
    def disabled(self) -> bool:
        return self._disabled


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
        return self._owner.real().model


class _RoleSummary(_Part):
    __slots__ = ("name",)

    def __init__(self, owner: StubResource, index: int, name: str):
        self._owner = owner
        self._index = index
        self.name = name

    def _real_part(self):
        return self._owner.real().model.roles[self._index]  # type: ignore[union-attr]


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
        return self._owner.real().model


class _StepSummary(_Part):
    __slots__ = ("role",)

    def __init__(self, owner: StubResource, index: int, role: str):
        self._owner = owner
        self._index = index
        self.role = role

    def _real_part(self):
        return self._owner.real().model.steps[self._index]  # type: ignore[union-attr]
