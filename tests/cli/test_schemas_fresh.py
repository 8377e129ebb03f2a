"""`schemas/` must be what `crew-lsp schemas` generates from the pydantic models today."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.schemas import build_schemas, render

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_schemas_are_fresh():
    built = build_schemas()
    on_disk = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert on_disk == sorted(built), "schemas/ holds other files than the generated ones: run `crew-lsp schemas`"
    stale = [name for name, schema in built.items() if (SCHEMAS / name).read_text(encoding="utf-8") != render(schema)]
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): run `crew-lsp schemas` (or `make schemas`) and commit the result"
