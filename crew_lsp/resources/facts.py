"""What the index reads of a file beyond the file itself: its `Facts`.

The folding of names (`fold.py`), the files an edit re-checks (`dependents.py`) and the features that
look across the workspace (references, rename, model completion) read these few things of every
file. A compacted resource (`model.Resource.compacted`) keeps only them and its text; everything
else is parsed again from the text when asked (docs/architecture.md, Memory).
"""

from __future__ import annotations

from crew_lsp.resources.frontmatter import Document, csv_texts
from crew_lsp.resources.record import Record

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:
    from collections.abc import Callable

_NONE: tuple[str, ...] = ()
_NO_SKILLS: frozenset[str] = frozenset()


class Facts(Record):
    """The parse of one file, reduced to what other files and the index read of it."""

    __slots__ = ("declared", "disabled", "workflow", "default_workflow", "role_names", "role_agents", "skills", "models")

    def __init__(self, declared: bool, disabled: bool = False, workflow: str | None = None, default_workflow: str | None = None,
                 role_names: tuple[str, ...] = _NONE, role_agents: tuple[str, ...] = _NONE,
                 skills: frozenset[str] = _NO_SKILLS, models: tuple[str, ...] = _NONE):
        self.declared = declared  # the frontmatter sets a non-empty `name`
        self.disabled = disabled  # an agent switched off in its own frontmatter
        self.workflow = workflow  # a team's workflow (its `defaultWorkflow`, else "default")
        self.default_workflow = default_workflow
        self.role_names = role_names  # a team's roles in file order, and the agent each names
        self.role_agents = role_agents
        self.skills = skills  # every skill name the file's checks look up
        self.models = models  # the model ids written in the file (for model completion)


def fresh(text: str) -> str:
    """A new string equal to ``text`` (slicing or ``str()`` hand back the same object)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") if text else ""


class Strings:
    """One new copy per distinct string, shared by every file compacted with it.

    Role, agent and skill names repeat in thousands of files; and a copy made now keeps nothing of
    the parse alive (a string of the parse kept here would pin the memory around it).
    """

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        found = self._table.get(text)
        if found is None:
            found = self._table[text] = fresh(text)
        return found


def _names(values, strings: Strings | None) -> tuple[str, ...]:
    out = tuple(values) if strings is None else tuple(strings(v) for v in values)
    return out if out else _NONE


def skill_names(kind: str, doc: Document | None, model: object, strings: Strings | None = None) -> frozenset[str]:
    """Every skill name a file's checks look up: an agent's `skills`/`skill`, role `skills=`, step `skills:`."""
    names: set[str] = set()
    if kind == "agent":
        names.update(model.skills)  # type: ignore[attr-defined]
        fields = doc.frontmatter.fields if doc is not None else {}
        if "skills" in fields and "skill" in fields:  # (both are checked; the run reads `skills`)
            names.update(csv_texts(fields["skill"].value))
    elif kind == "team":
        names.update(i.text for r in model.roles if r.skills for i in r.skills)  # type: ignore[attr-defined]
    elif kind == "workflow":
        for step in model.steps:  # type: ignore[attr-defined]
            meta = step.meta.get("skills")
            if meta is not None and meta.value != "false":
                names.update(csv_texts(meta.value))
    if not names:
        return _NO_SKILLS
    return frozenset(names) if strings is None else frozenset(strings(n) for n in names)


def models_written(kind: str, doc: Document | None, model: object, strings: Strings | None = None) -> tuple[str, ...]:
    """The model ids a file writes: an agent's `model` and `fallbackModels`, role `model=`, step `model:`."""
    seen: dict[str, None] = {}
    if doc is None:
        return _NONE
    if kind == "agent":
        fm = doc.frontmatter
        value = fm.get("model")
        if value and value != "false":
            seen[value] = None
        fallbacks = fm.fields.get("fallbackModels")
        if fallbacks is not None:
            seen.update(dict.fromkeys(csv_texts(fallbacks.value)))
    elif kind == "team":
        for role in model.roles:  # type: ignore[attr-defined]
            if role.model:
                seen[role.model] = None
    elif kind == "workflow":
        for step in model.steps:  # type: ignore[attr-defined]
            meta = step.meta.get("model")
            if meta is not None and meta.value and meta.value != "false":
                seen[meta.value] = None
    return _names(seen, strings)


def facts_of(kind: str, doc: Document | None, model: object, strings: Strings | None = None) -> Facts:
    """A file's facts; with ``strings``, made of new strings shared through it (see `Strings`)."""
    declared = doc is not None and bool(doc.frontmatter.get("name"))
    skills, models = skill_names(kind, doc, model, strings), models_written(kind, doc, model, strings)
    if kind == "team":
        roles = model.roles  # type: ignore[attr-defined]
        share = strings if strings is not None else (lambda text: text)
        default = model.default_workflow  # type: ignore[attr-defined]
        return Facts(declared, workflow=share(model.workflow), default_workflow=None if default is None else share(default),  # type: ignore[attr-defined]
                     role_names=_names((r.name for r in roles), strings), role_agents=_names((r.agent for r in roles), strings),
                     skills=skills, models=models)
    disabled = kind == "agent" and model.disabled  # type: ignore[attr-defined]
    return Facts(declared, disabled, skills=skills, models=models)


# A file's facts as another process sends them (`crew-lsp check --server-format`, for the language
# server's cold start of a large folder: docs/architecture.md, Cold start of a large folder): a flat
# list of JSON values, with the file's name and file name, which the index also reads.
Row = list


def to_row(file_name: str, name: str, facts: Facts) -> Row:
    """[file_name, name or None when it is the file name, declared, disabled, workflow, defaultWorkflow,
    role names, role agents, skill names (sorted), models]: lists only, the same before and after JSON."""
    return [file_name, None if name == file_name else name, facts.declared, facts.disabled, facts.workflow,
            facts.default_workflow, list(facts.role_names), list(facts.role_agents), sorted(facts.skills), list(facts.models)]


def _shared(texts: list, share: Callable[[str, str], str]) -> tuple[str, ...]:
    return tuple([share(text, text) for text in texts]) if texts else _NONE


def from_row(row: object, share: Callable[[str, str], str]) -> tuple[str, str, Facts] | None:
    """(file_name, name, facts) of a row made by `to_row`, its strings passed through ``share`` (as
    ``dict.setdefault``: one object per distinct string); None when it is not exactly that shape."""
    if type(row) is not list or len(row) != 10:
        return None
    file_name, name, declared, disabled, workflow, default_workflow, role_names, role_agents, skills, models = row
    if type(file_name) is not str or not (name is None or type(name) is str) or type(declared) is not bool \
            or type(disabled) is not bool or not (workflow is None or type(workflow) is str) \
            or not (default_workflow is None or type(default_workflow) is str) \
            or type(role_names) is not list or type(role_agents) is not list or type(skills) is not list \
            or type(models) is not list or len(role_names) != len(role_agents):
        return None
    for text in role_names + role_agents + skills + models:
        if type(text) is not str:
            return None
    facts = Facts(declared, disabled, None if workflow is None else share(workflow, workflow),
                  None if default_workflow is None else share(default_workflow, default_workflow),
                  _shared(role_names, share), _shared(role_agents, share),
                  frozenset(_shared(skills, share)) if skills else _NO_SKILLS, _shared(models, share))
    return file_name, file_name if name is None else name, facts
