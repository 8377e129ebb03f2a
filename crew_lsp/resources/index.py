"""The effective index: every file of every scope, folded as pi-crew folds them (docs/formats.md, Roots and discovery).

A `Snapshot` is never mutated after it is handed out; `Index.update` builds the next one, reusing
the derived maps when the change cannot alter them (a body edit), and reports which other files
depend on what changed so only those are re-checked.
"""

from __future__ import annotations

import gc
from collections import defaultdict

from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.resources.loader import Loader, Problem, Stamp, internal_problem, text_problem
from crew_lsp.resources.model import Resource, parse_resource
from crew_lsp.resources.record import Record
from crew_lsp.resources.team import Team

_FOLD_ORDER = {"project": 0, "builtin": 1, "user": 2}
_TABLES = {"agent": ("agents", "disabled_agents"), "team": ("teams",), "workflow": ("workflows",), "skill": ("skills",)}


class Snapshot(Record):
    __slots__ = ("workspace", "resources", "version", "agents", "disabled_agents", "teams", "workflows", "skills", "losers",
                 "same_scope", "teams_by_workflow", "configs", "agents_by_lower", "roles", "problems")

    def __init__(self, workspace: Workspace, resources: dict[str, Resource], version: int = 0,
                 agents: dict[str, Resource] | None = None, disabled_agents: dict[str, Resource] | None = None,
                 teams: dict[str, Resource] | None = None, workflows: dict[str, Resource] | None = None,
                 skills: dict[str, Resource] | None = None, losers: dict[str, Resource] | None = None,
                 same_scope: dict[str, list[Resource]] | None = None, teams_by_workflow: dict[str, list[Resource]] | None = None,
                 configs: list[Resource] | None = None, agents_by_lower: dict[str, list[Resource]] | None = None,
                 roles: frozenset[str] | None = None, problems: dict[str, Problem] | None = None):
        self.workspace = workspace
        self.resources = resources
        self.version = version
        self.agents = {} if agents is None else agents  # lower-cased name → winner
        self.disabled_agents = {} if disabled_agents is None else disabled_agents
        self.teams = {} if teams is None else teams
        self.workflows = {} if workflows is None else workflows
        self.skills = {} if skills is None else skills
        self.losers = {} if losers is None else losers  # path of a replaced resource → the winner
        self.same_scope = {} if same_scope is None else same_scope  # path → other files of its scope with its name
        self.teams_by_workflow = {} if teams_by_workflow is None else teams_by_workflow
        self.configs = [] if configs is None else configs
        self.agents_by_lower = {} if agents_by_lower is None else agents_by_lower  # every agent file (all scopes) by lower-cased name
        self.roles = roles  # the union of all team roles, computed on first use
        self.problems = {} if problems is None else problems  # path → why the file was not read (indexed as empty)

    def agent(self, name: str) -> Resource | None:
        """The agent a role line's `agent=` resolves to: lower-cased key, case-sensitive match."""
        found = self.agents.get(name.lower())
        return found if found is not None and found.name == name else None

    def teams_running(self, workflow: str) -> list[Resource]:
        return self.teams_by_workflow.get(workflow, [])

    def all_roles(self) -> frozenset[str]:
        if self.roles is None:
            self.roles = frozenset(r.name for t in self.teams.values() for r in t.model.roles)  # type: ignore[union-attr]
        return self.roles

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind]


def _config_disables(configs: list[Resource]) -> tuple[bool, set[str]]:
    """Agent switches from user-level config (projects may not set them: sanitised)."""
    disable_builtins = False
    disabled: set[str] = set()
    for res in configs:
        node = res.model.node  # type: ignore[union-attr]
        if res.scope != "user" or node is None or not isinstance(node.value, dict):
            continue
        agents = node.value.get("agents")
        if not isinstance(agents, dict):
            continue
        if isinstance(agents.get("disableBuiltins"), bool):
            disable_builtins = agents["disableBuiltins"]
        overrides = agents.get("overrides")
        if isinstance(overrides, dict):
            for name, o in overrides.items():
                if isinstance(o, dict) and o.get("disabled") is True:
                    disabled.add(name.lower())
    return disable_builtins, disabled


def derive(snap: Snapshot) -> Snapshot:
    """Fill the effective maps of a snapshot from its resources."""
    ordered = sorted(
        (r for r in snap.resources.values() if r.scope in _FOLD_ORDER),
        key=lambda r: (_FOLD_ORDER[r.scope], r.path),
    )
    snap.configs = [r for r in ordered if r.kind == "config"]
    disable_builtins, overridden = _config_disables(snap.configs)
    groups: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)
    winners: dict[str, dict[str, Resource]] = {"agent": {}, "team": {}, "workflow": {}, "skill": {}}
    disabled: dict[str, Resource] = {}
    losers: dict[str, tuple[str, str]] = {}
    by_lower: dict[str, list[Resource]] = {}
    for res in ordered:
        if res.kind in ("config", "guidance"):
            continue
        key = res.name.lower() if res.kind == "agent" else res.name
        groups[(res.kind, res.scope, key)].append(res)
        table = winners[res.kind]
        if res.kind == "skill":
            table.setdefault(key, res)  # skill roots: workspace first, then ours
            continue
        if res.kind == "agent":
            by_lower.setdefault(key, []).append(res)
        previous = table.get(key)
        if previous is not None:
            losers[previous.path] = (res.kind, key)  # a later scope, or the later file of the same scope, wins
        table[key] = res
    # a loser points at the final winner (a project file beaten by builtin and user points at the user one)
    snap.losers = {path: winners[kind][key] for path, (kind, key) in losers.items()}
    snap.agents_by_lower = by_lower
    for res in list(winners["agent"].values()):
        key = res.name.lower()
        if res.disabled or key in overridden or (disable_builtins and res.scope == "builtin"):
            disabled[key] = winners["agent"].pop(key)
    for group in groups.values():
        if len(group) > 1:
            for res in group:
                snap.same_scope[res.path] = [o for o in group if o is not res]
    snap.agents = winners["agent"]
    snap.disabled_agents = disabled
    snap.teams = winners["team"]
    snap.workflows = winners["workflow"]
    snap.skills = winners["skill"]
    by_workflow: dict[str, list[Resource]] = defaultdict(list)
    for team in snap.teams.values():
        by_workflow[team.model.workflow].append(team)  # type: ignore[union-attr]
    snap.teams_by_workflow = dict(by_workflow)
    return snap


def _identity(res: Resource | None) -> tuple | None:
    """What a change must preserve for the derived maps to stay valid."""
    if res is None:
        return None
    extra: object = None
    if isinstance(res.model, Team):
        extra = (res.model.workflow, tuple(r.name for r in res.model.roles))
    elif res.kind == "config":
        extra = res.text
    return (res.kind, res.scope, res.name, res.disabled, extra)


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
            resources[path] = parse_resource(kind, scope, path, loaded.text, role, ws.reading)
        except Exception as exc:
            if not guard:
                raise
            problems[path] = internal_problem(exc)
            resources[path] = parse_resource(kind, scope, path, "", role, ws.reading)
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
        return parse_resource(kind, scope, path, text, self.workspace.config_role(path), self.workspace.reading)

    def update(self, path: str, text: str | None, resource: Resource | None = None, problem: Problem | None = None) -> set[str]:
        """Replace (or with ``text=None`` remove) one file; returns the paths to re-check.

        A text the loader would not read (above the cap, binary), or one given with a `problem`,
        is indexed as empty and never parsed.
        """
        if text is not None and problem is None and resource is None:
            problem = text_problem(text)
        if problem is not None and text is not None:
            text, resource = "", None
        old = self.snapshot.resources.get(path)
        new = resource if resource is not None else (self.parse(path, text) if text is not None else None)
        if new is None and old is None:
            return set()
        resources = dict(self.snapshot.resources)
        if new is None:
            del resources[path]
        else:
            resources[path] = new
        problems = self.snapshot.problems
        if (problem is not None and new is not None) or path in problems:
            problems = {p: v for p, v in problems.items() if p != path}  # copy-on-write, as the other maps
            if problem is not None and new is not None:
                problems[path] = problem
        prev = self.snapshot
        if _identity(old) == _identity(new) and new is not None:
            snap = Snapshot(self.workspace, resources, prev.version + 1, prev.agents, prev.disabled_agents, prev.teams,
                            prev.workflows, prev.skills, prev.losers, prev.same_scope, prev.teams_by_workflow, prev.configs,
                            prev.agents_by_lower, prev.roles, problems)
            # the same kind, scope and name: if the file is a winner, it sits under that name in its kind's table
            key = new.name.lower() if new.kind == "agent" else new.name
            for attr in _TABLES.get(new.kind, ()):
                table = getattr(snap, attr)
                current = table.get(key)
                if current is not None and current.path == path:
                    # copy-on-write so readers of the previous snapshot see a consistent world
                    setattr(snap, attr, {**table, key: new})
            self.snapshot = snap
            return {path} | _dependents_of_content(snap, new)
        snap = derive(Snapshot(self.workspace, resources, prev.version + 1, problems=problems))
        self.snapshot = snap
        return {path} | _dependents(prev, snap, old, new)


def _dependents_of_content(snap: Snapshot, res: Resource) -> set[str]:
    if res.kind == "team":
        # role metadata (agent=, skills=) changes nothing elsewhere, but the workflow's role check reads roles
        wf = snap.workflows.get(res.model.workflow)  # type: ignore[union-attr]
        return {wf.path} if wf else set()
    return set()


def _runners(snap: Snapshot, workflow: str) -> list[str]:
    return [team.path for team in snap.teams_running(workflow)]


def _dependents(prev: Snapshot, snap: Snapshot, old: Resource | None, new: Resource | None) -> set[str]:
    """Files whose diagnostics may change when ``old`` becomes ``new`` (names, scopes, links)."""
    kinds = {r.kind for r in (old, new) if r is not None}
    if kinds & {"config", "skill"}:
        return set(snap.resources)
    names = {r.name for r in (old, new) if r is not None}
    lowered = {n.lower() for n in names}
    affected: set[str] = set()
    for res in snap.resources.values():
        if res.kind in kinds and res.name.lower() in lowered:
            affected.add(res.path)  # shadowing, duplicates, case clashes
    if "agent" in kinds:
        # when the effective agent names change, every unresolved reference's did-you-mean may change too
        names_changed = {r.name for r in prev.agents.values()} != {r.name for r in snap.agents.values()}
        if names_changed or prev.disabled_agents.keys() != snap.disabled_agents.keys():
            affected.update(r.path for r in snap.configs)  # their `agents.overrides` keys name agents (drift)
        for team in snap.of_kind("team"):
            roles = team.model.roles  # type: ignore[union-attr]
            if any(r.agent.lower() in lowered for r in roles):
                affected.add(team.path)
            elif names_changed:
                before = prev.resources.get(team.path)
                if any(snap.agent(r.agent) is None for r in roles) or before is not None and before.kind == "team" and \
                        any(prev.agent(r.agent) is None for r in before.model.roles):  # type: ignore[union-attr]
                    affected.add(team.path)
    if "team" in kinds:
        workflows = {"default"} | {r.model.workflow for r in (old, new) if r is not None}  # type: ignore[union-attr]
        for wf in snap.of_kind("workflow"):
            if wf.name in workflows or not snap.teams_running(wf.name) or not prev.teams_running(wf.name):
                affected.add(wf.path)
            elif _runners(prev, wf.name) != _runners(snap, wf.name):  # a team that took or lost a name ran it
                affected.add(wf.path)
    if "workflow" in kinds:
        names_changed = prev.workflows.keys() != snap.workflows.keys()
        for team in snap.of_kind("team"):
            model = team.model
            if model.workflow in names:  # type: ignore[union-attr]
                affected.add(team.path)
            elif model.default_workflow is None:  # type: ignore[union-attr]
                if team.name in names:  # the "add `defaultWorkflow: <own name>`" fix comes and goes
                    affected.add(team.path)
            elif names_changed and (model.default_workflow not in snap.workflows or model.default_workflow not in prev.workflows):  # type: ignore[union-attr]
                affected.add(team.path)  # an unresolved defaultWorkflow: its did-you-mean may change
    return affected
