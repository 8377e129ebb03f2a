"""Team rules: role lines, the agents they name, and the workflow the team runs (CREW113, CREW201–CREW207)."""

from __future__ import annotations

import re

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import Related, create_fix, diag, edit, fix
from crew_lsp.checks.references import check_model, check_skills, check_thinking, model_ok
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.checks.templates import agent_template, workflow_template
from crew_lsp.resources.frontmatter import is_positive_int, leading_int
from crew_lsp.resources.names import LISTED, list_names
from crew_lsp.resources.skill import valid_skill_name
from crew_lsp.resources.team import Role, Team, Token
from crew_lsp.resources.text import Span, span_in_line

_IDENT = re.compile(r"[A-Za-z0-9_-]+\Z")
_RULE_CHARS = frozenset("-*_=")
_GAP = re.compile(r",\s+")
# A key inside another key's value (`model=gpt-5,agent=critic`): pi-crew's one scan never reads it.
_SWALLOWED = re.compile(r"(?<![A-Za-z0-9_])(agent|model|maxConcurrency|skills)\s*=", re.ASCII)
_NON_WORD_TAIL = re.compile(r"[^A-Za-z0-9_]+\Z", re.ASCII)


def accidental_role(ctx: Ctx, role: Role) -> str | None:
    """Why a role line is probably not meant as a role (a `---` rule, a prose bullet), else None."""
    name = role.name
    if name[0] in _RULE_CHARS and set(name) <= _RULE_CHARS:
        return f"the rule `-{name}`" if set(name) == {"-"} else "a separator line"
    if "agent" in role.tokens or ctx.snap.agent(role.agent) is not None:
        return None
    if not _IDENT.match(role.name) or role.name[0].isupper():
        return "a prose bullet"
    return None


def check_team(ctx: Ctx) -> None:
    team: Team = ctx.res.model  # type: ignore[assignment]
    snap = ctx.snap
    if not team.roles:
        ctx.add(diag("CREW113", ctx.name_span(), "The team has no roles: no body line starts with `- <role>: agent=<agent>`, so it cannot run anything.",
                     severity=Severity.ERROR))
    seen: dict[str, Role] = {}
    agents, skills = snap.agents, ctx.skills
    for role in team.roles:
        tokens = role.tokens
        # the usual role line (`- name: agent=x …`) is no accident: skip the questions
        why = accidental_role(ctx, role) if role.name[0] in _RULE_CHARS or "agent" not in tokens else None
        if why is not None:
            line = ctx.doc.lines[role.line]
            dash = line.index("-")
            ctx.add(diag("CREW204", role.line_span, f"pi-crew reads {why} as a role `{role.name}` with agent `{role.agent}`; every line starting with `-` in a team body is a role.",
                         fixes=[fix("Remove the line", edit(ctx.line_removal(role.line), "")),
                                fix("Make it plain text (drop the `-`)", edit(Span(role.line, dash, role.line, dash + 1 + (line[dash + 1:dash + 2] == " ")), ""))],
                         data={"role": role.name}))
            continue
        if role.name in seen:
            first = seen[role.name]
            ctx.add(diag("CREW203", role.name_span, f"Role `{role.name}` is defined again (first on line {first.line + 1}); pi-crew keeps both silently.",
                         related=[Related(ctx.res.path, first.name_span, "first definition")]))
        else:
            seen[role.name] = role
        agent = tokens["agent"].value if "agent" in tokens else role.name
        found = agents.get(agent.lower())
        if found is None or found.name != agent:
            _check_role_agent(ctx, role)
        if "maxConcurrency" in tokens or "model" in tokens or "thinking" in tokens or "fallbackModels" in tokens or role.leftover_keys or role.glued or "=" in agent or \
                role.skills and not all(i.text in skills and valid_skill_name(i.text) for i in role.skills):
            _check_role_metadata(ctx, role)
    _check_workflow_link(ctx, team)


def _check_role_agent(ctx: Ctx, role: Role) -> None:
    snap = ctx.snap
    name = role.agent
    if snap.agent(name) is not None:
        return
    token = role.tokens.get("agent")
    span = token.value_span if token else role.name_span
    disabled = snap.disabled_agents.get(name.lower())
    if disabled is not None and disabled.name == name:
        ctx.add(diag("CREW207", span, f"Role `{role.name}` uses agent `{name}`, which is disabled ({disabled.scope} scope, {disabled.path}); the run fails.",
                     data={"agent": name}))
        return
    close = suggest(name, snap.names("agents"))
    other_case = snap.agents.get(name.lower())
    where = "" if token else " (no `agent=`, so the role name is the agent)"
    if other_case is not None:
        message = f"Role `{role.name}` references agent `{name}`{where}, but agent names are case-sensitive and the effective agent is `{other_case.name}` ({other_case.scope} scope, {other_case.path})."
        close = [other_case.name] + [c for c in close if c != other_case.name]
    else:
        message = f"Role `{role.name}` references unknown agent `{name}`{where}{did_you_mean(close)}"
    # (a value joined over a deleted `skills=` token: replacing it would drop the skills; CREW205 separates them)
    glued = token is not None and any(t is token for t, _ in role.glued)
    fixes = [] if glued else [fix(f"Change to `{c}`", edit(span, c), preferred=i == 0) for i, c in enumerate(close)]
    if _IDENT.match(name):
        fixes.append(create_fix(f"Create agent `{name}`", ctx.new_file_path("agent", name), agent_template(name)))
    ctx.add(diag("CREW201", span, message, fixes=fixes, data={"agent": name, "suggestions": close}))


def _check_role_metadata(ctx: Ctx, role: Role) -> None:
    token = role.tokens.get("maxConcurrency")
    if token is not None:
        if not is_positive_int(token.value):
            n = leading_int(token.value)
            applies = f"read as {n}" if n is not None and n > 0 else "ignored"
            ctx.add(diag("CREW205", token.value_span, f"`maxConcurrency={token.value}` is not a positive integer; it is {applies} (and the scheduler ignores role concurrency)."))
    skills = role.tokens.get("skills")
    if skills is not None and role.skills:
        known = ctx.skills
        captured = [i for i in role.skills[1:] if i.text not in known]
        gap = _GAP.search(skills.value)
        if captured and gap is not None:
            first_bad = captured[0]
            keep = [i for i in role.skills if i.span.start < first_bad.span.start]
            prev_end = keep[-1].span.end if keep else skills.value_span.start
            ctx.add(diag("CREW205", first_bad.span, f"`skills=` swallowed the prose: it reads the skills {list_names([i.text for i in role.skills])}; `{first_bad.text}` was meant as text.",
                         fixes=[fix("Separate the text from the skills", edit(Span(role.line, prev_end, role.line, first_bad.span.start), " "), preferred=True)]))
            check_skills(ctx, [i for i in role.skills if i.span.start < first_bad.span.start])
        elif not role.skills_disabled:
            check_skills(ctx, role.skills)
    for key, span in role.leftover_keys:
        ctx.add(diag("CREW205", span, f"`{key}=` has no value, so pi-crew does not read it; it stays in the description."))
    for token in role.all_tokens:
        if token.key != "skills" and "=" in token.value:
            _check_swallowed(ctx, role, token)
    for token, cut in role.glued:
        ctx.add(diag("CREW205", cut.span, f"pi-crew deletes `{role.raw[cut.a:cut.b]}` before it reads the other keys, and the text on either side joins: `{token.key}` is `{token.value}`.",
                     fixes=[fix("Separate the `skills=` token with spaces", edit(Span(role.line, cut.span.start, role.line, cut.span.start), " "),
                                edit(Span(role.line, cut.span.end, role.line, cut.span.end), " "), preferred=True)],
                     data={"key": token.key, "value": token.value}))
    model = role.tokens.get("model")
    if model is not None and not model_ok(model.value):
        check_model(ctx, model.value, model.value_span, "role")
    thinking = role.tokens.get("thinking")
    if thinking is not None:
        check_thinking(ctx, thinking.value, thinking.value_span)
    for item in role.fallback_models:
        if not model_ok(item.text):
            check_model(ctx, item.text, item.span, "fallback")


def _check_swallowed(ctx: Ctx, role: Role, token: Token) -> None:
    """CREW205: a value that ran over another key (`model=gpt-5,agent=critic`), so that key is never read."""
    match = _SWALLOWED.search(token.value, 1)
    if match is None:
        return
    lost = match.group(1)
    if lost == "agent":
        applies = f"no agent is set, so the agent is the role name `{role.name}`" if "agent" not in role.tokens else f"the agent is `{role.agent}`"
    elif lost in role.tokens:
        applies = f"`{lost}` is `{role.tokens[lost].value}` (another token)"
    else:
        applies = f"no `{lost}` is set"
    span, fixes = token.value_span, None
    if not any(t is token for t, _ in role.glued):  # (a value joined over a deletion has no plain offsets)
        gap = _NON_WORD_TAIL.search(token.value, 0, match.start())
        start = token.va + (gap.start() if gap is not None else match.start())
        span = span_in_line(role.line, role.raw, token.va + match.start(), token.vb)
        fixes = [fix(f"Separate `{token.value[match.start():]}` from `{token.key}=`",
                     edit(span_in_line(role.line, role.raw, start, token.va + match.start()), " "), preferred=True)]
    ctx.add(diag("CREW205", span, f"`{token.key}=` swallowed `{token.value[match.start():]}`: pi-crew reads the {token.key} `{token.value}`, and {applies}.",
                 fixes=fixes, data={"key": lost, "in": token.key}))


def _check_workflow_link(ctx: Ctx, team: Team) -> None:
    snap, fm = ctx.snap, ctx.doc.frontmatter
    if fm.hidden_by is not None or fm.unclosed:
        return  # CREW101/CREW102 say every field defaults; the intended `defaultWorkflow` is in the broken block
    entry = fm.fields.get("defaultWorkflow") or fm.fields.get("workflow")
    if team.default_workflow is None:
        same = ctx.res.name if ctx.res.name in snap.workflows else None
        fixes = [fix(f"Add `defaultWorkflow: {same}`", edit(Span(fm.close_line, 0, fm.close_line, 0), f"defaultWorkflow: {same}{ctx.nl}"))] if same and fm.present else None
        ctx.add(diag("CREW206", ctx.name_span(), "No `defaultWorkflow`: this team runs the `default` workflow.", fixes=fixes))
    elif team.default_workflow not in snap.workflows:
        name = team.default_workflow
        close = suggest(name, snap.names("workflows"))
        span = entry.value_span if entry else ctx.name_span()
        fixes = [fix(f"Change to `{c}`", edit(span, c), preferred=i == 0) for i, c in enumerate(close)]
        if _IDENT.match(name):
            fixes.append(create_fix(f"Create workflow `{name}`", ctx.new_file_path("workflow", name), workflow_template(name, team)))
        ctx.add(diag("CREW202", span, f"Unknown workflow `{name}`{did_you_mean(close)}", fixes=fixes, data={"workflow": name, "suggestions": close}))
        return
    wf = snap.workflows.get(team.workflow)
    if wf is None or not team.roles or wf.scope == ctx.res.scope or (ctx.res.scope == "loose" and wf.scope == "project"):
        return  # CREW113 covers a team without roles; the workflow's own file reports its role mismatches (CREW301)
    roles = {r.name for r in team.roles}
    missing = sorted({s.role for s in wf.model.steps if s.role not in roles})  # type: ignore[union-attr]
    if missing:
        span = entry.value_span if entry else ctx.name_span()
        ctx.add(diag("CREW301", span, f"This team runs the {wf.scope} workflow `{wf.name}`, whose steps need the roles {list_names(missing)} that the team does not define (roles: {list_names(sorted(roles))}).",
                     data={"workflow": wf.name, "missingRoles": missing[:LISTED]}))
