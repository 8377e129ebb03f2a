"""The pi-crew versions crew-lsp can read as, with every change between them as data (docs/formats.md, Versions).

A `Reading` is what one pi-crew version reads: its key tables, tool names, grammar switches and role
permissions. `reading_for(v)` starts from 0.2.0 (the reading the format reference describes) and
applies every `Change` whose `since` is at or below ``v``, in order. Parsers, checks, completion and
hover look things up on the reading they are given; none of them compares versions. A new pi-crew
version is a new row in `CHANGES` (and its tests).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from crew_lsp.resources.fields import (AGENT_FIELDS, READ_ONLY_ROLES, ROLE_DEFAULT_SKILLS, SKILL_FIELDS, STEP_FIELDS, TEAM_FIELDS,
                                       TOOLS, WORKFLOW_FIELDS, WRITE_ROLES, FieldSpec)

Version = tuple[int, int, int]

TYPE_CHECKING = False
if TYPE_CHECKING:  # (imported where used: `crew-lsp check` of a workspace without config never needs them)
    from crew_lsp.resources.catalogue import RoleTools
    from crew_lsp.resources.config_versions import ConfigRules

_VERSION = re.compile(r"v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?(?:[-+][0-9A-Za-z.+-]*)?")


class VersionError(ValueError):
    """A version text that is not `x.y` or `x.y.z`."""


def parse_version(text: str, *, short: bool = True) -> Version:
    """`0.10.1` → (0, 10, 1). With ``short``, `0.10` is (0, 10, newest known patch of 0.10 or 0)."""
    m = _VERSION.fullmatch(text.strip())
    if m is None or (m.group(3) is None and not short):
        raise VersionError(f"`{text}` is not a version (expected x.y.z, such as 0.10.1)")
    major, minor = int(m.group(1)), int(m.group(2))
    if m.group(3) is not None:
        return major, minor, int(m.group(3))
    patches = [v[2] for v in KNOWN if v[:2] == (major, minor)]
    return major, minor, max(patches, default=0)


def show(version: Version) -> str:
    return ".".join(map(str, version))


class Reading:
    """What one pi-crew version reads (immutable): every table the parsers and checks consult."""

    __slots__ = ("version", "agent_fields", "team_fields", "workflow_fields", "step_fields", "tools", "builtin_tools",
                 "tools_split", "read_only_roles", "write_roles", "unknown_role_writes", "role_default_skills",
                 "role_line_keys", "role_fallback_models", "workflow_concurrency_floor", "pi_agent_root",
                 "dynamic_workflows", "home_aliases", "project_step_keys_stripped", "sanitised_prompt", "skill_yaml_listing",
                 "fork_context_warns", "config_home_inside_home", "agent_dir_symlink_refused", "since")

    def __init__(self, **values: object):
        for name in self.__slots__:
            object.__setattr__(self, name, values[name])

    # (typed views for readers of the code; the values are set in __init__)
    version: Version
    agent_fields: dict[str, FieldSpec]
    team_fields: dict[str, FieldSpec]
    workflow_fields: dict[str, FieldSpec]
    step_fields: dict[str, FieldSpec]
    tools: tuple[str, ...]  # tool names a worker can be given (an unknown one is CREW405)
    builtin_tools: tuple[str, ...]  # what `tools: all` / `*` stands for
    tools_split: bool  # `tools:` split on `,` only (no quotes, no de-duplication; `none`/`all` words)
    read_only_roles: tuple[str, ...]
    write_roles: tuple[str, ...]
    unknown_role_writes: bool  # a role in neither list may write
    role_default_skills: dict[str, tuple[str, ...]]
    role_line_keys: tuple[str, ...]  # `key=value` words a role line reads after `skills=`
    role_fallback_models: bool  # a role line's `fallbackModels=a,b` is read (and leaves the description)
    workflow_concurrency_floor: int | None  # workflow `maxConcurrency` below it is dropped; None: kept, clamped to 1
    pi_agent_root: bool  # `<repo>/.pi/agents` is a 4th agent root, after `.crew/agents`
    dynamic_workflows: bool  # `*.dwf.ts` files are workflows known by name
    home_aliases: tuple[str, ...]  # environment variables naming the home of the user root, first wins
    project_step_keys_stripped: tuple[str, ...]  # step keys dropped (with a warning) in project workflows
    sanitised_prompt: bool  # an agent's system prompt is sanitised (invisible characters, comments, override lines)
    skill_yaml_listing: bool  # the skill listing reads SKILL.md frontmatter as YAML and drops invalid skills
    fork_context_warns: bool  # an agent's `contextMode: fork` makes pi-crew log a warning
    config_home_inside_home: bool  # the config loader ignores a home variable naming a folder outside the OS home
    agent_dir_symlink_refused: bool  # a symlinked `<home>/.pi/agent` stops pi-crew
    since: dict[tuple[str, str], str]  # (kind, key) → the version that started reading it, for hover

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Reading is immutable ({name!r})")

    def replace(self, **changes: object) -> Reading:
        return Reading(**{**{n: getattr(self, n) for n in self.__slots__}, **changes})

    def fields(self, kind: str) -> dict[str, FieldSpec]:
        """The frontmatter keys of a markdown kind (skills: the line grammar's table; the YAML listing has its own)."""
        return {"agent": self.agent_fields, "team": self.team_fields, "workflow": self.workflow_fields}.get(kind, SKILL_FIELDS)

    def may_write(self, role: str) -> bool:
        if role in self.write_roles:
            return True
        return self.unknown_role_writes and role not in self.read_only_roles

    def config(self) -> ConfigRules:
        """What this version does with its config files: merge order, sanitising, keys and ranges."""
        from crew_lsp.resources.config_versions import config_rules

        return config_rules(self.version)

    def added_builtin_agents(self) -> list[Path]:
        """The files of the builtin agents this version ships beyond 0.2.0's (our text of them)."""
        from crew_lsp.resources.catalogue import added_builtin_agent_files

        return added_builtin_agent_files(self.version)

    def role_tools(self) -> dict[str, RoleTools]:
        """Each role's tool defaults at this version (none before 0.8.1)."""
        from crew_lsp.resources.catalogue import role_tool_configs

        return role_tool_configs(self.version)

    @property
    def step_keys(self) -> frozenset[str]:
        return frozenset(self.step_fields)

    def __repr__(self) -> str:
        return f"Reading({show(self.version)})"


BASELINE = Reading(
    version=(0, 2, 0), agent_fields=AGENT_FIELDS, team_fields=TEAM_FIELDS, workflow_fields=WORKFLOW_FIELDS,
    step_fields=STEP_FIELDS, tools=TOOLS, builtin_tools=TOOLS, tools_split=False, read_only_roles=READ_ONLY_ROLES,
    write_roles=WRITE_ROLES, unknown_role_writes=True, role_default_skills=ROLE_DEFAULT_SKILLS,
    role_line_keys=("agent", "model", "maxConcurrency"), role_fallback_models=False, workflow_concurrency_floor=1,
    pi_agent_root=False, dynamic_workflows=False, home_aliases=("PI_TEAMS_HOME",), project_step_keys_stripped=(), sanitised_prompt=False,
    skill_yaml_listing=False, fork_context_warns=False, config_home_inside_home=False, agent_dir_symlink_refused=False, since={},
)


class Change:
    """One difference between pi-crew versions: the first version with it, what it is, and how it edits a reading."""

    __slots__ = ("since", "summary", "edit")

    def __init__(self, since: str, summary: str, edit: Callable[[Reading], dict[str, object]]):
        self.since = parse_version(since, short=False)
        self.summary = summary
        self.edit = edit


def _f(*args, **kwargs) -> FieldSpec:
    return FieldSpec(*args, **kwargs)


def _add_keys(kind: str, since: str, *specs: FieldSpec) -> Callable[[Reading], dict[str, object]]:
    attr = f"{kind}_fields"

    def edit(r: Reading) -> dict[str, object]:
        table = {**getattr(r, attr), **{s.name: s for s in specs}}
        return {attr: table, "since": {**r.since, **{(kind, s.name): since for s in specs}}}

    return edit


def _keys(kind: str, since: str, summary: str, *specs: FieldSpec) -> Change:
    return Change(since, summary, _add_keys(kind, since, *specs))


_BOOL_WORDS = ("true", "yes", "1", "false", "no", "0")
_PRE_STEP = ("preStepScript", "preStepArgs", "preStepTimeout", "preStepOptional")

# Every change from 0.2.0 on, oldest first ("since" is the first release tag holding it: in or before).
CHANGES: tuple[Change, ...] = (
    Change("0.3.9", "agent system prompts are sanitised", lambda r: {"sanitised_prompt": True}),
    _keys("agent", "0.6.0", "agent `effort`",
          _f("effort", "enum", "Reasoning effort hint passed to the model.", values=("low", "medium", "high"))),
    _keys("step", "0.6.0", "step `seedPaths` and the `preStep*` keys",
          _f("seedPaths", "paths", "Comma list of files copied into the step's worktree."),
          _f("preStepScript", "path", "Script run before the step (dropped in project workflows)."),
          _f("preStepArgs", "csv", "Comma list of the pre-step script's arguments."),
          _f("preStepTimeout", "int", "Pre-step script timeout in milliseconds."),
          _f("preStepOptional", "bool", "A failing pre-step script does not fail the step (`true` or `1`).")),
    Change("0.6.0", "`preStep*` keys dropped from project workflows", lambda r: {"project_step_keys_stripped": _PRE_STEP}),
    _keys("agent", "0.8.1", "agent `excludeExtensions`",
          _f("excludeExtensions", "csv", "Comma list of extensions this agent does not load."),
          _f("exclude_extensions", "csv", "Alias of `excludeExtensions`.", alias_of="excludeExtensions")),
    Change("0.8.1", "agent `tools`: split on `,` only; `none`/`[]` = no tools, `all`/`*` = the builtins",
           lambda r: {"tools_split": True, "agent_fields": {**r.agent_fields, "tools": _f(
               "tools", "tools", "Comma list of tools (split on `,` only: no quotes); `none` or `[]` = none listed, `all` or `*` = the builtins.",
               values=r.tools, default="the role's tools")}}),
    Change("0.8.1", "`.pi/agents` is a 4th agent root", lambda r: {"pi_agent_root": True}),
    Change("0.9.0", "`*.dwf.ts` dynamic workflows", lambda r: {"dynamic_workflows": True}),
    Change("0.9.8", "SKILL.md frontmatter is YAML for the skill listing; invalid skills are left out", lambda r: {"skill_yaml_listing": True}),
    _keys("workflow", "0.9.15", "workflow `topology`",
          _f("topology", "anycase", "Shape of the workflow (advisory; any case).", values=("single", "sequential", "concurrent", "complex-dag", "dynamic"))),
    _keys("workflow", "0.9.17", "workflow `coalesceMicroTasks`",
          _f("coalesceMicroTasks", "anycase", "Merge tiny tasks into their neighbours (`true/yes/1/false/no/0`, any case).", values=_BOOL_WORDS)),
    Change("0.9.17", "workflow `maxConcurrency` ≤ 0 is kept and clamped to 1",
           lambda r: {"workflow_concurrency_floor": None, "workflow_fields": {**r.workflow_fields, "maxConcurrency": _f(
               "maxConcurrency", "int", "Workers running at once (values below 1 act as 1).")}}),
    Change("0.9.17", "writer default skills", lambda r: {"role_default_skills": {
        **r.role_default_skills, "writer": ("context-artifact-hygiene", "verification-before-done")}}),
    _keys("agent", "0.9.28", "agent `maxTokens`", _f("maxTokens", "int", "Output token limit; a positive integer.")),
    Change("0.9.46", "role permissions: `verifier` and `writer` write, unknown roles read-only",
           lambda r: {"read_only_roles": ("explorer", "reviewer", "security-reviewer", "analyst", "critic", "planner"),
                      "write_roles": ("executor", "test-engineer", "writer", "verifier", "agent", "cold-verifier", "chain-executor", "worker"),
                      "unknown_role_writes": False}),
    Change("0.9.60", "role line `thinking=` and `fallbackModels=`",
           lambda r: {"role_line_keys": ("agent", "model", "thinking", "maxConcurrency"), "role_fallback_models": True}),
    _keys("agent", "0.9.64", "agent `scratchpad`",
          _f("scratchpad", "enum", "Give the worker a scratchpad tool (`true` or `false`, exactly).", values=("true", "false"))),
    Change("0.9.64", "tool `scratchpad`", lambda r: {"tools": (*r.tools, "scratchpad")}),
    _keys("team", "0.9.65", "team `observability`",
          _f("observability", "bool", "Record run observability; only `false` turns it off.", default="true")),
    _keys("workflow", "0.10.1", "workflow `specStrict`",
          _f("specStrict", "anycase", "Hold every step to its spec references (`true/yes/1/false/no/0`, any case).", values=_BOOL_WORDS)),
    _keys("step", "0.10.1", "step `specRefs` and `specStrict`",
          _f("specRefs", "paths", "Comma list of spec files this step must follow."),
          _f("specStrict", "bool", "Hold this step to its spec references (`true` or `1`).")),
    Change("0.10.1", "tool `ask`; `delegate` (shipped after the 0.10.1 tag)", lambda r: {"tools": (*r.tools, "ask", "delegate")}),
    Change("0.10.1", "agent `contextMode: fork` logs a warning", lambda r: {"fork_context_warns": True}),
    Change("0.10.1", "the config loader ignores a `PI_TEAMS_HOME` outside the OS home (unless `PI_CREW_SKIP_HOME_CHECK=1`)",
           lambda r: {"config_home_inside_home": True}),
    Change("0.10.1", "a symlinked `~/.pi/agent` stops pi-crew", lambda r: {"agent_dir_symlink_refused": True}),
    Change("0.10.1", "`PI_CREW_HOME` names the home (after `PI_TEAMS_HOME`)", lambda r: {"home_aliases": ("PI_TEAMS_HOME", "PI_CREW_HOME")}),
)

KNOWN: tuple[Version, ...] = ((0, 2, 0), *sorted({c.since for c in CHANGES}))
NEWEST: Version = KNOWN[-1]
_CACHE: dict[Version, Reading] = {}


def reading_for(version: Version) -> Reading:
    """The reading of ``version``: 0.2.0 with every change up to it applied (a newer version reads as the newest)."""
    found = _CACHE.get(version)
    if found is not None:
        return found
    reading = BASELINE
    for change in CHANGES:
        if change.since <= version:
            reading = reading.replace(**change.edit(reading))
    reading = reading.replace(version=min(version, NEWEST))
    _CACHE[version] = reading
    return reading
