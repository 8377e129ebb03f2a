"""JSON Schemas of the frontmatter kinds and of the config, generated from pydantic models.

The frontmatter models are built from the field table (`resources/fields.py`) so the checker,
completion and these schemas can never disagree. Values are strings: the line grammar has no types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from crew_lsp.resources.config_model import CrewConfig
from crew_lsp.resources.fields import AGENT_FIELDS, TEAM_FIELDS, WORKFLOW_FIELDS, FieldSpec

_PATTERNS = {
    "bool": r"^(true|false)$",
    "int": r"^[1-9][0-9]*$",
}


def _field(spec: FieldSpec) -> tuple[Any, Any]:
    description = spec.doc + (f" Default: {spec.default}." if spec.default else "")
    if spec.kind in ("enum", "thinking") and spec.values and not spec.lenient_enum:
        values = tuple(spec.values) + (("false",) if spec.false_ok else ())
        return (Literal[values] | None, Field(None, description=description))  # type: ignore[valid-type]
    pattern = _PATTERNS.get(spec.kind)
    return (str | None, Field(None, description=description, pattern=pattern))


def frontmatter_model(kind: str, fields: dict[str, FieldSpec]) -> type[BaseModel]:
    definitions = {name: _field(spec) for name, spec in fields.items()}
    model = create_model(f"{kind.capitalize()}Frontmatter", __config__=ConfigDict(extra="allow"), **definitions)  # type: ignore[call-overload]
    model.__doc__ = f"Frontmatter of a pi-crew {kind} (pi-crew's line grammar: every value is a string)."
    return model


def build_schemas() -> dict[str, dict]:
    return {
        "agent.schema.json": frontmatter_model("agent", AGENT_FIELDS).model_json_schema(),
        "team.schema.json": frontmatter_model("team", TEAM_FIELDS).model_json_schema(),
        "workflow.schema.json": frontmatter_model("workflow", WORKFLOW_FIELDS).model_json_schema(),
        "config.schema.json": CrewConfig.model_json_schema(),
    }


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(out: str | Path) -> list[Path]:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in build_schemas().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
