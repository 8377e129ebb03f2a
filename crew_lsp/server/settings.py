"""The `crew` settings (docs/editor.md, Settings): one shape for `initializationOptions` and the `crew` section.

Settings arrive as loose JSON from editors. A bad value never stops the server: the offending field
keeps its default and the problem is reported once (`Settings.from_raw` returns the warnings).

Settings that choose a program, open a port or send data elsewhere (`PROGRAM_SETTINGS`: the worker,
`metrics.serve`, `otlp.*`) are read only from `initializationOptions`, the editor's user-level settings:
the answer to `workspace/configuration` (and the settings pushed with
`workspace/didChangeConfiguration`) may come from the repository — VS Code merges the folder's
`.vscode/settings.json` into it — so they are dropped from it (`without_program_settings`), and so is a
`trustedWorkspace` that would raise trust (one that lowers it is kept).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crew_lsp.engine.runtimes import Runtime
from crew_lsp.server.raw_settings import section

SeverityName = Literal["error", "warning", "information", "hint", "off"]
_SEVERITY_ALIASES = {"info": "information", "warn": "warning", "none": "off", "disabled": "off"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class DiagnosticsSettings(_Model):
    delayMs: int = Field(200, ge=0, le=60_000)
    cache: bool = True  # publish a folder's cached diagnostics at its cold start, store them after (docs/cache.md)
    severity: dict[str, SeverityName] = Field(default_factory=dict)

    @field_validator("severity", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for code, level in value.items():
            if isinstance(level, str):
                level = level.strip().lower()
                level = _SEVERITY_ALIASES.get(level, level)
            out[str(code).strip().upper()] = level
        return out


class WorkerSettings(_Model):
    runtime: Runtime | None = None
    command: str | list[str] | None = None
    passEnv: list[str] = Field(default_factory=list)  # variables workers may inherit beyond the allow-list


class MetricsSettings(_Model):
    serve: str | None = Field(None, min_length=1, max_length=300)  # `[HOST:]PORT` of `/metrics` (127.0.0.1 by default)

    @field_validator("serve", mode="before")
    @classmethod
    def _port_number(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class TelemetrySettings(_Model):
    enabled: bool | None = None  # unset: the config files decide (on by default)


class ObservabilitySettings(_Model):
    metricRetentionDays: int | None = Field(None, ge=1, le=365)


class OtlpSettings(_Model):
    enabled: bool | None = None
    endpoint: str | None = Field(None, pattern=r"^https?://", max_length=2000)
    headers: dict[str, str] | None = None


def _pi_crew_version(value: Any) -> Any:
    """`auto`, or a version crew-lsp can read as (`0.10.1`, `0.10`); any other text is refused."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() in ("", "auto"):
        return "auto"
    from crew_lsp.resources.versions import VersionError, parse_version

    try:
        parse_version(text)
    except VersionError as exc:
        raise ValueError(str(exc)) from None
    return text


class Settings(_Model):
    diagnostics: DiagnosticsSettings = Field(default_factory=DiagnosticsSettings)
    # which pi-crew version the files are read as; a workspace may set it: it chooses no program
    piCrewVersion: str = "auto"
    roots: list[str] = Field(default_factory=list)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    trustedWorkspace: bool = True
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    otlp: OtlpSettings = Field(default_factory=OtlpSettings)

    _version = field_validator("piCrewVersion", mode="before")(_pi_crew_version)

    @classmethod
    def from_raw(cls, raw: Any) -> tuple[Settings, list[str]]:
        """Validate loose editor JSON; invalid fields fall back to their defaults."""
        data = section(raw)
        warnings: list[str] = []
        for _ in range(20):  # each pass drops the fields that failed
            try:
                return cls.model_validate(data), warnings
            except ValidationError as exc:
                for err in exc.errors():
                    loc = [str(p) for p in err["loc"]]
                    warnings.append(f"setting crew.{'.'.join(loc)} ignored: {err['msg']}")
                    _drop(data, err["loc"])
        return cls(), warnings

    def severity_overrides(self) -> dict[str, str]:
        return dict(self.diagnostics.severity)


def _drop(data: Any, loc: tuple) -> None:
    """Remove the value at `loc` (or the nearest droppable container entry)."""
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            if last or not isinstance(node[part], (dict, list)):
                del node[part]
                return
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if last or not isinstance(node[part], (dict, list)):
                del node[part]
                return
            node = node[part]
        else:
            return
