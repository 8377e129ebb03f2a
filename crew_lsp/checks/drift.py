"""Config drift (CREW510): `agents.overrides.<name>` keys in a user config that name no agent.

An override is matched to an agent by its lower-cased name, among every agent of the effective index
(enabled or disabled, of any scope). A key naming nothing is ignored by pi-crew without a word — a
typo (`planer`) or an agent that was renamed or deleted since. A key naming a builtin agent while
`agents.disableBuiltins` is true names an agent that is never loaded: harmless, said as information.
"""

from __future__ import annotations

import json

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.jsonpos import Member, ObjectNode


def builtins_disabled(snap: Snapshot) -> bool:
    """`agents.disableBuiltins` as the user configs set it (the last one that sets it wins)."""
    disabled = False
    for res in snap.configs:
        node = res.model.node  # type: ignore[union-attr]
        if res.scope != "user" or node is None or not isinstance(node.value, dict):
            continue
        agents = node.value.get("agents")
        if isinstance(agents, dict) and isinstance(agents.get("disableBuiltins"), bool):
            disabled = agents["disableBuiltins"]
    return disabled


def drift(root: ObjectNode, snap: Snapshot) -> list[tuple[Member, str, list[str], bool]]:
    """Every override key naming no loaded agent: (member, name, suggestions, hidden by disableBuiltins)."""
    agents = root.member("agents")
    overrides = agents.node.member("overrides") if agents is not None and isinstance(agents.node, ObjectNode) else None
    if overrides is None or not isinstance(overrides.node, ObjectNode):
        return []
    hide_builtins = builtins_disabled(snap)
    keys = {m.key.lower() for m in overrides.node.members}
    names = sorted({r.name for r in (*snap.agents.values(), *snap.disabled_agents.values())})
    out: list[tuple[Member, str, list[str], bool]] = []
    for member in overrides.node.members:
        key = member.key.lower()
        if key in snap.agents:
            continue
        hidden = snap.disabled_agents.get(key)
        if hidden is not None:
            if hide_builtins and hidden.scope == "builtin":
                out.append((member, hidden.name, [], True))
            continue
        close = [c for c in suggest(member.key, names) if c.lower() not in keys]
        out.append((member, member.key, close, False))
    return out


def check_drift(ctx: Ctx, root: ObjectNode) -> None:
    for member, name, close, hidden in drift(root, ctx.snap):
        span = member.key_span
        if hidden:
            ctx.add(diag("CREW510", span, f"`{name}` is a builtin agent hidden by `agents.disableBuiltins`: it is never "
                         "loaded, so this override has no effect.", severity=Severity.INFORMATION, data={"key": name}))
            continue
        ctx.add(diag("CREW510", span, f"`agents.overrides.{name}` names no agent; pi-crew ignores this override{did_you_mean(close) or '.'}",
                     fixes=[fix(f"Change to `{c}`", edit(span, json.dumps(c, ensure_ascii=False)), preferred=i == 0) for i, c in enumerate(close)],
                     data={"key": name, "suggestions": close}))



def drift_lines(snap: Snapshot) -> list[tuple[bool, str]]:
    """Drift of every user config, as `doctor` lines: (harmless, text)."""
    out: list[tuple[bool, str]] = []
    for res in snap.configs:
        node = res.model.node  # type: ignore[union-attr]
        if res.scope != "user" or not isinstance(node, ObjectNode):
            continue
        for member, name, close, hidden in drift(node, snap):
            where = f"{res.path}:{member.key_span.line + 1}"
            if hidden:
                out.append((True, f"{where}: override of `{name}` has no effect (agents.disableBuiltins hides that builtin agent)"))
            else:
                out.append((False, f"{where}: `agents.overrides.{name}` names no agent{did_you_mean(close)}"))
    return out
