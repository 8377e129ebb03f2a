"""pi-crew's JSON config (docs/formats.md, Config) as pydantic models: the checker's rules and `schemas/config.schema.json`.

Every object forbids unknown keys and is strict (JSON types, no coercion), as pi-crew's validator is.
Imported lazily: only a workspace with a config file pays for pydantic.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

Pos = Annotated[int, Field(ge=1)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def rng(lo: int | float, hi: int | float | None = None, doc: str = "") -> Any:
    return Field(default=None, ge=lo, le=hi, description=doc)


class Limits(Section):
    maxConcurrentWorkers: int | None = rng(1, 1024, "Workers at once; above 8 is capped unless allowUnboundedConcurrency.")
    allowUnboundedConcurrency: bool | None = Field(None, description="Lift the cap of 8 concurrent workers.")
    maxTaskDepth: int | None = rng(1, 100, "How deep workers may spawn workers.")
    maxChildrenPerTask: int | None = rng(1, 1000)
    maxRunMinutes: int | None = rng(1, 1440, "A run is cancelled after this many minutes.")
    maxRetriesPerTask: int | None = rng(1, 100)
    maxTasksPerRun: int | None = rng(1, 10000)
    heartbeatStaleMs: int | None = rng(1, 86_400_000, "Heartbeat age that counts as stale (default 60000).")


class Runtime(Section):
    mode: Literal["auto", "scaffold", "child-process", "live-session"] | None = None
    preferLiveSession: bool | None = None
    allowChildProcessFallback: bool | None = None
    inheritContext: bool | None = None
    requirePlanApproval: bool | None = None
    maxTurns: int | None = rng(1, 10000)
    graceTurns: int | None = rng(1, 1000)
    promptMode: Literal["replace", "append"] | None = None
    groupJoin: Literal["off", "group", "smart"] | None = None
    groupJoinAckTimeoutMs: int | None = rng(0)
    completionMutationGuard: Literal["off", "warn", "fail"] | None = None
    effectivenessGuard: Literal["off", "warn", "block", "fail"] | None = None


class Control(Section):
    enabled: bool | None = None
    needsAttentionAfterMs: int | None = rng(0)


class Worktree(Section):
    setupHook: str | None = None
    setupHookTimeoutMs: int | None = rng(0, 300_000)
    linkNodeModules: bool | None = None


class AgentOverride(Section):
    disabled: bool | None = None
    model: str | Literal[False] | None = None
    fallbackModels: list[str] | None = None
    thinking: str | None = None
    tools: list[str] | None = None
    skills: list[str] | Literal[False] | None = None


class Agents(Section):
    disableBuiltins: bool | None = None
    overrides: dict[str, AgentOverride] | None = None


class Autonomous(Section):
    profile: Literal["manual", "suggested", "assisted", "aggressive"] | None = Field(None, description="How freely the agent delegates to teams (default suggested).")
    enabled: bool | None = None
    injectPolicy: bool | None = Field(None, description="Inject the delegation policy into the prompt (default true).")
    preferAsyncForLongTasks: bool | None = None
    allowWorktreeSuggestion: bool | None = None
    magicKeywords: dict[str, list[str]] | None = Field(None, description="Extra words that route a prompt to a team, by team.")


class Tools(Section):
    enableClaudeStyleAliases: bool | None = None
    enableSteer: bool | None = None
    terminateOnForeground: bool | None = None


class Telemetry(Section):
    enabled: bool | None = Field(None, description="Default true.")


class Policy(Section):
    requireIntentForDestructiveActions: bool | None = None
    disabledCapabilities: list[str] | None = None


class Notifications(Section):
    enabled: bool | None = None
    severityFilter: list[Literal["info", "warning", "error", "critical"]] | None = None
    dedupWindowMs: int | None = rng(1000)
    batchWindowMs: int | None = rng(0)
    quietHours: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")] | None = None
    sinkRetentionDays: int | None = rng(1, 90)


class Observability(Section):
    enabled: bool | None = None
    pollIntervalMs: int | None = rng(1000, 60000, "Heartbeat watcher tick (default 5000).")
    metricRetentionDays: int | None = rng(1, 365)


class RetryPolicy(Section):
    maxAttempts: int | None = rng(1, 10)
    backoffMs: int | None = rng(100, 60000)
    jitterRatio: float | None = rng(0, 1)
    exponentialFactor: float | None = rng(1, 5)
    retryableErrors: list[str] | None = None


class Reliability(Section):
    autoRetry: bool | None = None
    autoRecover: bool | None = None
    deadletterThreshold: int | None = rng(1)
    retryPolicy: RetryPolicy | None = None


class Otlp(Section):
    enabled: bool | None = None
    endpoint: HttpUrl | None = None
    headers: dict[str, str] | None = None
    intervalMs: int | None = rng(5000)


class CrewConfig(Section):
    """pi-crew's config.json."""

    asyncByDefault: bool | None = None
    executeWorkers: bool | None = None
    notifierIntervalMs: int | None = rng(1000)
    requireCleanWorktreeLeader: bool | None = None
    ignoreMethod: Literal["gitignore", "exclude"] | None = None
    limits: Limits | None = None
    runtime: Runtime | None = None
    control: Control | None = None
    worktree: Worktree | None = None
    agents: Agents | None = None
    autonomous: Autonomous | None = None
    tools: Tools | None = None
    telemetry: Telemetry | None = None
    policy: Policy | None = None
    notifications: Notifications | None = None
    observability: Observability | None = None
    reliability: Reliability | None = None
    otlp: Otlp | None = None
    ui: dict[str, Any] | None = Field(None, description="Layout keys of the Node front end: accepted and ignored.")


# Ignored (with a warning) in the project file: a cloned repository must not change these.
SANITISED = frozenset({
    "executeWorkers", "asyncByDefault", "requireCleanWorktreeLeader", "runtime.mode", "runtime.preferLiveSession",
    "runtime.allowChildProcessFallback", "runtime.inheritContext", "autonomous.profile", "autonomous.enabled",
    "autonomous.injectPolicy", "autonomous.preferAsyncForLongTasks", "autonomous.allowWorktreeSuggestion",
    "worktree.setupHook", "otlp.headers", "agents.disableBuiltins", "agents.overrides", "tools.enableSteer",
    "tools.terminateOnForeground",
})
SANITISED_WHEN_FALSE = frozenset({"runtime.requirePlanApproval"})
