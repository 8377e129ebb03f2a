"""Config keys a workspace may not set: ignored (with a CREW504 warning) in its config files.

A cloned repository must never change what runs, nor make crew-lsp start or restart a run by
itself. The workspace's config files are `<crewRoot>/config.json` and `<repoRoot>/.pi/pi-crew.json`;
only the user's own files under `~/.pi/agent/` may set these keys. Plain data (no pydantic), shared
by the checker, the engine's config merge and the config hover.
"""

from __future__ import annotations

WORKSPACE_ROLES = frozenset({"project", "repo"})  # roles of Workspace.config_files() a repository ships

SANITISED = frozenset({
    "executeWorkers", "asyncByDefault", "requireCleanWorktreeLeader", "runtime.mode", "runtime.preferLiveSession",
    "runtime.allowChildProcessFallback", "runtime.inheritContext", "autonomous.profile", "autonomous.enabled",
    "autonomous.injectPolicy", "autonomous.preferAsyncForLongTasks", "autonomous.allowWorktreeSuggestion",
    "worktree.setupHook", "otlp.headers", "agents.disableBuiltins", "agents.overrides", "tools.enableSteer",
    "tools.terminateOnForeground",
    # each would start workers again without the user asking: a re-run of a failed task, or the
    # resumption of an interrupted run (with the goal and the task list the repository ships)
    "reliability.autoRetry", "reliability.autoRecover",
    # where the user's metrics are sent: a repository could otherwise point them at its own server
    "otlp.enabled", "otlp.endpoint",
})
SANITISED_WHEN_FALSE = frozenset({"runtime.requirePlanApproval"})


def is_sanitised(path: str, value: object) -> bool:
    """Whether the dotted key `path` with `value` is ignored in a workspace config file."""
    return path in SANITISED or (path in SANITISED_WHEN_FALSE and value is False)
