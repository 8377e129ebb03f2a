"""`Snapshot`: one state of a workspace folder's index (built by `index.py` and `fold.py`)."""

from __future__ import annotations

from collections.abc import Mapping

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.loader import Problem
from crew_lsp.resources.model import Resource
from crew_lsp.resources.record import Record
from crew_lsp.resources.similar import NameIndex


class Snapshot(Record):
    """One state of the index. Its maps are dicts after a full build and persistent maps after an edit;
    readers use the read-only mapping API (`get`, `in`, `items`, ...) and never mutate them."""

    __slots__ = ("workspace", "resources", "version", "problems", "configs", "agents", "disabled_agents", "teams",
                 "workflows", "skills", "losers", "same_scope", "teams_by_workflow", "agents_by_lower", "team_files",
                 "workflow_files", "skill_files", "agent_refs", "unresolved_agents", "workflow_refs",
                 "unresolved_workflows", "unrun_workflows", "skill_refs", "unresolved_skills", "role_counts", "roles",
                 "name_indexes")

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
        self.skill_refs: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # skill name → files naming it
        self.unresolved_skills: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]  # ... for names no skill has
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
                frozenset(r for t in self.teams.values() for r in t.role_names)
        return self.roles

    def names(self, kind: str) -> NameIndex:
        """The effective names of "agents", "workflows" or "skills", ready for did-you-mean lookups."""
        found = self.name_indexes.get(kind)
        if found is None:
            table = getattr(self, kind)
            found = self.name_indexes[kind] = NameIndex.of(r.name for r in table.values()) if kind == "agents" else NameIndex.of(table)
        return found

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind]
