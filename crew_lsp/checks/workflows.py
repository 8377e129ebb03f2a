"""Workflow rules: steps, their metadata, roles against the teams that run them, the graph (CREW301–CREW314)."""

from __future__ import annotations

import re

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import Related, diag, edit, fix
from crew_lsp.checks.frontmatter import check_bool
from crew_lsp.checks.graph import cycles, resolve
from crew_lsp.checks.references import check_model, check_skills, model_ok, skills_known
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.checks.templates import frontmatter_template
from crew_lsp.resources.frontmatter import csv_texts, split_csv
from crew_lsp.resources.names import LISTED, cycle_path, list_names
from crew_lsp.resources.text import Span, span_in_line
from crew_lsp.resources.workflow import Step, Workflow

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")
_OTHER_PLACEHOLDER = re.compile(r"\{(?!goal\})[A-Za-z_][A-Za-z0-9_-]*\}")  # any but `{goal}`


def accidental_step(ctx: Ctx, wf: Workflow, step: Step, roles: set[str]) -> str | None:
    if step.in_fence:
        return "inside a code fence (pi-crew does not respect fences)"
    if step.bare:
        return "from a bare `##` followed by a text line"
    if not step.explicit and not step.meta_entries and any(s.explicit for s in wf.steps) and step.id not in roles:
        return "from a lower-case heading in prose"
    return None


def check_workflow(ctx: Ctx) -> None:
    wf: Workflow = ctx.res.model  # type: ignore[assignment]
    snap, res, doc = ctx.snap, ctx.res, ctx.doc
    crlf_lost = not doc.frontmatter.present and doc.crlf and doc.frontmatter.hidden_by is None and not doc.frontmatter.unclosed
    if crlf_lost:
        read = [f"`{m.key}: {m.value}` (step `{step.id}`)" for step in wf.steps for m in step.meta_entries]
        if read:
            listed = ", ".join(read[:8]) + (f" and {len(read) - 8} more" if len(read) > 8 else "")
            what = (f"so a metadata line is read only where it ends its section (the section is trimmed, which drops that `\\r`): pi-crew reads "
                    f"{listed}; every other metadata line is task text, and a step without `role:` uses its id as role.")
        else:
            what = "so no metadata line (role, dependsOn, …) is read and every step uses its id as role."
        ctx.add(diag("CREW311", ctx.line_span(0), f"No frontmatter and CRLF line endings: pi-crew keeps the `\\r` on every line, {what}",
                     fixes=[fix("Add frontmatter (line endings become LF)", edit(ctx.whole_document(), frontmatter_template(res.file_name, "workflow") + "\n".join(doc.lines)), preferred=True)]))
    if not wf.steps:
        ctx.add(diag("CREW312", ctx.name_span(), "The workflow has no steps: add `## <step id>` headings."))
        return
    teams = snap.teams_running(res.name)
    union = snap.all_roles()
    role_pool: set[str] | frozenset[str] | None = None  # the roles the teams define (worked out for the first step that asks)
    if not teams and res.scope != "loose":
        ctx.add(diag("CREW314", ctx.name_span(), f"No team runs the workflow `{res.name}` (no `defaultWorkflow: {res.name}`).", data={"workflow": res.name}))
    accidental: set[int] = set()
    seen: dict[str, Step] = {}
    reading = ctx.reading
    step_fields = reading.step_fields
    stripped = reading.project_step_keys_stripped if res.scope == "project" else ()
    kinds = _value_kinds(step_fields, stripped)
    for step in wf.steps:
        # a step with metadata (or an explicit one) outside fences, under a `## id` heading, is no accident
        why = None
        if step.in_fence or step.bare or not (step.explicit or step.meta_entries):
            if role_pool is None:
                role_pool = {r.name for t in teams for r in t.model.roles} if teams else union  # type: ignore[union-attr]
            why = accidental_step(ctx, wf, step, role_pool)
        if why is not None:
            accidental.add(step.index)
            line = doc.lines[step.heading_line]
            ctx.add(diag("CREW306", step.heading_span, f"`{line.strip()}` becomes step `{step.id}` {why}; its text is cut from the previous step.",
                         fixes=[fix("Escape the heading (`\\##`)", edit(Span(step.heading_line, 0, step.heading_line, 0), "\\"), preferred=True)],
                         data={"step": step.id}))
        if step.id in seen:
            ctx.add(diag("CREW304", step.id_span, f"Step id `{step.id}` is used again (first on line {seen[step.id].heading_line + 1}); dependencies on it are ambiguous.",
                         related=[Related(res.path, seen[step.id].id_span, "first step with this id")]))
        else:
            seen[step.id] = step
        if not _meta_quiet(ctx, step, kinds):
            _check_meta(ctx, step, step_fields, stripped)
    if not crlf_lost:
        team_roles = [{r.name for r in t.model.roles} for t in teams]  # type: ignore[union-attr]
        told: dict = {}
        for step in wf.steps:
            if step.index not in accidental:
                _check_role(ctx, step, teams, union, team_roles, told)
    _check_dependencies(ctx, wf)
    _check_files(ctx, wf)
    _check_placeholders(ctx, wf)
    if res.name == "implementation" and wf.step("assess") is None:
        ctx.add(diag("CREW313", ctx.name_span(), "The `implementation` workflow needs an `assess` step: its output carries the adaptive plan the run expands."))


_FLAGS = frozenset(("progress", "worktree", "verify"))
_TRUE_FALSE = frozenset(("true", "false"))
# What `_meta_quiet` asks of a step key's value (a key absent from the table is unknown, or stripped)
_ANY, _FLAG, _SET, _MODEL, _SKILLS = range(5)  # (`_SET`: not empty)
_last_kinds: tuple[dict, tuple[str, ...], dict[str, int]] | None = None  # the table of the last step fields asked for


def _value_kinds(step_fields: dict, stripped: tuple[str, ...]) -> dict[str, int]:
    """The step keys a workflow may use, each with what its value is asked (built once per set of step fields)."""
    global _last_kinds
    last = _last_kinds  # (one read: the server checks in a worker thread)
    if last is not None and last[0] is step_fields and last[1] == stripped:
        return last[2]
    kinds = {}
    for key in step_fields:
        if key in stripped:
            continue
        if key in _FLAGS:
            kinds[key] = _FLAG
        elif key == "model":
            kinds[key] = _MODEL
        elif key == "skills":
            kinds[key] = _SKILLS
        else:
            kinds[key] = _SET if key == "output" or key == "role" else _ANY
    _last_kinds = (step_fields, stripped, kinds)
    return kinds


def _meta_quiet(ctx: Ctx, step: Step, kinds: dict[str, int]) -> bool:
    """True when `_check_meta` has nothing to say (decided in one pass, without spans or suggestions)."""
    for meta in step.meta_entries:
        kind = kinds.get(meta.key)
        if kind == _ANY:
            continue
        if kind is None:
            return False  # an unknown key, or one stripped from project workflows
        value = meta.value
        if kind == _SET:
            if not value:
                return False
        elif kind == _FLAG:
            if value not in _TRUE_FALSE:
                return False
        elif kind == _MODEL:
            if not model_ok(value):
                return False
        elif value != "false" and not skills_known(ctx, csv_texts(value)):
            return False
    return True


def _check_meta(ctx: Ctx, step: Step, step_fields: dict, stripped: tuple[str, ...]) -> None:
    for meta in step.meta_entries:
        if meta.key in stripped:
            ctx.add(diag("CREW330", meta.key_span, f"`{meta.key}` is dropped from project workflows (pi-crew strips every `preStep*` key there, with a warning): the script never runs.",
                         data={"key": meta.key}))
            continue
        if meta.key in step_fields:
            continue
        close = suggest(meta.key, step_fields)
        if close:
            ctx.add(diag("CREW305", meta.key_span, f"Unknown step key `{meta.key}` is stored but never used{did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(meta.key_span, c), preferred=j == 0) for j, c in enumerate(close)]))
        else:
            ctx.add(diag("CREW305", meta.key_span, f"`{meta.key}:` is read as step metadata, not task text: the line `{meta.raw.strip()}` is dropped from the prompt. A blank line ends the metadata block.",
                         fixes=[fix("Insert a blank line before this line", edit(Span(meta.line, 0, meta.line, 0), ctx.nl), preferred=True)]))
    for key in ("progress", "worktree", "verify"):
        meta = step.meta.get(key)
        if meta is not None:
            check_bool(ctx, meta, "unset")  # type: ignore[arg-type]
    output = step.meta.get("output")
    if output is not None and not output.value:
        ctx.add(diag("CREW307", output.key_span, f"`output:` is empty; the step writes `{step.task_id}.md`. Use `output: false` for no shared output.",
                     fixes=[fix("Use `false`", edit(output.value_span, "false"))]))
    role = step.meta.get("role")
    if role is not None and not role.value:
        ctx.add(diag("CREW307", role.key_span, f"`role:` is empty; the step id `{step.id}` is used as role."))
    model = step.meta.get("model")
    if model is not None and not model_ok(model.value):
        check_model(ctx, model.value, model.value_span, "step")
    skills = step.meta.get("skills")
    if skills is not None and skills.value != "false" and not skills_known(ctx, csv_texts(skills.value)):
        check_skills(ctx, step.csv("skills"))  # type: ignore[arg-type]


def _check_role(ctx: Ctx, step: Step, teams: list, union: set[str], team_roles: list[set[str]], told: dict) -> None:
    meta = step.meta.get("role")
    role = meta.value if meta is not None and meta.value else step.id  # (`step.role`)
    lacking: tuple[int, ...] = ()  # positions in `teams`
    if teams:
        for names in team_roles:
            if role not in names:
                break
        else:
            return  # every team defines it (the usual step: asked without building the tuple below)
        lacking = tuple(i for i, names in enumerate(team_roles) if role not in names)
        if not lacking:
            return
    elif not union or role in union:
        return
    # what the messages say of a set of lacking teams (their roles, sorted) is built once per check:
    # a team of 20,000 roles must not be listed and sorted again for each of 500 steps
    if lacking not in told:
        teams_lacking = [teams[i] for i in lacking]
        parts = [f"team `{t.name}` has roles {list_names([r.name for r in t.model.roles])}" for t in teams_lacking[:LISTED]]
        if len(teams_lacking) > LISTED:
            parts.append(f"{len(teams_lacking) - LISTED:,} more teams lack it too")
        roles = tuple(sorted({r.name for t in teams_lacking for r in t.model.roles} if teams else union))
        told[lacking] = (teams_lacking[:LISTED], "; ".join(parts), roles)
    shown, said, roles = told[lacking]
    close = suggest(role, roles)
    span = meta.value_span if meta is not None and meta.value else step.id_span
    implicit = "" if meta is not None and meta.value else " (no `role:`, so the step id is the role)"
    fixes = [fix(f"Change to `{c}`", edit(span, c), preferred=i == 0) for i, c in enumerate(close)] if meta is not None and meta.value else None
    if teams:
        ctx.add(diag("CREW301", span, f"Step `{step.id}` needs role `{role}`{implicit}, which {said}{did_you_mean(close)}",
                     fixes=fixes, data={"role": role, "teams": [t.name for t in shown], "roles": list(roles[:LISTED])},
                     related=[Related(t.path, t.doc.frontmatter.fields["name"].value_span if "name" in t.doc.frontmatter.fields else Span(0, 0, 0, 0), f"team `{t.name}`") for t in shown]))
    else:
        ctx.add(diag("CREW301", span, f"Step `{step.id}` needs role `{role}`{implicit}, which no team defines{did_you_mean(close)}",
                     severity=Severity.WARNING, data={"role": role, "teams": [], "roles": list(roles[:LISTED])}, fixes=fixes))


def _check_dependencies(ctx: Ctx, wf: Workflow) -> None:
    if not _dependencies_quiet(wf):
        _report_dependencies(ctx, wf)


def _dependencies_quiet(wf: Workflow) -> bool:
    """The usual case, on the ids alone: every dependency names a step before it (no unknown id, no
    cycle), or there is none. Each step is looked up by its id, which is where a dependency points
    unless it is written as a task id (`01_scan`, starting with digits): those go through `resolve`."""
    earlier: set[str] = set()  # the ids of the steps before this one
    for step in wf.steps:
        for text in step.depends_on_texts:
            if text[:1].isdigit():
                return _resolved_backward(wf)
            if text not in earlier:
                return False  # a later step, this one, or none
        earlier.add(step.id)
    return True


def _resolved_backward(wf: Workflow) -> bool:
    """Whether every dependency resolves (`resolve`) to a step before its own."""
    table = resolve(wf)
    for step in wf.steps:
        for text in step.depends_on_texts:
            target = table.get(text)
            if target is None or target.index >= step.index:
                return False
    return True


def _report_dependencies(ctx: Ctx, wf: Workflow) -> None:
    table = resolve(wf)
    backward = True  # every edge to an earlier step: the step order is a topological order, no cycle
    for step in wf.steps:
        for item in step.depends_on:
            target = table.get(item.text)
            if target is not None:
                if target.index >= step.index:
                    backward = False
                continue
            ids = [s.id for s in wf.steps]
            parts = item.text.split()
            if len(parts) > 1 and all(p in table for p in parts):
                joined = ", ".join(parts)
                ctx.add(diag("CREW302", item.span, f"`{item.text}` is one step id (ids may contain spaces) and no step has it — missing comma?",
                             fixes=[fix(f"Change to `{joined}`", edit(item.span, joined), preferred=True)], data={"dependency": item.text}))
                continue
            close = suggest(item.text, [i for i in ids if i != step.id])
            ctx.add(diag("CREW302", item.span, f"Step `{step.id}` depends on `{item.text}`, which is no step of this workflow{did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(item.span, c), preferred=i == 0) for i, c in enumerate(close)],
                         data={"dependency": item.text, "suggestions": close}))
    if backward:
        return
    reported: set[int] = set()
    for cycle in cycles(wf, table):
        ids = [s.id for s, _ in cycle]
        path = cycle_path(ids)
        for step, item in cycle:
            if step.index in reported:
                continue
            reported.add(step.index)
            ctx.add(diag("CREW303", item.span, f"Dependency cycle: {path}; none of these steps can start.", data={"cycle": ids[:LISTED], "length": len(ids)}))


_ROOTS = ("/", "\\")


def _unsafe_path(value: str) -> bool:
    """Absolute (`/x`, `\\x`, `C:x`) or with a `..` segment: the run refuses to leave its shared folder."""
    if value[:1] in _ROOTS or value[1:2] == ":":
        return True
    return ".." in value and ".." in value.replace("\\", "/").split("/")


def _outputs(wf: Workflow) -> set[str]:
    """What the steps write (`Step.output` of each)."""
    outputs = set()
    for step in wf.steps:
        entry = step.meta.get("output")
        if entry is None or not entry.value:
            outputs.add(f"{step.task_id}.md")
        elif entry.value != "false":
            outputs.add(entry.value)
    return outputs


def _check_files(ctx: Ctx, wf: Workflow) -> None:
    outputs: set[str] | None = None  # what the steps write, worked out for the first `reads`
    for step in wf.steps:
        meta = step.meta
        output = meta.get("output")
        if output is not None:
            value = output.value
            if value and value != "false" and _unsafe_path(value):
                ctx.add(diag("CREW308", output.value_span, f"`output: {value}` leaves the run's shared folder (absolute or `..`); the run fails."))
        reads = meta.get("reads")
        if reads is None or reads.value == "false":
            continue
        if outputs is None:
            outputs = _outputs(wf)
        for text in csv_texts(reads.value):
            if text not in outputs or _unsafe_path(text):
                break
        else:
            continue  # (the usual `reads`: files earlier steps write)
        for item in split_csv(reads.value, reads.line, reads.raw, reads.value_index):
            if _unsafe_path(item.text):
                ctx.add(diag("CREW308", item.span, f"`{item.text}` leaves the run's shared folder (absolute or `..`); the run fails."))
            elif item.text not in outputs:
                close = suggest(item.text, sorted(outputs))
                ctx.add(diag("CREW309", item.span, f"No step outputs `{item.text}`; the prompt will lack it{did_you_mean(close)}",
                             fixes=[fix(f"Change to `{c}`", edit(item.span, c), preferred=i == 0) for i, c in enumerate(close)]))


def _check_placeholders(ctx: Ctx, wf: Workflow) -> None:
    if _OTHER_PLACEHOLDER.search(ctx.res.text) is None:
        return  # only `{goal}` anywhere in the file
    lines = ctx.doc.lines
    for step in wf.steps:
        targets: list[int] = []
        if step.task_start_line is not None and _OTHER_PLACEHOLDER.search(step.task_text):
            targets.extend(range(step.task_start_line, step.end_line))  # (the task text is these lines, stripped)
        task = step.meta.get("task")
        if task is not None:
            targets.append(task.line)
        for n in targets:
            line = lines[n]
            if "{" not in line:
                continue
            for m in _PLACEHOLDER.finditer(line):
                word = m.group(1)
                if word == "goal":
                    continue
                span = span_in_line(n, line, m.start(), m.end())
                close = suggest(word, ["goal"])
                ctx.add(diag("CREW310", span, f"`{{{word}}}` is not a placeholder and stays verbatim in the prompt; the only placeholder is `{{goal}}`.",
                             fixes=[fix("Change to `{goal}`", edit(span, "{goal}"), preferred=True)] if close else None))
