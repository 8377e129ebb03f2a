"""How pi-crew's JSON config changed after v0.2.0, as data keyed by version (docs/formats.md, Config at 0.10).

`CONFIG_CHANGES` lists every change with the first release that has it ("in or before": release tags
are sparse). `config_rules(version)` starts from today's rules (pi-crew v0.2.0, plus what crew-lsp
keeps from a project config on purpose: `config_trust`) and applies every change up to `version`.
The result tells the config checks, the engine's merge and the hover what that version does: the
merge order of the four files, which files are sanitised and which keys they lose, the keys added and
the ranges changed. Plain data: the pydantic layer built from it is `config_model_versions`.
"""

from __future__ import annotations

from crew_lsp.resources.config_trust import SANITISED, SANITISED_WHEN_FALSE, WORKSPACE_ROLES
from crew_lsp.resources.record import Record

Version = tuple[int, int, int]


class Key(Record):
    """The shape of a config key: `kind` is bool, int, number, str, enum, strs (a list of strings),
    section (an object with `keys`) or record (an object of sections: `keys` of each value)."""

    __slots__ = ("kind", "lo", "hi", "values", "pattern", "keys", "required", "doc")

    def __init__(self, kind: str, lo: float | None = None, hi: float | None = None, values: tuple = (), pattern: str | None = None,
                 keys: dict[str, Key] | None = None, required: bool = False, doc: str = ""):
        self.kind = kind
        self.lo = lo
        self.hi = hi
        self.values = values
        self.pattern = pattern
        self.keys = keys or {}
        self.required = required  # (inside a section) the key must be present
        self.doc = doc


class ConfigChange(Record):
    """One change: `what` is precedence, sanitised-files, sanitised, sanitised-when, key or range."""

    __slots__ = ("since", "what", "path", "value", "summary")

    def __init__(self, since: str, what: str, value: object, path: str = "", summary: str = ""):
        self.since = _version(since)
        self.what = what
        self.path = path  # the dotted key (key, range)
        self.value = value
        self.summary = summary


def _version(text: str) -> Version:
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


_B = Key("bool")
_STRS = Key("strs")

CONFIG_CHANGES: tuple[ConfigChange, ...] = (
    ConfigChange("0.5.5", "precedence", ("repo", "project", "legacy-user", "user"),
                 summary="merge order reversed: `.pi/pi-crew.json` < `<crewRoot>/config.json` < legacy user < user"),
    ConfigChange("0.5.5", "sanitised-files", ("project", "repo"), summary="both project files are sanitised"),
    ConfigChange("0.9.0", "key", Key("record", keys={
        "enabled": _B, "maxTurns": Key("int", 1, 50), "evaluatorModel": Key("str"),
        "verification": Key("section", keys={"commands": Key("strs", required=True), "mode": Key("enum", values=("text-only",))}),
        "budgetTotal": Key("int", 1000), "budgetUnlimited": _B,
    }, doc="Per-workflow goal loop (worker, judge, feedback) around a builtin workflow."), path="goalWrap"),
    ConfigChange("0.9.47", "key", Key("section", keys={
        "enabled": _B, "pathHashLen": Key("int", 4, 32), "maxFrameBytes": Key("int", 1024, 1_048_576),
        "outboundQueueCap": Key("int", 32, 4096), "waitMethodsEnabled": _B,
    }, doc="The inter-pi message broker."), path="broker"),
    ConfigChange("0.10.1", "key", Key("section", keys={"enabled": _B, "maxSlots": Key("int", 1, 64), "maxDepth": Key("int", 1, 10)},
                                     doc="Workers that spawn workers (delegation)."), path="nesting"),
    *(ConfigChange("0.10.1", "key", key, path=path) for path, key in {
        "limits.serializeOnPathOverlap": _B,
        "runtime.taskTimeoutMs": Key("int", 1, 86_400_000, doc="A task is stopped after this many milliseconds (at most 24 hours)."),
        "runtime.yield": Key("section", keys={"enabled": _B, "maxReminders": Key("int", 0), "reminderPrompt": Key("str", hi=1000)}),
        "runtime.excludeContextBash": _B,
        "runtime.agentExtensions": _STRS,
        "runtime.isolationPolicy": Key("section", keys={"isolatedRoles": _STRS, "defaultRuntime": Key("enum", values=("live-session", "child-process"))}),
        "runtime.modelFallback": Key("section", keys={
            "maxAutoFallbacks": Key("int", 0), "order": Key("enum", values=("parentFirst", "asIs")), "requireCredentials": _B,
            "quotaAwareOrdering": _B, "defaultSubagentModel": Key("str")}),
        "control.consecutiveFailureThreshold": Key("int", 1),
        "control.longRunningMinutes": Key("int", 1),
        "worktree.seedPaths": _STRS,
        "reliability.retryPolicy.maxTotalSpawns": Key("int", 0),
        "reliability.cleanupOrphanedTempDirs": _B,
        "reliability.autoRepairIntervalMs": Key("int", 0),
        "reliability.forcePreflight": _B,
        "reliability.ambientStatusInjection": _B,
        "reliability.perWriteValidation": _B,
        "reliability.scopeModels": _B,
    }.items()),
    ConfigChange("0.10.1", "range", Key("int", 1, 90), path="observability.metricRetentionDays"),
    ConfigChange("0.10.1", "range", Key("int", 0, 60_000), path="notifications.batchWindowMs"),
    ConfigChange("0.10.1", "range", Key("str", hi=2048, pattern=r"^https?://", doc="An http or https URL."), path="otlp.endpoint"),
    ConfigChange("0.10.1", "sanitised", frozenset({
        "autonomous.magicKeywords", "runtime.agentExtensions", "runtime.isolationPolicy", "worktree.seedPaths", "goalWrap",
        "policy.requireIntentForDestructiveActions", "policy.disabledCapabilities", "otlp.endpoint", "nesting.enabled",
    }), summary="the list comes from the schema's `sensitive` marks"),
    ConfigChange("0.10.1", "sanitised-when", {
        "runtime.requirePlanApproval": (False,), "runtime.completionMutationGuard": ("off",), "runtime.effectivenessGuard": ("off",),
        "limits.allowUnboundedConcurrency": (True,), "reliability.autoRecover": (False,), "reliability.scopeModels": (False,),
        "broker.enabled": (False,),
    }, summary="a project file may tighten these guards, never loosen them"),
)


class ConfigRules(Record):
    """What one pi-crew version does with its config files."""

    __slots__ = ("precedence", "sanitised_files", "sanitised", "sanitised_when", "keys", "ranges")

    def __init__(self, precedence: tuple[str, ...], sanitised_files: frozenset[str], sanitised: frozenset[str],
                 sanitised_when: dict[str, tuple], keys: dict[str, Key], ranges: dict[str, Key]):
        self.precedence = precedence  # file roles (Workspace.config_files), first merged first: later wins
        self.sanitised_files = sanitised_files  # roles of the files that lose the sanitised keys
        self.sanitised = sanitised  # dotted keys a sanitised file may not set (a section key: all of it)
        self.sanitised_when = sanitised_when  # dotted key → the values a sanitised file may not set
        self.keys = keys  # dotted key → shape, for keys added since v0.2.0
        self.ranges = ranges  # dotted key → shape, for keys whose range or type changed

    def is_sanitised(self, path: str, value: object) -> bool:
        """Whether the dotted key `path` with `value` is ignored in a sanitised file."""
        if path in self.sanitised:
            return True
        return any(value is v or (type(value) is type(v) and value == v) for v in self.sanitised_when.get(path, ()))

    def ordered(self, files: list[tuple[str, object]]) -> list[tuple[str, object]]:
        """`(role, path)` pairs in merge order: the first is merged first, the last wins."""
        rank = {role: i for i, role in enumerate(self.precedence)}
        return sorted(files, key=lambda item: rank.get(item[0], len(rank)))


BASELINE = ConfigRules(
    precedence=("legacy-user", "user", "project", "repo"),
    # pi-crew v0.2.0 sanitises only `<crewRoot>/config.json`; crew-lsp has treated both project files alike
    sanitised_files=WORKSPACE_ROLES, sanitised=SANITISED,
    sanitised_when={key: (False,) for key in SANITISED_WHEN_FALSE}, keys={}, ranges={},
)
_CACHE: dict[Version, ConfigRules] = {}


def config_rules(version: Version) -> ConfigRules:
    """The config rules of pi-crew `version`: today's with every change up to it applied."""
    found = _CACHE.get(version)
    if found is not None:
        return found
    precedence, files = BASELINE.precedence, BASELINE.sanitised_files
    sanitised, when = set(BASELINE.sanitised), dict(BASELINE.sanitised_when)
    keys: dict[str, Key] = {}
    ranges: dict[str, Key] = {}
    for change in CONFIG_CHANGES:
        if change.since > version:
            continue
        if change.what == "precedence":
            precedence = change.value  # type: ignore[assignment]
        elif change.what == "sanitised-files":
            files = frozenset(change.value)  # type: ignore[arg-type]
        elif change.what == "sanitised":
            sanitised |= change.value  # type: ignore[operator]
        elif change.what == "sanitised-when":
            when.update(change.value)  # type: ignore[arg-type]
        elif change.what == "key":
            keys[change.path] = change.value  # type: ignore[assignment]
        elif change.what == "range":
            ranges[change.path] = change.value  # type: ignore[assignment]
    rules = _CACHE[version] = ConfigRules(precedence, files, frozenset(sanitised), when, keys, ranges)
    return rules
