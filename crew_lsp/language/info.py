"""Facts about the workspace that several features describe the same way (agents, skills, roles, models)."""

from __future__ import annotations

from crew_lsp.resources.fields import FieldSpec
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.skill_names import known_skills
from crew_lsp.resources.team import Role
from crew_lsp.resources.version_detect import Detection
from crew_lsp.resources.versions import Reading, show
from crew_lsp.resources.workflow import Step

ROLE_KEYS: dict[str, str] = {
    "agent": "The agent that plays this role (case-sensitive name); defaults to the role name.",
    "model": "Model for this role's tasks (overrides the agent's `model`). No space after `=`.",
    "skills": "Comma list of skills for this role; `skills=false` turns off the role's default skills.",
    "maxConcurrency": "Parsed (kept only if > 0) but ignored by the scheduler.",
    "thinking": "Thinking level for this role's tasks (overrides the agent's `thinking`). Read since pi-crew 0.9.60.",
    "fallbackModels": "Comma list of models pi-crew tries when the role's model fails. Read since pi-crew 0.9.60; crew-lsp runs do not switch models.",
}
ROLE_KEY_ORDER = ("agent", "model", "skills", "maxConcurrency")


def code(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def field_markdown(spec: FieldSpec, since: str = "") -> str:
    """A key's documentation; ``since``: the pi-crew version that started reading it."""
    parts = [f"**{spec.name}** — {spec.doc}"]
    if spec.kind == "bool":
        parts.append("Allowed: `true`, `false` (exactly, lower-case; anything else is not set)")
    elif spec.values:
        allowed = "Allowed: " + ", ".join(code(v) for v in spec.values)
        if spec.lenient_enum:
            allowed += " (anything else means the default)"
        parts.append(allowed)
    if spec.false_ok:
        parts.append("`false` = explicitly none")
    if spec.default:
        parts.append(f"Default: {code(spec.default) if ' ' not in spec.default else spec.default}")
    if since:
        parts.append(f"Read since pi-crew {since}.")
    return "\n\n".join(parts)


def key_markdown(kind: str, key: str, reading: Reading, found: Detection | None) -> str | None:
    """Hover text of a frontmatter (or `step`) key as the workspace's version reads it; for a key only a
    later version reads, says from which version on."""
    from crew_lsp.language.locate import field_spec
    from crew_lsp.resources.versions import NEWEST, reading_for

    spec = field_spec(kind, key, reading)
    if spec is not None:
        return field_markdown(spec, reading.since.get((kind, key), ""))
    later = reading_for(NEWEST).since.get((kind, key))
    if later is None:
        return None
    why = f" ({found.source})" if found is not None else ""
    return (f"`{key}` is read from pi-crew {later} on. This workspace is read as pi-crew "
            f"{'.'.join(map(str, reading.version))}{why}, which ignores it.")


def agent_markdown(agent: Resource, heading: str | None = None) -> str:
    model = agent.model
    head = heading or f"**agent {code(agent.name)}** ({agent.scope})"
    parts = [head, model.description]  # type: ignore[union-attr]
    facts = []
    if getattr(model, "model", None):
        facts.append(f"model {code(model.model)}")  # type: ignore[union-attr]
    tools = getattr(model, "tools", None)
    facts.append(f"tools {', '.join(tools)}" if tools else "every tool")
    if agent.disabled:
        facts.append("**disabled**")
    parts.append(" · ".join(facts))
    parts.append(f"`{agent.path}`")
    return "\n\n".join(parts)


def skill_markdown(skill: Resource) -> str:
    desc = skill.model.description or "(no description)"  # type: ignore[union-attr]
    return f"**skill {code(skill.name)}** ({skill.scope})\n\n{desc}\n\n`{skill.path}`"


def skill_info(snap: Snapshot, name: str) -> tuple[str, str] | None:
    """(detail, markdown) of a skill a reference can name at the workspace's version; None: not one."""
    version = snap.workspace.reading.version
    known = known_skills(snap.skills, version)
    if name not in known:
        return None
    skill = known[name]
    if skill is None:  # shipped by that version, known by name only
        return (f"shipped with pi-crew {show(version)}",
                f"**skill {code(name)}** (builtin)\n\nShipped with pi-crew {show(version)}; crew-lsp knows it by name only.")
    return skill.model.description or "", skill_markdown(skill)  # type: ignore[union-attr]


def skill_choices(snap: Snapshot) -> list[tuple[str, str, str]]:
    """(name, detail, markdown) of each skill a reference can name at the workspace's version, by name."""
    names = sorted(known_skills(snap.skills, snap.workspace.reading.version))
    return [(name, *skill_info(snap, name)) for name in names]  # type: ignore[misc]


def agent_for(snap: Snapshot, name: str) -> tuple[Resource | None, str]:
    """The agent a role's name resolves to, and its state: ok | disabled | unknown."""
    found = snap.agent(name)
    if found is not None:
        return found, "ok"
    disabled = snap.disabled_agents.get(name.lower())
    if disabled is not None and disabled.name == name:
        return disabled, "disabled"
    return None, "unknown"


def role_markdown(team: Resource, role: Role, snap: Snapshot) -> str:
    line = team.doc.lines[role.line].strip() if team.doc is not None else role.name  # type: ignore[union-attr]
    agent, state = agent_for(snap, role.agent)
    parts = [f"**role {code(role.name)}** of team {code(team.name)} ({team.scope})", f"```markdown\n{line}\n```"]
    if agent is not None:
        parts.append(f"agent {code(agent.name)} ({agent.scope}{', disabled' if state == 'disabled' else ''}): {agent.model.description}")  # type: ignore[union-attr]
    else:
        parts.append(f"agent {code(role.agent)}: unknown")
    return "\n\n".join(parts)


def first_task_line(step: Step) -> str:
    for line in step.task.splitlines():
        if line.strip():
            return line.strip()
    return step.task


def step_markdown(step: Step) -> str:
    parts = [f"**step {code(step.id)}** — task `{step.task_id}`, role {code(step.role)}"]
    deps = [i.text for i in step.depends_on]
    if deps:
        parts.append("depends on " + ", ".join(code(d) for d in deps))
    out = step.output
    parts.append(f"output {code(out)}" if out else "no shared output")
    parts.append(f"> {first_task_line(step)}")
    return "\n\n".join(parts)


def role_pool(snap: Snapshot, workflow: str) -> dict[str, list[tuple[Resource, Role]]]:
    """Role name → (team, role) for the teams running ``workflow``; every team's roles when none does."""
    teams = snap.teams_running(workflow) or sorted(snap.teams.values(), key=lambda r: r.name)
    pool: dict[str, list[tuple[Resource, Role]]] = {}
    for team in teams:
        for role in team.model.roles:  # type: ignore[union-attr]
            pool.setdefault(role.name, []).append((team, role))
    return pool


_MODELS_CACHE: list = [None, ()]
_WRITES_MODELS = frozenset(("agent", "team", "workflow"))


def models_seen(snap: Snapshot) -> tuple[str, ...]:
    """Every model id written somewhere in the workspace (agents, fallbacks, role lines, steps)."""
    key = snap.resources
    if _MODELS_CACHE[0] is key:
        return _MODELS_CACHE[1]
    seen: dict[str, None] = {}
    for res in snap.resources.values():
        if res.kind in _WRITES_MODELS:
            seen.update(dict.fromkeys(res.facts.models))
    result = tuple(sorted(seen))
    _MODELS_CACHE[0], _MODELS_CACHE[1] = key, result
    return result
