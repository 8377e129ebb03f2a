"""The frontmatter keys of every kind: what pi-crew reads, the allowed values and defaults.

One table feeds the checks, completion, hover and the generated JSON Schemas.
"""

from __future__ import annotations

from crew_lsp.resources.record import Record

THINKING_LEVELS = ("off", "minimal", "low", "medium", "high", "xhigh")
TOOLS = ("read", "grep", "find", "ls", "bash", "edit", "write")
READ_ONLY_ROLES = ("explorer", "reviewer", "security-reviewer", "verifier", "analyst", "critic", "planner", "writer")
WRITE_ROLES = ("executor", "test-engineer")


class FieldSpec(Record):
    """One frontmatter key (immutable, hashable)."""

    __slots__ = ("name", "kind", "doc", "values", "default", "alias_of", "false_ok", "lenient_enum")

    def __init__(self, name: str, kind: str, doc: str, values: tuple[str, ...] = (), default: str = "", alias_of: str | None = None,
                 false_ok: bool = False, lenient_enum: bool = False):
        setattr_ = object.__setattr__
        setattr_(self, "name", name)
        setattr_(self, "kind", kind)  # text | enum | anycase (enum, any case) | bool | csv | int | model | models | tools | skills | thinking | path
        setattr_(self, "doc", doc)
        setattr_(self, "values", values)
        setattr_(self, "default", default)
        setattr_(self, "alias_of", alias_of)
        setattr_(self, "false_ok", false_ok)  # the `false` convention: explicitly none
        setattr_(self, "lenient_enum", lenient_enum)  # any other value silently means the default (not a typo list)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())


def _f(*args, **kwargs) -> FieldSpec:
    return FieldSpec(*args, **kwargs)


_ROUTING = (
    _f("triggers", "csv", "Words or phrases that route a goal to this resource."),
    _f("trigger", "csv", "Alias of `triggers`.", alias_of="triggers"),
    _f("useWhen", "csv", "Situations this is a good fit for (routing hint)."),
    _f("avoidWhen", "csv", "Situations to avoid this for (routing hint)."),
)

AGENT_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("name", "text", "The agent's name; role lines reference it with `agent=`.", default="the file name"),
        _f("description", "text", "One line shown in pickers and used for routing.", default="No description provided."),
        _f("model", "model", "`provider/model` or `model`, optional `:<thinking>` suffix; `false` = inherit.", default="inherit", false_ok=True),
        _f("fallbackModels", "models", "Comma list of model ids tried when the model fails."),
        _f("thinking", "thinking", "Reasoning effort.", values=THINKING_LEVELS, false_ok=True),
        _f("tools", "tools", "Comma list of tools; empty or absent = every tool.", values=TOOLS, default="unrestricted"),
        _f("extensions", "csv", "Comma list of extension paths; present (even empty) replaces the extensions."),
        _f("skills", "skills", "Comma list of skill names loaded for this agent."),
        _f("skill", "skills", "Alias of `skills`.", alias_of="skills"),
        _f("systemPromptMode", "enum", "`append` adds the body to the default prompt; anything else replaces it.", values=("replace", "append"), default="replace", lenient_enum=True),
        _f("inheritProjectContext", "bool", "Inject AGENTS.md/CLAUDE.md context files.", default="false"),
        _f("inheritSkills", "bool", "Load the session's skills too.", default="false"),
        _f("memory", "enum", "Memory scope.", values=("user", "project", "local")),
        _f("loadMode", "enum", "How much of the tool set loads.", values=("essential", "lean")),
        _f("defaultTools", "csv", "Tools loaded with `loadMode: lean`."),
        _f("contextMode", "enum", "Fresh context or a fork of the parent's.", values=("fresh", "fork")),
        _f("maxTurns", "int", "Turn limit; a positive integer."),
        _f("disabled", "bool", "`true` removes the agent from the effective set.", default="false"),
        _f("enabled", "bool", "`false` removes the agent from the effective set.", default="true"),
        *_ROUTING,
        _f("cost", "enum", "Cost class (case-sensitive).", values=("free", "cheap", "expensive")),
        _f("category", "text", "Free-text category."),
    )
}

TEAM_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("name", "text", "The team's name.", default="the file name"),
        _f("description", "text", "One line shown in pickers and used for routing.", default="No description provided."),
        _f("defaultWorkflow", "text", "The workflow this team runs (exact name).", default="default"),
        _f("workflow", "text", "Alias of `defaultWorkflow`.", alias_of="defaultWorkflow"),
        _f("workspaceMode", "enum", "`worktree` gives each worker a git worktree; anything else means `single`.", values=("single", "worktree"), default="single"),
        _f("maxConcurrency", "int", "Workers running at once for this team (values < 1 act as 1)."),
        *_ROUTING,
        _f("cost", "enum", "Cost class (case-sensitive).", values=("free", "cheap", "expensive")),
        _f("category", "text", "Free-text category."),
        _f("source", "text", "Git URL the team came from (informational)."),
    )
}

WORKFLOW_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("name", "text", "The workflow's name (teams reference it with `defaultWorkflow`).", default="the file name"),
        _f("description", "text", "One line shown in pickers.", default="No description provided."),
        _f("maxConcurrency", "int", "Workers running at once (kept only if ≥ 1)."),
    )
}

SKILL_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("name", "text", "Must equal the skill's folder name."),
        _f("description", "text", "What the skill teaches and when it applies."),
        _f("license", "text", "License of the skill text."),
        _f("allowed-tools", "csv", "Tools the skill expects."),
        _f("compatibility", "text", "Environments the skill is written for."),
        _f("metadata", "text", "Free-form metadata."),
    )
}

STEP_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _f("role", "text", "The team role that runs this step.", default="the step id"),
        _f("dependsOn", "csv", "Comma list of step ids that must complete first.", default="none (a root step)"),
        _f("parallelGroup", "text", "Display group for steps that run side by side."),
        _f("output", "path", "Shared file this step writes (relative); `false` = none.", default="<taskId>.md", false_ok=True),
        _f("reads", "paths", "Comma list of shared files injected into the prompt; `false` = none.", false_ok=True),
        _f("model", "model", "Model for this step."),
        _f("skills", "skills", "Comma list of skills for this step; `false` = none.", false_ok=True),
        _f("progress", "bool", "Track progress for this step."),
        _f("worktree", "bool", "Run this step in its own worktree."),
        _f("verify", "bool", "This step verifies the others."),
        _f("task", "text", "Task text used when the section has no body text.", default="{goal}"),
    )
}

FIELDS_BY_KIND = {"agent": AGENT_FIELDS, "team": TEAM_FIELDS, "workflow": WORKFLOW_FIELDS, "skill": SKILL_FIELDS}

ROLE_DEFAULT_SKILLS: dict[str, tuple[str, ...]] = {
    "explorer": ("read-only-explorer", "context-artifact-hygiene"),
    "analyst": ("read-only-explorer", "requirements-to-task-packet"),
    "planner": ("delegation-patterns", "requirements-to-task-packet"),
    "critic": ("read-only-explorer", "multi-perspective-review"),
    "executor": ("state-mutation-locking", "safe-bash", "verification-before-done"),
    "reviewer": ("read-only-explorer", "multi-perspective-review"),
    "security-reviewer": ("secure-agent-orchestration-review", "ownership-session-security"),
    "test-engineer": ("verification-before-done", "safe-bash"),
    "verifier": ("verification-before-done", "runtime-state-reader"),
    "writer": ("context-artifact-hygiene", "verify-evidence"),
}

DEFAULT_CONCURRENCY = {"parallel-research": 4, "implementation": 4, "research": 3, "review": 3, "default": 3}
CONCURRENCY_CAP = 8
