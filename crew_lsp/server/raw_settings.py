"""The `crew` settings as the client sends them: plain JSON, before (and without) the settings model.

What the server needs of the settings before the model (pydantic, ~100 ms to import) is loaded: where
the section sits, how the client's configuration merges over `initializationOptions`, which settings a
workspace may not choose, and whether the settings leave the cold-start checker child as it was
started (`server/head_start.py`). `settings.py` validates the same JSON into the model.
"""

from __future__ import annotations

from typing import Any


# `passEnv` is one of them: it decides which of the user's secrets a worker may read; `metrics.serve`
# opens a port; `otlp.*` decides where the figures (and the headers, an API key) are sent
PROGRAM_SETTINGS = (("worker", "runtime"), ("worker", "command"), ("worker", "passEnv"), ("metrics", "serve"),
                    ("otlp", "enabled"), ("otlp", "endpoint"), ("otlp", "headers"))


def without_program_settings(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A `crew` section from the client's configuration without the settings that choose a program;
    returns it and the dotted names of the settings it dropped."""
    out = _deep_copy(raw)
    dropped: list[str] = []
    for parent, key in PROGRAM_SETTINGS:
        node = out.get(parent)
        if isinstance(node, dict) and key in node:
            del node[key]
            dropped.append(f"crew.{parent}.{key}")
    if "trustedWorkspace" in out and out["trustedWorkspace"] is not False:
        del out["trustedWorkspace"]  # the workspace may lower trust, never grant it
        dropped.append("crew.trustedWorkspace")
    return out, dropped


def section(raw: Any) -> dict[str, Any]:
    """The settings object, whether sent as `{"crew": {...}}` or at the top level."""
    if not isinstance(raw, dict):
        return {}
    inner = raw.get("crew")
    if isinstance(inner, dict):
        return _deep_copy(inner)
    return _deep_copy(raw)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: `over` wins key by key, nested objects merge."""
    out = _deep_copy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = _deep_copy(value)
    return out


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def checker_options(raw: dict[str, Any]) -> tuple[bool, str] | None:
    """(cache on, pi-crew version) of a `crew` section, read as the settings model reads them, for the
    checker child a cold start runs (`server/head_start.py`); None when the section sets extra roots or
    per-code severities (the folder is then checked in the server) or any of these in a shape the model
    might read otherwise — the child is then started later, from the validated settings, if at all."""
    if raw.get("roots") not in (None, []):
        return None
    diagnostics = raw.get("diagnostics", {})
    if not isinstance(diagnostics, dict) or diagnostics.get("severity") not in (None, {}):
        return None
    cache = diagnostics.get("cache", True)
    version = raw.get("piCrewVersion", "auto")
    if not isinstance(cache, bool) or not isinstance(version, str):
        return None
    version = version.strip()
    return cache, "auto" if version.lower() in ("", "auto") else version
