"""The config JSON's shape, read from the pydantic models of `config_model` (imported lazily)."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any



@dataclass(frozen=True, slots=True)
class ConfigField:
    name: str
    annotation: Any  # Optional stripped
    description: str
    constraints: str
    sanitised: bool  # ignored in the project file


def _models():
    from crew_lsp.resources import config_model

    return config_model


def strip_optional(ann: Any) -> Any:
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return strip_optional(typing.get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return strip_optional(args[0])
        return typing.Union[tuple(args)]  # noqa: UP007
    return ann


def is_model(ann: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _step(ann: Any, key: str) -> Any:
    """The annotation one key (or "[]") below ``ann``; None when there is nothing there."""
    ann = strip_optional(ann)
    if is_model(ann):
        info = ann.model_fields.get(key)
        return info.annotation if info is not None else None
    origin = typing.get_origin(ann)
    if origin is dict:
        return typing.get_args(ann)[1]
    if origin is list and key == "[]":
        return typing.get_args(ann)[0]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(ann):
            found = _step(arg, key)
            if found is not None:
                return found
    return None


def annotation_at(path: tuple[str, ...]) -> Any:
    """The (Optional-stripped) type of the value at ``path`` from the top-level object; None if unknown."""
    ann: Any = _models().CrewConfig
    for key in path:
        ann = _step(ann, key)
        if ann is None:
            return None
    return strip_optional(ann)


def container_model(ann: Any) -> Any:
    """The model whose keys an object of type ``ann`` takes (a union's model member)."""
    ann = strip_optional(ann)
    if is_model(ann):
        return ann
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        for arg in typing.get_args(ann):
            if is_model(arg):
                return arg
    return None


def _constraints(info: Any) -> str:
    lo = hi = None
    for m in getattr(info, "metadata", []) or []:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    if lo is not None and hi is not None:
        return f"{lo}–{hi}"
    if lo is not None:
        return f"≥ {lo}"
    if hi is not None:
        return f"≤ {hi}"
    return ""


@lru_cache(maxsize=None)
def fields_of(model: Any, prefix: str = "") -> tuple[ConfigField, ...]:
    mod = _models()
    out = []
    for name, info in model.model_fields.items():
        dotted = f"{prefix}{name}"
        sanitised = dotted in mod.SANITISED or dotted in mod.SANITISED_WHEN_FALSE
        out.append(ConfigField(name, strip_optional(info.annotation), info.description or "", _constraints(info), sanitised))
    return tuple(out)


def field_at(path: tuple[str, ...]) -> ConfigField | None:
    """The field a key path names (``("limits", "maxTaskDepth")``); None for free-form keys."""
    if not path:
        return None
    parent: Any = _models().CrewConfig if len(path) == 1 else annotation_at(path[:-1])
    model = container_model(parent) if parent is not None else None
    if model is None:
        return None
    prefix = ".".join(k for k in path[:-1] if k != "[]")
    for f in fields_of(model, prefix + "." if prefix else ""):
        if f.name == path[-1]:
            return f
    return None


def describe(ann: Any) -> str:
    ann = strip_optional(ann)
    if ann is bool:
        return "boolean"
    if ann is int:
        return "integer"
    if ann is float:
        return "number"
    if ann is str:
        return "string"
    if is_model(ann):
        return "object"
    origin = typing.get_origin(ann)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in typing.get_args(ann))
    if origin is list:
        return "list of " + describe(typing.get_args(ann)[0])
    if origin is dict:
        return "object of " + describe(typing.get_args(ann)[1])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in typing.get_args(ann))
    name = getattr(ann, "__name__", str(ann))
    return "URL" if "Url" in name else name


def literal_values(ann: Any) -> list[Any]:
    """Every literal value a type admits (booleans included)."""
    ann = strip_optional(ann)
    if ann is bool:
        return [True, False]
    origin = typing.get_origin(ann)
    if origin is typing.Literal:
        return list(typing.get_args(ann))
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(ann):
            out += [v for v in literal_values(arg) if v not in out]
        return out
    return []


def markdown(path: tuple[str, ...], f: ConfigField) -> str:
    dotted = ".".join(k for k in path if k != "[]")
    parts = [f"**{dotted}** — {describe(f.annotation)}"]
    if f.description:
        parts.append(f.description)
    if f.constraints:
        parts.append(f"Range: {f.constraints}")
    if f.sanitised:
        parts.append("Ignored (with a warning) in the project config: set it in the user config.")
    return "\n\n".join(parts)
