"""Code lenses: run a team; run or preview a workflow with the teams whose default it is."""

from __future__ import annotations

from crew_lsp.language.locate import name_span
from crew_lsp.language.types import Lens
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource


def code_lenses(res: Resource, snap: Snapshot) -> list[Lens]:
    span = name_span(res)  # the `name` value, else the file start
    if res.kind == "team":
        return [Lens(span, "Run team", "crew.run", [{"team": res.name}])]
    if res.kind == "workflow":
        teams = sorted(snap.teams_running(res.name), key=lambda t: t.name)
        lenses = [Lens(span, f"Run with {t.name}", "crew.run", [{"team": t.name, "workflow": res.name}]) for t in teams]
        lenses.append(Lens(span, "Preview plan", "crew.plan", [{"workflow": res.name, "team": teams[0].name if teams else None}]))
        return lenses
    return []
