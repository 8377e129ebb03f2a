"""Config rules (CREW501–CREW505, and CREW510 in checks/drift.py): walk the JSON with positions against the pydantic models."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, get_args, get_origin

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.resources.config_trust import WORKSPACE_ROLES, is_sanitised
from crew_lsp.resources.config_versions import ConfigRules
from crew_lsp.resources.jsonpos import ObjectNode
from crew_lsp.resources.model import ConfigFile
from crew_lsp.resources.text import Span

_ADVISORY_CAP = 8


@cache
def _models() -> Any:
    from crew_lsp.resources import config_model

    return config_model


def _nested_model(annotation: Any) -> tuple[str, Any] | None:
    """('model', M) for a section, ('map', M) for dict[str, M], else None (a leaf)."""
    from pydantic import BaseModel

    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return "model", arg
        if get_origin(arg) is dict:
            value = get_args(arg)[1]
            if isinstance(value, type) and issubclass(value, BaseModel):
                return "map", value
    return None


def check_config(ctx: Ctx, rules: ConfigRules | None = None) -> None:
    """`rules`: what the pi-crew version read does with config (`config_versions.config_rules`); None is v0.2.0's."""
    cfg: ConfigFile = ctx.res.model  # type: ignore[assignment]
    if cfg.error is not None:
        ctx.add(diag("CREW501", cfg.error.span, f"Not valid JSON ({cfg.error}); pi-crew ignores this whole file."))
        return
    if not isinstance(cfg.node, ObjectNode):
        ctx.add(diag("CREW501", cfg.node.span if cfg.node else Span(0, 0, 0, 0), "The config must be a JSON object; pi-crew ignores this whole file."))
        return
    if rules is None:
        _walk(ctx, cfg.node, _models().CrewConfig, "", is_sanitised if cfg.role in WORKSPACE_ROLES else None)
    else:
        from crew_lsp.resources.config_model_versions import config_model

        _walk(ctx, cfg.node, config_model(rules), "", rules.is_sanitised if cfg.role in rules.sanitised_files else None)
    if cfg.role not in WORKSPACE_ROLES:  # a project file may not set overrides at all (CREW504)
        from crew_lsp.checks.drift import check_drift

        check_drift(ctx, cfg.node)


def _walk(ctx: Ctx, node: ObjectNode, model: Any, prefix: str, sanitised: Callable[[str, Any], bool] | None) -> None:
    """`sanitised`: for a file a project ships, which keys it may not set."""
    fields = model.model_fields
    for member in node.members:
        path = prefix + member.key
        if sanitised is not None and sanitised(path, member.node.value):
            ctx.add(diag("CREW504", member.key_span, f"`{path}` cannot be set by a project config (a cloned repository must not change it); it is ignored. Set it in your user config (~/.pi/agent/pi-crew.json).",
                         data={"key": path}))
            continue
        field = fields.get(member.key)
        if field is None:
            close = suggest(member.key, fields)
            where = f"in `{prefix[:-1]}`" if prefix else "at the top level"
            ctx.add(diag("CREW502", member.key_span, f"Unknown config key `{member.key}` {where}; it is ignored{did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(member.key_span, f'"{c}"'), preferred=i == 0) for i, c in enumerate(close)],
                         data={"key": path, "suggestions": close}))
            continue
        nested = _nested_model(field.annotation)
        if nested is not None and isinstance(member.node, ObjectNode):
            kind, sub = nested
            if kind == "model":
                _walk(ctx, member.node, sub, path + ".", sanitised)
            else:
                for entry in member.node.members:
                    if isinstance(entry.node, ObjectNode):
                        _walk(ctx, entry.node, sub, f"{path}.{entry.key}.", sanitised)
                    else:
                        ctx.add(diag("CREW503", entry.node.span, f"`{path}.{entry.key}` must be an object; it is dropped."))
            continue
        if nested is not None and member.node.value is not None:
            ctx.add(diag("CREW503", member.node.span, f"`{path}` must be an object; it is dropped."))
            continue
        error = _validate(model, member.key, member.node.value)
        if error:
            ctx.add(diag("CREW503", member.node.span, f"`{path}`: {error}; the value is dropped (siblings still apply).", data={"key": path}))
            continue
        _advise(ctx, path, member.node, node)


def _validate(model: Any, key: str, value: Any) -> str | None:
    from pydantic import ValidationError

    instance = model.model_construct()
    try:
        model.__pydantic_validator__.validate_assignment(instance, key, value)
    except ValidationError as exc:
        errors = exc.errors()
        return "; ".join(sorted({e["msg"] for e in errors}))[:300]
    return None


def _advise(ctx: Ctx, path: str, node: Any, parent: ObjectNode) -> None:
    value = node.value
    if path == "limits.maxConcurrentWorkers" and isinstance(value, int) and value > _ADVISORY_CAP:
        unbounded = parent.member("allowUnboundedConcurrency")
        if unbounded is None or unbounded.node.value is not True:
            ctx.add(diag("CREW505", node.span, f"`maxConcurrentWorkers: {value}` is capped at {_ADVISORY_CAP} unless `limits.allowUnboundedConcurrency` is true; {_ADVISORY_CAP} workers run at most."))
    elif path == "limits.maxTaskDepth" and isinstance(value, int) and value > 4:
        ctx.add(diag("CREW505", node.span, f"`maxTaskDepth: {value}` lets workers nest {value} levels deep; more than 4 is rarely useful and multiplies cost."))
