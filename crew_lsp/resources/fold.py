"""Folding files into a snapshot's effective maps (docs/formats.md, Roots and discovery).

Files of one kind and name form a *slot*: the files of the slot sorted by scope (project, builtin,
user) then path, whose last file wins (the first for skills). `derive` builds every map at once; the
incremental update (`apply`) refolds only the slots of the file that changed, on persistent maps, so
an edit costs the same in a 50,000-file workspace as in a small one.
"""

from __future__ import annotations

from bisect import insort

RANK = {"project": 0, "builtin": 1, "user": 2}  # a later scope wins
# the map of every file of a kind, by its slot key (the lower-cased name for agents)
FILES = {"agent": "agents_by_lower", "team": "team_files", "workflow": "workflow_files", "skill": "skill_files"}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from crew_lsp.resources.model import Resource
    from crew_lsp.resources.snapshot import Snapshot


def key_of(res: Resource) -> str:
    return res.name.lower() if res.kind == "agent" else res.name


def fold_order(res: Resource) -> tuple[int, str]:
    return (RANK.get(res.scope, 3), res.path)


def agent_switches(configs: tuple[Resource, ...]) -> tuple[bool, frozenset[str]]:
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
    return disable_builtins, frozenset(disabled)


def resolves(agents, name: str) -> bool:
    """A role line's `agent=` names an effective agent: lower-cased key, case-sensitive match."""
    found = agents.get(name.lower())
    return found is not None and found.name == name


def unresolved_keys(agents, team: Resource) -> set[str]:
    """The lower-cased agent names a team's roles reference without resolving."""
    return {a.lower() for a in team.role_agents if not resolves(agents, a)}


def _winner(kind: str, fold: list | tuple) -> Resource:
    return fold[0] if kind == "skill" else fold[-1]


def fill_slot(t, kind: str, key: str, members: tuple, switches: tuple[bool, frozenset[str]]) -> Resource | None:
    """Write one slot into the maps of `t` (dicts or mutations): its files, winner, losers and twins."""
    files = getattr(t, FILES[kind])
    if not members:
        files.pop(key, None)
        return None
    files[key] = members
    fold = members if members[-1].scope in RANK else [m for m in members if m.scope in RANK]  # (sorted: others last)
    if not fold:
        return None
    winner = _winner(kind, fold)
    if len(fold) > 1:
        losers, same_scope = t.losers, t.same_scope
        if kind != "skill":  # a later scope, or the later file of the same scope, wins
            for res in fold[:-1]:
                losers[res.path] = winner
        by_scope: dict[str, list[Resource]] = {}
        for res in fold:
            by_scope.setdefault(res.scope, []).append(res)
        for group in by_scope.values():
            if len(group) > 1:
                for res in group:
                    same_scope[res.path] = tuple(o for o in group if o is not res)
    if kind == "agent":
        disable_builtins, overridden = switches
        if winner.disabled or key in overridden or (disable_builtins and winner.scope == "builtin"):
            t.disabled_agents[key] = winner
        else:
            t.agents[key] = winner
    elif kind == "team":
        t.teams[key] = winner
    elif kind == "workflow":
        t.workflows[key] = winner
    else:
        t.skills[key] = winner
    return winner


def clear_slot(t, kind: str, key: str, members: tuple) -> None:
    """Undo `fill_slot` for a slot's previous files."""
    for res in members:
        t.losers.pop(res.path, None)
        t.same_scope.pop(res.path, None)
    if kind == "agent":
        t.agents.pop(key, None)
        t.disabled_agents.pop(key, None)
    else:
        getattr(t, kind + "s").pop(key, None)


def derive(snap: Snapshot) -> Snapshot:
    """Fill every effective map of a snapshot from its resources."""
    files: dict[str, dict[str, list[Resource]]] = {kind: {} for kind in FILES}
    configs = []
    for res in snap.resources.values():
        kind = res.kind
        table = files.get(kind)
        if table is None:  # config files, and the repository's AGENTS.md: nothing named to fold
            if kind == "config" and res.scope in RANK:
                configs.append(res)
            continue
        key = res.name.lower() if kind == "agent" else res.name
        found = table.get(key)
        if found is None:
            table[key] = [res]
        else:
            found.append(res)
    configs.sort(key=fold_order)
    snap.configs = tuple(configs)
    switches = agent_switches(snap.configs)
    for kind, table in files.items():
        # the usual slot holds one file of a folded scope: it wins, and nothing else is recorded
        winners = None if kind == "agent" else getattr(snap, kind + "s")  # (agents may be switched off: fill_slot)
        out = getattr(snap, FILES[kind])
        for key, members in table.items():
            if len(members) == 1 and winners is not None and members[0].scope in RANK:
                res = members[0]
                winners[key] = res
                out[key] = (res,)
                continue
            if len(members) > 1:
                members.sort(key=fold_order)
            fill_slot(snap, kind, key, tuple(members), switches)
    by_workflow: dict[str, list[Resource]] = {}
    for team in snap.teams.values():
        by_workflow.setdefault(team.team_workflow, []).append(team)
    snap.teams_by_workflow = {w: tuple(sorted(ts, key=key_of)) if len(ts) > 1 else tuple(ts) for w, ts in by_workflow.items()}
    return snap


def prepare_for_edits(snap: Snapshot) -> Snapshot:
    """Build what the first `Index.update` would: the reference maps, and persistent copies of the maps.

    For a server to call in a worker thread after a full build, so that the first keystroke in a
    large workspace does not pay for it. The contents stay the same: readers see no difference.
    """
    from immutables import Map

    references(snap)
    for attr in ("resources", "problems", *SHARED):
        table = getattr(snap, attr)
        if attr != "configs" and not isinstance(table, Map):
            setattr(snap, attr, Map(table))
    return snap


def references(snap: Snapshot) -> Snapshot:
    """The snapshot, with its maps of who names what built (once; `crew-lsp check` never needs them)."""
    if snap.role_counts is None:
        build_references(snap)
    return snap


def build_references(snap: Snapshot) -> None:
    """Who names what (for the files an edit re-checks): built on the first edit, not by `crew-lsp check`."""
    role_counts: dict[str, int] = {}
    for team in snap.teams.values():
        for role in set(team.role_names):
            role_counts[role] = role_counts.get(role, 0) + 1
    agent_refs: dict[str, list[str]] = {}
    workflow_refs: dict[str, list[str]] = {}
    unresolved: dict[str, list[str]] = {}
    agents = snap.agents
    for members in snap.team_files.values():
        for team in members:
            path = team.path
            for name in team.role_agents:
                low = name.lower()
                refs = agent_refs.get(low)
                if refs is None:
                    agent_refs[low] = [path]
                else:
                    refs.append(path)
                found = agents.get(low)
                if found is None or found.name != name:  # (`resolves`, inline: this runs for every role line)
                    unresolved.setdefault(low, []).append(path)
            workflow = team.team_workflow
            refs = workflow_refs.get(workflow)
            if refs is None:
                workflow_refs[workflow] = [path]
            else:
                refs.append(path)
    skill_refs: dict[str, list[str]] = {}
    for kind in ("agents_by_lower", "team_files", "workflow_files"):
        for members in getattr(snap, kind).values():
            for res in members:
                for name in res.skill_names:
                    skill_refs.setdefault(name, []).append(res.path)
    snap.skill_refs = {k: frozenset(v) for k, v in skill_refs.items()}
    snap.unresolved_skills = {k: refs for k, refs in snap.skill_refs.items() if k not in snap.skills}
    snap.agent_refs = {k: frozenset(v) for k, v in agent_refs.items()}
    snap.unresolved_agents = {k: frozenset(v) for k, v in unresolved.items()}
    snap.workflow_refs = {k: frozenset(v) for k, v in workflow_refs.items()}
    snap.unresolved_workflows = {w: refs for w, refs in snap.workflow_refs.items() if w not in snap.workflows}
    snap.unrun_workflows = {w: True for w in snap.workflow_files if w not in snap.teams_by_workflow}
    snap.role_counts = role_counts  # last: it tells `references` the maps are built (a check thread may ask)


class Change:
    """What an incremental update changed beyond the file itself (read by the dependents)."""

    __slots__ = ("names_out", "names_in", "disabled_changed", "roles_changed", "runners_changed")

    def __init__(self) -> None:
        # effective names that went and came, by `Snapshot.names` kind ("agents", "workflows")
        self.names_out: dict[str, set[str]] = {"agents": set(), "workflows": set(), "skills": set()}
        self.names_in: dict[str, set[str]] = {"agents": set(), "workflows": set(), "skills": set()}
        self.disabled_changed = False  # an agent name was switched off or on
        self.roles_changed = False  # the union of the winning teams' roles
        self.runners_changed: set[str] = set()  # workflows whose list of running teams changed


SHARED = ("configs", "agents", "disabled_agents", "teams", "workflows", "skills", "losers", "same_scope", "teams_by_workflow",
          "agents_by_lower", "team_files", "workflow_files", "skill_files", "agent_refs", "unresolved_agents", "workflow_refs",
          "unresolved_workflows", "unrun_workflows", "skill_refs", "unresolved_skills", "role_counts")


class _Mutations:
    """Copy-on-write access to a snapshot's maps: each is turned into a mutation on first use."""

    def __init__(self, prev: Snapshot, resources):
        object.__setattr__(self, "_prev", prev)
        object.__setattr__(self, "_open", {})
        object.__setattr__(self, "resources_view", resources)  # the new snapshot's files (read only)

    def __getattr__(self, attr: str):
        from immutables import Map

        current = getattr(self._prev, attr)
        if not isinstance(current, Map):
            current = Map(current)  # the first edit after a full build: one copy, then O(log n) per edit
        mutation = self._open[attr] = current.mutate()
        object.__setattr__(self, attr, mutation)
        return mutation

    def finish(self, snap: Snapshot) -> None:
        """Give `snap` the changed maps, and share every other one with the previous snapshot."""
        for attr in SHARED:
            setattr(snap, attr, getattr(self._prev, attr))
        for attr, mutation in self._open.items():
            setattr(snap, attr, mutation.finish())


def apply(prev: Snapshot, snap: Snapshot, path: str, old: Resource | None, new: Resource | None) -> Change:
    """Fill `snap` (its resources and problems already set) from `prev` with `old` replaced by `new`.

    Only the slots of the two files are refolded; every other map entry is shared with `prev`.
    """
    change = Change()
    references(prev)
    t = _Mutations(prev, snap.resources)
    switches = agent_switches(prev.configs)
    slots: list[tuple[str, str]] = []
    for res in (old, new):
        if res is not None and res.kind in FILES and (res.kind, key_of(res)) not in slots:
            slots.append((res.kind, key_of(res)))
    for kind, key in slots:
        before = getattr(prev, FILES[kind]).get(key, ())
        members = [r for r in before if r.path != path]
        if new is not None and new.kind == kind and key_of(new) == key:
            insort(members, new, key=fold_order)
        if kind == "agent":
            was = prev.agents.get(key)
        else:
            was = getattr(prev, kind + "s").get(key)
        clear_slot(t, kind, key, before)
        winner = fill_slot(t, kind, key, tuple(members), switches)
        if kind == "agent":
            now = t.agents.get(key)
            if (was.name if was else None) != (now.name if now else None):  # (references resolve by name)
                _came_or_went(change, "agents", was, now)
                _refresh_unresolved(t, key)
            if (key in prev.disabled_agents) != (t.disabled_agents.get(key) is not None):
                change.disabled_changed = True
        elif kind == "team":
            if was is not winner:
                _move_team(t, change, was, winner)
        elif kind == "workflow":
            if (was is None) != (winner is None):
                _came_or_went(change, "workflows", was, winner)
            _refresh_workflow(t, key)
        elif kind == "skill":
            if (was is None) != (winner is None):
                _came_or_went(change, "skills", was, winner)
            _refresh_skill(t, key)
    for res, sign in ((old, -1), (new, 1)):
        if res is not None and res.kind == "team":
            _team_refs(t, res, sign)
    before, after = (r.skill_names if r is not None else frozenset() for r in (old, new))
    for name in before ^ after:
        _set_member(t.skill_refs, name, path, name in after)
        _refresh_skill(t, name)
    t.finish(snap)
    snap.roles = None if change.roles_changed else prev.roles
    return change


def _came_or_went(change: Change, kind: str, was: Resource | None, now: Resource | None) -> None:
    if was is not None:
        change.names_out[kind].add(was.name)
    if now is not None:
        change.names_in[kind].add(now.name)


def _move_team(t, change: Change, was: Resource | None, now: Resource | None) -> None:
    """A team slot's winner changed: the workflows' runners and the union of roles follow."""
    by_workflow, counts = t.teams_by_workflow, t.role_counts
    roles = {r for team in (was, now) if team is not None for r in team.role_names}
    present = {r for r in roles if r in counts}
    for team, sign in ((was, -1), (now, 1)):
        if team is None:
            continue
        workflow = team.team_workflow
        runners = [r for r in by_workflow.get(workflow, ()) if r.path != team.path]
        if sign > 0:
            insort(runners, team, key=key_of)
        if runners:
            by_workflow[workflow] = tuple(runners)
        else:
            by_workflow.pop(workflow, None)
        change.runners_changed.add(workflow)
        _refresh_unrun(t, workflow)
        for role in set(team.role_names):
            n = counts.get(role, 0) + sign
            if n > 0:
                counts[role] = n
            else:
                counts.pop(role, None)
    if present != {r for r in roles if r in counts}:
        change.roles_changed = True


def _team_refs(t, team: Resource, sign: int) -> None:
    """Add (or remove) a team file's references to agents and to its workflow."""
    path = team.path
    agent_refs, unresolved = t.agent_refs, t.unresolved_agents
    bad = unresolved_keys(t.agents, team) if sign > 0 else set()
    for low in {a.lower() for a in team.role_agents}:
        _set_member(agent_refs, low, path, sign > 0)
        _set_member(unresolved, low, path, low in bad)
    workflow = team.team_workflow
    _set_member(t.workflow_refs, workflow, path, sign > 0)
    _refresh_workflow(t, workflow)


def _set_member(table, key: str, path: str, present: bool) -> None:
    paths = table.get(key, frozenset())
    if (path in paths) == present:
        return
    paths = paths | {path} if present else paths - {path}
    if paths:
        table[key] = paths
    else:
        table.pop(key, None)


def _refresh_unresolved(t, key: str) -> None:
    """The teams naming agent `key` whose reference no longer (or now) resolves."""
    teams = t.agent_refs.get(key, ())
    if not teams:
        return
    resources, agents = t.resources_view, t.agents
    bad = frozenset(p for p in teams if key in unresolved_keys(agents, resources[p]))
    if bad:
        t.unresolved_agents[key] = bad
    else:
        t.unresolved_agents.pop(key, None)


def _refresh_missing(refs_by_name, winners, unresolved, name: str) -> None:
    """The files naming `name` while no file of that name wins (or none, once one does)."""
    refs = refs_by_name.get(name)
    if refs and winners.get(name) is None:
        unresolved[name] = refs
    else:
        unresolved.pop(name, None)


def _refresh_workflow(t, name: str) -> None:
    _refresh_missing(t.workflow_refs, t.workflows, t.unresolved_workflows, name)
    _refresh_unrun(t, name)


def _refresh_skill(t, name: str) -> None:
    _refresh_missing(t.skill_refs, t.skills, t.unresolved_skills, name)


def _refresh_unrun(t, name: str) -> None:
    if t.workflow_files.get(name) and not t.teams_by_workflow.get(name):
        t.unrun_workflows[name] = True
    else:
        t.unrun_workflows.pop(name, None)
