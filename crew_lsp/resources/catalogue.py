"""What later pi-crew versions ship and assume about roles, as data keyed by version (docs/formats.md, Catalogue at 0.10).

Today's catalogue is the shipped folders `agents/`, `teams/`, `workflows/`, `skills/` (pi-crew v0.2.0's
shape, our own text). Later versions add and remove builtins and give each role a tool policy; each
change here carries the first release that has it ("in or before"). The functions take the version
and today's names explicitly and return what that version has: nothing here reads a setting.

The text of a builtin a later version adds lives in the shipped `catalogue/` folder (so v0.2.0's
builtin set stays exactly as it is); a skill a later version adds is known by name only.
"""

from __future__ import annotations

from pathlib import Path

from crew_lsp.resources.discovery import shipped_root
from crew_lsp.resources.record import Record

Version = tuple[int, int, int]


class CatalogueChange(Record):
    __slots__ = ("since", "kind", "added", "removed")

    def __init__(self, since: str, kind: str, added: tuple[str, ...] = (), removed: tuple[str, ...] = ()):
        major, minor, patch = (int(part) for part in since.split("."))
        self.since: Version = (major, minor, patch)
        self.kind = kind  # agent | skill
        self.added = added
        self.removed = removed


CATALOGUE_CHANGES: tuple[CatalogueChange, ...] = (
    CatalogueChange("0.8.4", "agent", added=("cold-verifier",)),
    CatalogueChange("0.9.17", "skill", removed=("task-packet", "ui-render-performance", "verify-evidence"), added=(
        "child-pi-spawning", "council", "distill-persona", "distill-software", "event-log-tracing", "iterative-audit",
        "live-agent-lifecycle", "post-mortem", "real-test-pi-crew", "research", "scrutinize", "widget-rendering", "workspace-isolation")),
)


def catalogue_folder() -> Path:
    """Where the text of builtins added after v0.2.0 lives (source tree or installed wheel)."""
    return shipped_root() / "catalogue"


def builtin_agent_names(version: Version, today: frozenset[str] | set[str]) -> frozenset[str]:
    """The builtin agents of `version`, from today's (v0.2.0's) names."""
    return _apply("agent", version, today)


def added_builtin_agent_files(version: Version) -> list[Path]:
    """The files of the builtin agents `version` adds to today's: discovery reads them as builtins."""
    names = _apply("agent", version, frozenset())
    return [catalogue_folder() / "agents" / f"{name}.md" for name in sorted(names)]


def shipped_skill_names(version: Version, today: frozenset[str] | set[str]) -> frozenset[str]:
    """The skills pi-crew `version` ships, from today's shipped names (a reference to any of them is known)."""
    return _apply("skill", version, today)


def _apply(kind: str, version: Version, names: frozenset[str] | set[str]) -> frozenset[str]:
    out = set(names)
    for change in CATALOGUE_CHANGES:
        if change.kind == kind and change.since <= version:
            out -= set(change.removed)
            out |= set(change.added)
    return frozenset(out)


class RoleTools(Record):
    """A role's tool defaults: an allowlist (None: every tool), tools always excluded, and whether the
    role gets the scratchpad tool by default."""

    __slots__ = ("tools", "exclude", "scratchpad")

    def __init__(self, tools: tuple[str, ...] | None = None, exclude: tuple[str, ...] = (), scratchpad: bool = False):
        self.tools = tools
        self.exclude = exclude
        self.scratchpad = scratchpad


_READ = ("read", "grep", "find", "ls")
# Our reading of pi-crew 0.10.1's role tool table (names as it lists them; pi ignores the ones nothing
# registers, such as `glob`, `web` and `ask_question`). The table appeared in 0.8.1; the lists of
# releases between may have been shorter.
ROLE_TOOL_CHANGES: tuple[tuple[str, dict[str, RoleTools]], ...] = (
    ("0.8.1", {
        "explorer": RoleTools((*_READ, "glob", "bash", "ask"), ("edit", "write", "web")),
        "analyst": RoleTools(None, ("edit", "write", "ask_question")),
        "planner": RoleTools((*_READ, "glob", "ask"), ("edit", "write", "bash", "web", "ask_question")),
        "critic": RoleTools((*_READ, "glob", "ask"), ("edit", "write", "bash", "web")),
        "executor": RoleTools(None, (), scratchpad=True),
        "reviewer": RoleTools((*_READ, "glob", "bash", "ask"), ("edit", "write")),
        "writer": RoleTools(("read", "edit", "write", "ls", "ask"), ("bash", "web", "ask_question")),
        "security-reviewer": RoleTools(("read", "grep", "find", "ask"), ("edit", "write", "bash", "web", "ask_question")),
        "verifier": RoleTools((*_READ, "bash", "scratchpad", "ask"), ("edit", "write", "web"), scratchpad=True),
        "test-engineer": RoleTools(("read", "edit", "write", "bash", "ls", "scratchpad", "ask"), ("web",), scratchpad=True),
    }),
)


def role_tool_configs(version: Version) -> dict[str, RoleTools]:
    """Each role's tool defaults at `version` (empty before 0.8.1: the agent's `tools` alone decide)."""
    configs: dict[str, RoleTools] = {}
    for since, table in ROLE_TOOL_CHANGES:
        major, minor, patch = (int(part) for part in since.split("."))
        if (major, minor, patch) <= version:
            configs = {**configs, **table}
    return configs


class ToolPolicy(Record):
    """What a worker is started with: `tools` the allowlist (None: no `--tools`, every tool), `exclude` never given."""

    __slots__ = ("tools", "exclude")

    def __init__(self, tools: tuple[str, ...] | None, exclude: tuple[str, ...]):
        self.tools = tools
        self.exclude = exclude


def resolve_tool_policy(role: str, *, builtin: bool, agent_tools: tuple[str, ...] | None, configs: dict[str, RoleTools]) -> ToolPolicy:
    """The tools of a task, from its role's defaults and its agent's `tools` (None when the agent sets none).

    A builtin agent follows the role's allowlist, its own `tools` only when the role has none; a user or
    project agent follows its own `tools`, the role's when it sets none. An empty list (`tools: none`)
    means no allowlist, so every tool but the excluded ones. The role's excludes always apply. Role
    names match with `_` read as `-`.
    """
    config = configs.get(role.replace("_", "-")) or configs.get(role) or RoleTools()
    first, second = (config.tools, agent_tools) if builtin else (agent_tools, config.tools)
    chosen = first if first is not None else second
    allow = tuple(dict.fromkeys(chosen)) if chosen else None  # (an empty list gives no `--tools` at all)
    return ToolPolicy(allow, tuple(dict.fromkeys(config.exclude)))
