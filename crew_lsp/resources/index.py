"""The effective index: every file of every scope, folded as pi-crew folds them (docs/formats.md, Roots and discovery).

A `Snapshot` is never mutated after it is handed out; `Index.update` builds the next one on
persistent maps, refolding only the names of the file that changed (`fold.py`), and reports which
other files depend on what changed so only those are re-checked (`dependents.py`).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

from crew_lsp.resources.dependents import dependents
from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.resources.fold import SHARED, Change, apply, build_references, derive
from crew_lsp.resources.loader import Loader, Problem, Stamp, internal_problem, text_problem
from crew_lsp.resources.model import Resource, parse_resource
from crew_lsp.resources.record import Record
from crew_lsp.resources.similar import NameIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from immutables import Map

__all__ = ["Index", "Snapshot", "derive", "paused_gc", "read_entries"]

class Snapshot(Record):
    """One state of the index. Its maps are dicts after a full build and persistent maps after an edit;
    readers use the read-only mapping API (`get`, `in`, `items`, ...) and never mutate them."""

    __slots__ = ("workspace", "resources", "version", "problems", "configs", "agents", "disabled_agents", "teams",
                 "workflows", "skills", "losers", "same_scope", "teams_by_workflow", "agents_by_lower", "team_files",
                 "workflow_files", "skill_files", "agent_refs", "unresolved_agents", "workflow_refs",
                 "unresolved_workflows", "unrun_workflows", "role_counts", "roles", "name_indexes")

    def __init__(self, workspace: Workspace, resources: Mapping[str, Resource], version: int = 0,
                 problems: Mapping[str, Problem] | None = None):
        self.workspace = workspace
        self.resources = resources
        self.version = version
        self.problems = {} if problems is None else problems  # path → why the file was not read (indexed as empty)
        self.configs: tuple[Resource, ...] = ()  # config files in fold order
        # the effective resources, by name (agents by lower-cased name)
        self.agents: Mapping[str, Resource] = {}
        self.disabled_agents: Mapping[str, Resource] = {}
        self.teams: Mapping[str, Resource] = {}
        self.workflows: Mapping[str, Resource] = {}
        self.skills: Mapping[str, Resource] = {}
        self.losers: Mapping[str, Resource] = {}  # path of a replaced resource → the winner
        self.same_scope: Mapping[str, tuple[Resource, ...]] = {}  # path → other files of its scope with its name
        self.teams_by_workflow: Mapping[str, tuple[Resource, ...]] = {}  # winning teams by the workflow they run, by name
        # every file of a kind by name, in fold order (agents by lower-cased name)
        self.agents_by_lower: Mapping[str, tuple[Resource, ...]] = {}
        self.team_files: Mapping[str, tuple[Resource, ...]] = {}
        self.workflow_files: Mapping[str, tuple[Resource, ...]] = {}
        self.skill_files: Mapping[str, tuple[Resource, ...]] = {}
        # who names what, for the files to re-check after an edit (None until `references()` builds them)
        self.agent_refs: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # lower-cased agent name → teams naming it
        self.unresolved_agents: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # ... whose reference does not resolve
        self.workflow_refs: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # workflow → team files that run it
        self.unresolved_workflows: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # ... for names no workflow has
        self.unrun_workflows: Mapping[str, bool] = None  # type: ignore[assignment]  # workflow names no winning team runs
        self.role_counts: Mapping[str, int] = None  # type: ignore[assignment]  # role name → how many winning teams define it
        self.roles: frozenset[str] | None = None  # the union of all team roles, computed on first use
        self.name_indexes: dict[str, NameIndex] = {}  # did-you-mean lookups, built on first use (see `names`)

    def agent(self, name: str) -> Resource | None:
        """The agent a role line's `agent=` resolves to: lower-cased key, case-sensitive match."""
        found = self.agents.get(name.lower())
        return found if found is not None and found.name == name else None

    def teams_running(self, workflow: str) -> tuple[Resource, ...]:
        """The winning teams whose workflow this is, by name."""
        return self.teams_by_workflow.get(workflow, ())

    def all_roles(self) -> frozenset[str]:
        if self.roles is None:
            counts = self.role_counts
            self.roles = frozenset(counts) if counts is not None else \
                frozenset(r.name for t in self.teams.values() for r in t.model.roles)  # type: ignore[union-attr]
        return self.roles

    def prepare_for_edits(self) -> Snapshot:
        """Build what the first `Index.update` would (the reference maps, persistent copies of the maps).

        For a server to call in a worker thread after a full build, so the first keystroke of a large
        workspace does not pay for it. The contents stay the same: readers see no difference.
        """
        self.references()
        for attr in ("resources", "problems", *SHARED):
            if attr != "configs":
                setattr(self, attr, _persistent(getattr(self, attr)))
        return self

    def references(self) -> Snapshot:
        """This snapshot, with its maps of who names what built (once; `crew-lsp check` never needs them)."""
        if self.role_counts is None:
            build_references(self)
        return self

    def names(self, kind: str) -> NameIndex:
        """The effective names of "agents", "workflows" or "skills", ready for did-you-mean lookups."""
        found = self.name_indexes.get(kind)
        if found is None:
            table = getattr(self, kind)
            found = self.name_indexes[kind] = NameIndex.of(r.name for r in table.values()) if kind == "agents" else NameIndex.of(table)
        return found

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind]


def read_entries(ws: Workspace, entries: list[tuple[str, str, str]], loader: Loader, guard: bool = False,
                 ) -> tuple[dict[str, Resource], dict[str, Problem], dict[str, Stamp]]:
    """Read and parse scanned files: the resources, the files not read (indexed as empty), the stamps.

    With `guard` a parser failure marks the file as not read instead of raising (the server must
    not lose a whole folder to one bad file).
    """
    resources: dict[str, Resource] = {}
    problems: dict[str, Problem] = {}
    stamps: dict[str, Stamp] = {}
    role_of = ws.config_role
    for kind, scope, path in entries:
        loaded = loader.load(path)
        if loaded.text is None:
            continue
        role = role_of(path) if kind == "config" else "project"
        if loaded.problem is not None:
            problems[path] = loaded.problem
        stamps[path] = loaded.stamp
        try:
            resources[path] = parse_resource(kind, scope, path, loaded.text, role)
        except Exception as exc:
            if not guard:
                raise
            problems[path] = internal_problem(exc)
            resources[path] = parse_resource(kind, scope, path, "", role)
    return resources, problems, stamps


class paused_gc:
    """No cyclic garbage collection while a burst of long-lived objects is built (restored afterwards).

    Parsing a workspace allocates about a hundred thousand container objects that all survive. With
    the collector running, each young collection walks them again and each promotion walks them once
    more (tens of milliseconds per pass on a 2,000-file workspace). Paused, and at the end moved
    straight to the oldest generation (`freeze` + `unfreeze` relinks the lists without walking them),
    they are only looked at by the rare full collections, like any other long-lived data. Anything
    someone else froze on purpose (the server freezes its index) is left frozen: then the objects stay
    young, as without this.
    """

    __slots__ = ("enabled",)

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if self.enabled:
            gc.enable()


class Index:
    """Owns the current snapshot of one workspace folder."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.snapshot = Snapshot(workspace, {})

    @classmethod
    def load(cls, workspace: Workspace) -> Index:
        index = cls(workspace)
        loader = Loader(workspace.boundaries())
        with paused_gc():
            resources, problems, _stamps = read_entries(workspace, scan(workspace, loader), loader)
            index.snapshot = derive(Snapshot(workspace, resources, problems=problems))
        return index

    def parse(self, path: str, text: str) -> Resource | None:
        found = self.workspace.classify(path)
        if found is None:
            return None
        kind, scope = found
        return parse_resource(kind, scope, path, text, self.workspace.config_role(path))

    def update(self, path: str, text: str | None, resource: Resource | None = None, problem: Problem | None = None) -> set[str]:
        """Replace (or with ``text=None`` remove) one file; returns the paths to re-check.

        A text the loader would not read (above the cap, binary), or one given with a `problem`,
        is indexed as empty and never parsed. Only the names the file held or holds are refolded.
        """
        if text is not None and problem is None and resource is None:
            problem = text_problem(text)
        if problem is not None and text is not None:
            text, resource = "", None
        prev = self.snapshot
        old = prev.resources.get(path)
        new = resource if resource is not None else (self.parse(path, text) if text is not None else None)
        if new is None and old is None:
            return set()
        if prev.role_counts is None:
            with paused_gc():  # the first edit after a full build: a burst of long-lived maps (see prepare_for_edits)
                prev.prepare_for_edits()
        resources = _persistent(prev.resources).mutate()
        if new is None:
            del resources[path]
        else:
            resources[path] = new
        problems = prev.problems
        if (problem is not None and new is not None) or path in problems:
            problems = _persistent(problems).mutate()
            problems.pop(path, None)
            if problem is not None and new is not None:
                problems[path] = problem
            problems = problems.finish()
        snap = Snapshot(self.workspace, resources.finish(), prev.version + 1, problems)
        if "config" in (old.kind if old else None, new.kind if new else None):
            self.snapshot = derive(snap)  # agent switches may change anything: fold everything again
            return {path} | set(snap.resources)
        change = apply(prev, snap, path, old, new)
        _carry_name_indexes(prev, snap, change, skills_changed="skill" in (old.kind if old else None, new.kind if new else None))
        self.snapshot = snap
        return dependents(prev, snap, path, old, new, change)


def _carry_name_indexes(prev: Snapshot, snap: Snapshot, change: Change, skills_changed: bool) -> None:
    """The previous generation's did-you-mean lookups, with the names that came and went (not rebuilt)."""
    for kind, index in prev.name_indexes.items():
        if kind == "skills":
            if not skills_changed:
                snap.name_indexes[kind] = index
            continue
        went, came = change.names_out[kind], change.names_in[kind]
        snap.name_indexes[kind] = index.changed(went, came) if went or came else index


def _persistent(table: Mapping) -> Map:
    from immutables import Map

    return table if isinstance(table, Map) else Map(table)
