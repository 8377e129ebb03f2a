"""Rules across files and scopes: shadowing, case clashes, duplicate names (CREW407–CREW409)."""

from __future__ import annotations

import os

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import Related, diag
from crew_lsp.resources.text import Span


def _anchor(ctx: Ctx) -> Span:
    return ctx.name_span() if ctx.res.doc is not None else Span(0, 0, 0, 0)


def check_scopes(ctx: Ctx) -> None:
    res, snap = ctx.res, ctx.snap
    winner = snap.losers.get(res.path)
    if winner is not None and winner.scope != res.scope and res.scope == "project":
        ctx.add(diag("CREW407", _anchor(ctx), f"This project {res.kind} `{res.name}` is ignored: the {winner.scope} {res.kind} of the same name wins ({winner.path}). Project files can only add new names.",
                     related=[Related(winner.path, Span(0, 0, 0, 0), f"the {winner.scope} {res.kind} that applies")], data={"winner": winner.path}))
    if res.kind == "agent":
        for other in snap.agents_by_lower.get(res.name.lower(), ()):
            if other.scope != res.scope and other.name != res.name:
                ctx.add(diag("CREW408", _anchor(ctx), f"Agent `{res.name}` ({res.scope}) and `{other.name}` ({other.scope}) differ only by case: they share one slot, and role lines must match the winner's exact case.",
                             related=[Related(other.path, Span(0, 0, 0, 0), f"agent `{other.name}`")]))
                break
    twins = snap.same_scope.get(res.path)
    pi_agents = snap.workspace.pi_agents() if twins and res.kind == "agent" else None
    if pi_agents is not None:
        twins = _pi_agents_shadowing(ctx, twins, str(pi_agents))
    if twins:
        ctx.add(diag("CREW409", _anchor(ctx), f"{len(twins) + 1} {res.scope} files declare the {res.kind} `{res.name}`; only the last by file name applies.",
                     related=[Related(t.path, Span(0, 0, 0, 0), "same name") for t in twins]))


def _pi_agents_shadowing(ctx: Ctx, twins: list, pi_agents: str) -> list:
    """CREW121 for a crew-root agent that a `.pi/agents` one of the same name hides; returns the twins left for CREW409."""
    res = ctx.res
    in_pi = os.path.dirname(res.path) == pi_agents
    others = [t for t in twins if (os.path.dirname(t.path) == pi_agents) != in_pi]
    if not others:
        return twins
    if not in_pi:
        winner = others[-1]
        ctx.add(diag("CREW121", _anchor(ctx), f"This agent `{res.name}` is ignored: `.pi/agents` is read after the crew root's agents, so {winner.path} wins.",
                     related=[Related(winner.path, Span(0, 0, 0, 0), "the agent that applies")], data={"winner": winner.path}))
    return [t for t in twins if t not in others]
