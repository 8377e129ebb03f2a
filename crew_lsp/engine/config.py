"""What the engine reads from config (docs/formats.md, Config) and which worker program runs (docs/runs.md, Workers).

Config files merge in order, later wins per section, shallowly. Values failing their type or range
are dropped (siblings still apply). The workspace's files (`<crewRoot>/config.json`,
`<repoRoot>/.pi/pi-crew.json`) are *sanitised*: keys that change what runs, or that would start
workers again by themselves, are ignored there (resources/config_trust.py). The worker program
never comes from any file: only from explicit arguments (CLI flags, the editor's user settings) or
the environment, so a cloned repository cannot run programs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from crew_lsp.engine.runtimes import Runtime, RUNTIMES, spoken
from crew_lsp.resources.config_trust import WORKSPACE_ROLES, is_sanitised
from crew_lsp.resources.config_versions import ConfigRules
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.jsonread import JsonReadError, read_json_file

# crew-lsp's own program settings (`crew.worker`) in a config file: never read there, reported as ignored
ENGINE_SANITISED = frozenset(("worker",))

NO_WORKER = "default: no worker configured"  # the reason of the scaffold runtime nobody chose


def _int(lo: int, hi: int | None = None):
    def check(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= lo and (hi is None or v <= hi)
    return check


def _num(lo: float, hi: float):
    def check(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi
    return check


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _globs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_LIMITS = {
    "maxConcurrentWorkers": _int(1, 1024), "allowUnboundedConcurrency": _bool, "maxTaskDepth": _int(1, 100),
    "maxChildrenPerTask": _int(1, 1000), "maxRunMinutes": _int(1, 1440), "maxRetriesPerTask": _int(1, 100),
    "maxTasksPerRun": _int(1, 10000), "heartbeatStaleMs": _int(1, 86_400_000),
}
# `autoRecover` is not read: an interrupted run is resumed only when the user says so (manager.interrupted)
_RELIABILITY = {"autoRetry": _bool, "deadletterThreshold": _int(1)}
_RETRY = {
    "maxAttempts": _int(1, 10), "backoffMs": _int(100, 60000), "jitterRatio": _num(0, 1),
    "exponentialFactor": _num(1, 5), "retryableErrors": _globs,
}
_OBSERVABILITY = {"enabled": _bool, "pollIntervalMs": _int(1000, 60000), "metricRetentionDays": _int(1, 365)}
_TELEMETRY = {"enabled": _bool}


def _url(v: Any) -> bool:
    return isinstance(v, str) and re.match(r"^https?://[^\s/?#]+", v) is not None


def _headers(v: Any) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())


_OTLP = {"enabled": _bool, "endpoint": _url, "headers": _headers, "intervalMs": _int(5000)}


def _pick(section: Any, rules: dict) -> dict:
    if not isinstance(section, dict):
        return {}
    return {k: v for k, v in section.items() if k in rules and rules[k](v)}


@dataclass(slots=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_ms: int = 1000
    jitter_ratio: float = 0.3
    factor: float = 2.0
    retryable_errors: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class OtlpSettings:
    """`otlp.*`: off unless enabled with an endpoint; headers come from user-level files only (a
    project file's are dropped by `sanitise_project`)."""

    enabled: bool = False
    endpoint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    interval_ms: int = 60_000

    @property
    def active(self) -> bool:
        return self.enabled and self.endpoint is not None


@dataclass(slots=True)
class EngineConfig:
    max_concurrent_workers: int | None = None
    allow_unbounded: bool = False
    max_run_minutes: int | None = None
    max_tasks_per_run: int | None = None
    max_task_depth: int | None = None
    max_retries_per_task: int | None = None
    heartbeat_stale_ms: int = 60_000
    auto_retry: bool = False
    deadletter_threshold: int = 3
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_interval_ms: int = 5000
    telemetry_enabled: bool = True
    metric_retention_days: int = 7
    otlp: OtlpSettings = field(default_factory=OtlpSettings)
    ignored: list[str] = field(default_factory=list)  # sanitised keys met in the project file

    @classmethod
    def from_merged(cls, merged: dict) -> EngineConfig:
        limits = _pick(merged.get("limits"), _LIMITS)
        rel_section = merged.get("reliability") if isinstance(merged.get("reliability"), dict) else {}
        rel = _pick(rel_section, _RELIABILITY)
        retry = _pick(rel_section.get("retryPolicy"), _RETRY)
        obs = _pick(merged.get("observability"), _OBSERVABILITY)
        tel = _pick(merged.get("telemetry"), _TELEMETRY)
        otlp = _pick(merged.get("otlp"), _OTLP)
        return cls(
            max_concurrent_workers=limits.get("maxConcurrentWorkers"),
            allow_unbounded=limits.get("allowUnboundedConcurrency", False),
            max_run_minutes=limits.get("maxRunMinutes"),
            max_tasks_per_run=limits.get("maxTasksPerRun"),
            max_task_depth=limits.get("maxTaskDepth"),
            max_retries_per_task=limits.get("maxRetriesPerTask"),
            heartbeat_stale_ms=limits.get("heartbeatStaleMs", 60_000),
            auto_retry=rel.get("autoRetry", False),
            deadletter_threshold=rel.get("deadletterThreshold", 3),
            retry=RetryPolicy(
                max_attempts=retry.get("maxAttempts", 3), backoff_ms=retry.get("backoffMs", 1000),
                jitter_ratio=float(retry.get("jitterRatio", 0.3)), factor=float(retry.get("exponentialFactor", 2)),
                retryable_errors=list(retry.get("retryableErrors", [])),
            ),
            poll_interval_ms=obs.get("pollIntervalMs", 5000),
            telemetry_enabled=tel.get("enabled", True),
            metric_retention_days=obs.get("metricRetentionDays", 7),
            otlp=OtlpSettings(enabled=otlp.get("enabled", False), endpoint=otlp.get("endpoint"),
                              headers=dict(otlp.get("headers", {})), interval_ms=otlp.get("intervalMs", 60_000)),
        )


def _read_json(path: Path) -> dict | None:
    try:
        value = read_json_file(path)
    except (OSError, JsonReadError):
        return None  # invalid JSON contributes nothing
    return value if isinstance(value, dict) else None


def sanitise_project(data: dict, rules: ConfigRules | None = None) -> tuple[dict, list[str]]:
    """Drop the keys a workspace config file may not set; returns the rest and the dropped key paths.

    `rules`: the pi-crew version's (`config_versions.config_rules`); None keeps v0.2.0's list."""
    sanitised = is_sanitised if rules is None else rules.is_sanitised
    out: dict = {}
    dropped: list[str] = []
    for key, value in data.items():
        if key in ENGINE_SANITISED or sanitised(key, value):
            dropped.append(key)
        elif isinstance(value, dict):
            out[key] = {}
            for sub, sub_value in value.items():
                if sanitised(f"{key}.{sub}", sub_value):
                    dropped.append(f"{key}.{sub}")
                else:
                    out[key][sub] = sub_value
        else:
            out[key] = value
    return out, dropped


def merge_config(layers: list[dict]) -> dict:
    merged: dict = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def load_config(ws: Workspace, rules: ConfigRules | None = None) -> EngineConfig:
    """The merged config. `rules`: the pi-crew version's merge order and sanitising; None keeps v0.2.0's."""
    layers: list[dict] = []
    ignored: list[str] = []
    files = ws.config_files() if rules is None else rules.ordered(ws.config_files())
    sanitised_files = WORKSPACE_ROLES if rules is None else rules.sanitised_files
    for role, path in files:
        data = _read_json(path)
        if data is None:
            continue
        if role in sanitised_files:
            data, dropped = sanitise_project(data, rules)
            ignored += dropped
        layers.append(data)
    cfg = EngineConfig.from_merged(merge_config(layers))
    cfg.ignored = ignored
    return cfg


def effective_concurrency(cfg: EngineConfig, team_max: int | None, workflow_max: int | None, workflow_name: str) -> int:
    """config ?? team ?? workflow ?? the name default, capped at 8 unless unbounded (docs/formats.md, Workflows with behaviour)."""
    from crew_lsp.resources.fields import CONCURRENCY_CAP, DEFAULT_CONCURRENCY

    if cfg.max_concurrent_workers is not None:
        value = cfg.max_concurrent_workers
    elif team_max is not None:
        value = max(1, team_max)  # pi-crew keeps 0 or -2; values < 1 act as 1
    elif workflow_max is not None:
        value = workflow_max
    else:
        value = DEFAULT_CONCURRENCY.get(workflow_name, 2)
    value = max(1, value)
    return value if cfg.allow_unbounded else min(value, CONCURRENCY_CAP)


# --- which program a worker runs ------------------------------------------------------------


class WorkerConfigError(ValueError):
    """The chosen runtime cannot run (no `pi` found, no command given, unknown runtime)."""


@dataclass(slots=True, frozen=True)
class WorkerSettings:
    runtime: Runtime
    reason: str  # why this runtime: recorded in the manifest
    command: tuple[str, ...] = ()  # the `command` runtime's argv template
    pi_argv: tuple[str, ...] = ()  # how to start `pi` (one path, or an interpreter and a script)
    pass_env: tuple[str, ...] = ()  # variables (or `PREFIX*`) the user lets workers inherit


def _split_command(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(shlex.split(value))
    return tuple(str(v) for v in value)


def resolve_worker(
    runtime: str | None = None,
    command: str | list[str] | None = None,
    *,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    pass_env: list[str] | tuple[str, ...] | None = None,
) -> WorkerSettings:
    """Arguments first (CLI flags or the editor's *user* settings), then the environment; never files."""
    env = os.environ if env is None else env
    if dry_run:
        return WorkerSettings("scaffold", "dry run")
    passed = _pass_env(pass_env, env)
    cmd = _split_command(command) if command else ()
    cmd_reason = "--worker-command" if cmd else ""
    if not cmd and env.get("CREW_WORKER_COMMAND", "").strip():
        cmd = _split_command(env["CREW_WORKER_COMMAND"])
        cmd_reason = "CREW_WORKER_COMMAND"
    if runtime:
        kind, reason = runtime, "requested runtime"
    elif env.get("CREW_RUNTIME", "").strip():
        kind, reason = env["CREW_RUNTIME"].strip(), "CREW_RUNTIME"
    elif cmd:
        kind, reason = "command", cmd_reason
    else:
        return WorkerSettings("scaffold", NO_WORKER, pass_env=passed)
    if kind not in RUNTIMES:
        raise WorkerConfigError(f"unknown runtime '{kind}' (expected {spoken()})")
    if kind == "command":
        if not cmd:
            raise WorkerConfigError("runtime 'command' needs --worker-command or CREW_WORKER_COMMAND")
        return WorkerSettings("command", f"{reason}; command from {cmd_reason}", command=cmd, pass_env=passed)
    if kind == "pi":
        return WorkerSettings("pi", reason, pi_argv=_pi_argv(env), pass_env=passed)
    return WorkerSettings("scaffold", reason, pass_env=passed)


PASS_ENV_VARIABLE = "CREW_WORKER_PASS_ENV"
_PASS_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\*?")


def _pass_env(given: list[str] | tuple[str, ...] | None, env: Mapping[str, str]) -> tuple[str, ...]:
    """What the user lets workers inherit beyond the allow-list: ``given`` (``--pass-env``, the editor's
    user setting ``worker.passEnv``) and ``CREW_WORKER_PASS_ENV`` (names separated by commas or spaces).
    A name ending in ``*`` passes a prefix (``AWS_*``)."""
    names = [str(n).strip() for n in given or ()]
    names += re.split(r"[\s,]+", env.get(PASS_ENV_VARIABLE, "").strip())
    out: list[str] = []
    for name in names:
        if not name or name in out:
            continue
        if not _PASS_ENV_NAME.fullmatch(name):
            raise WorkerConfigError(f"cannot pass '{name}' to workers: give a variable name or a prefix such as AWS_*")
        out.append(name)
    return tuple(out)


def _pi_argv(env: Mapping[str, str]) -> tuple[str, ...]:
    value = env.get("PI_TEAMS_PI_BIN", "").strip()
    if value:
        if Path(value).is_file():
            return (value,)
        return _split_command(value)  # e.g. "python3 /path/fake_pi.py"
    found = shutil.which("pi", path=env.get("PATH"))
    if not found:
        raise WorkerConfigError("runtime 'pi' but no `pi` on PATH (set PI_TEAMS_PI_BIN)")
    return (found,)


def max_depth(cfg: EngineConfig, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    raw = env.get("PI_CREW_MAX_DEPTH", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return cfg.max_task_depth or 2


def current_depth(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    raw = env.get("PI_CREW_DEPTH", "").strip()
    return int(raw) if raw.isdigit() else 0
