"""Which rules apply to which resource; the single path used by `crew-lsp check` and the server."""

from __future__ import annotations

from crew_lsp.checks.agents import check_agent
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import Diagnostic, finish
from crew_lsp.checks.files import check_unread
from crew_lsp.checks.frontmatter import check_block, check_keys
from crew_lsp.checks.scopes import check_scopes
from crew_lsp.checks.skills import check_skill
from crew_lsp.checks.teams import check_team
from crew_lsp.checks.workflows import check_workflow
from crew_lsp.resources.index import Snapshot, paused_gc
from crew_lsp.resources.model import Resource


def check_resource(res: Resource, snap: Snapshot, severity_overrides: dict[str, str] | None = None) -> list[Diagnostic]:
    """Every diagnostic of one file against a snapshot. Never raises on any content."""
    problem = snap.problems.get(res.path)
    if problem is not None:
        return check_unread(problem, severity_overrides)
    ctx = Ctx(res, snap)
    if res.kind == "config":
        from crew_lsp.checks.config import check_config

        check_config(ctx)
        return finish(ctx.diags, "", severity_overrides)
    if res.kind == "guidance":
        from crew_lsp.checks.guidance import check_guidance

        check_guidance(ctx)
        return finish(ctx.diags, res.text, severity_overrides)
    check_block(ctx)
    if res.kind == "skill":
        check_keys(ctx)
        check_skill(ctx)
    else:
        check_keys(ctx)
        if res.kind == "agent":
            check_agent(ctx)
        elif res.kind == "team":
            check_team(ctx)
        elif res.kind == "workflow":
            check_workflow(ctx)
        check_scopes(ctx)
    return finish(ctx.diags, res.text, severity_overrides)


def check_snapshot(snap: Snapshot, reported_only: bool = True, severity_overrides: dict[str, str] | None = None) -> dict[str, list[Diagnostic]]:
    """Diagnostics of every (reported) file of the snapshot, by path."""
    out: dict[str, list[Diagnostic]] = {}
    reported = snap.workspace.reported_filter() if reported_only else None
    with paused_gc():
        for path, res in snap.resources.items():
            if reported is not None and not reported(path):
                continue
            out[path] = check_resource(res, snap, severity_overrides)
    return out
