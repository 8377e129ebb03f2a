"""The config's pydantic models for a later pi-crew version: `config_model.CrewConfig` with the keys and
ranges of `config_versions.config_rules(version)` applied.

The v0.2.0 models (and `schemas/config.schema.json`, generated from them) are left as they are: each
version's models are subclasses built from the data, once per set of rules.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from crew_lsp.resources.config_model import CrewConfig, Section
from crew_lsp.resources.config_versions import ConfigRules, Key

_BUILT: list[tuple[ConfigRules, type[BaseModel]]] = []  # (rules are unhashable records; there are a few of them)


def config_model(rules: ConfigRules) -> type[BaseModel]:
    """The top-level config model that `rules` describe (CrewConfig itself when nothing changed)."""
    for known, model in _BUILT:
        if known is rules:
            return model
    model = _rebuild(CrewConfig, "", rules.keys, rules.ranges) if rules.keys or rules.ranges else CrewConfig
    _BUILT.append((rules, model))
    return model


def _rebuild(model: type[BaseModel], prefix: str, keys: dict[str, Key], ranges: dict[str, Key]) -> type[BaseModel]:
    """`model` (at the dotted `prefix`) with the keys added and ranges changed below it."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        path = prefix + name
        nested = _section_model(field.annotation)
        if nested is not None and any(p.startswith(path + ".") for p in (*keys, *ranges)):
            fields[name] = (_rebuild(nested, path + ".", keys, ranges) | None, Field(None, description=field.description))
    for path, key in (*keys.items(), *ranges.items()):
        parent, _, name = path.rpartition(".")
        if (parent + "." if parent else "") == prefix:
            fields[name] = _field(key, path)
    return create_model(model.__name__, __base__=model, __doc__=model.__doc__, **fields) if fields else model


def _section_model(annotation: Any) -> type[BaseModel] | None:
    from typing import get_args

    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _field(key: Key, path: str) -> tuple[Any, Any]:
    default = ... if key.required else None
    if key.kind in ("section", "record"):
        section = _section(key, path)
        annotation: Any = dict[str, section] if key.kind == "record" else section  # type: ignore[valid-type]
        return (annotation if key.required else annotation | None, Field(default, description=key.doc or None))
    annotation = {"bool": bool, "int": int, "number": float, "str": str, "strs": list[str]}.get(key.kind)
    if key.kind == "enum":
        annotation = Literal[key.values]  # type: ignore[valid-type]
    limits: dict[str, Any] = {}
    if key.kind in ("int", "number"):
        limits = {"ge": key.lo, "le": key.hi}
    elif key.kind == "str":
        limits = {"max_length": key.hi, "pattern": key.pattern}
    limits = {k: v for k, v in limits.items() if v is not None}
    return (annotation if key.required else annotation | None, Field(default, description=key.doc or None, **limits))


def _section(key: Key, path: str) -> type[BaseModel]:
    name = "".join(part[:1].upper() + part[1:] for part in path.split("."))
    return create_model(name, __base__=Section, **{k: _field(sub, f"{path}.{k}") for k, sub in key.keys.items()})
