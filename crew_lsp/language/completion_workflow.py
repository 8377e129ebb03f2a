"""Completion in a workflow's body: step metadata keys and values, `{goal}`, new-step snippets."""

from __future__ import annotations

import re

from crew_lsp.language.completion_context import BOOLS, KEY_CHARS, CompletionContext, csv_bounds, key_detail
from crew_lsp.language.info import field_markdown, first_task_line, models_seen, role_markdown, role_pool, skill_choices
from crew_lsp.language.locate import choice_escape, meta_at_line, snippet_escape, step_at_line
from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.text import Span
from crew_lsp.resources.workflow import Step, Workflow

_PLACEHOLDER_START = re.compile(r"\{([A-Za-z_]*)\Z")
_PLACEHOLDER_REST = re.compile(r"[A-Za-z_]*\}?")


class WorkflowBodyCompletion(CompletionContext):
    def workflow_body(self) -> list[CompletionItem]:
        text, idx, prefix = self.text, self.idx, self.prefix
        if text.startswith("##"):
            return []
        wf: Workflow = self.res.model  # type: ignore[assignment]
        step = step_at_line(wf, self.line)
        zone = step is not None and self.line > step.id_line and self.meta_zone(step)
        out: list[CompletionItem] = []
        colon = text.find(":")
        if zone and (colon < 0 or idx <= colon) and KEY_CHARS.fullmatch(prefix):
            b = KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            out += self.step_keys(step, self.span(0, b), has_colon=colon >= 0)  # type: ignore[arg-type]
        elif zone and colon > 0 and idx > colon and KEY_CHARS.fullmatch(text[:colon]):
            out += self.step_values(wf, step, text[:colon], colon + 1)  # type: ignore[arg-type]
        m = _PLACEHOLDER_START.search(prefix)
        if m is not None:
            a = m.start()
            b = _PLACEHOLDER_REST.match(text, idx).end()  # type: ignore[union-attr]
            out.append(CompletionItem("{goal}", "placeholder", "the run's goal", "Replaced by the goal the run was started with (the only placeholder).",
                                      "{goal}", False, self.span(a, b)))
        if re.fullmatch(r"#{0,2}", prefix) and (prefix or not zone):
            out.append(self.step_snippet(wf, step))
        return out

    def meta_zone(self, step: Step) -> bool:
        """Whether the cursor's line can still belong to the step's metadata block."""
        seen = False
        lines = self.doc.lines
        for i in range(step.id_line + 1, self.line):
            if not lines[i].strip():
                if seen:
                    return False
                continue
            if meta_at_line(step, i) is None:
                return False
            seen = True
        return True

    def step_keys(self, step: Step, replace: Span, has_colon: bool) -> list[CompletionItem]:
        present = {m.key for m in step.meta_entries if m.line != self.line}
        items = []
        reading = self.snap.workspace.reading
        for i, spec in enumerate(reading.step_fields.values()):
            if spec.name in present:
                continue
            if has_colon:
                insert, snippet = spec.name, False
            elif self.snippets and spec.kind == "bool":
                insert, snippet = f"{spec.name}: ${{1|true,false|}}", True
            else:
                insert, snippet = f"{spec.name}: ", False
            doc = field_markdown(spec, reading.since.get(("step", spec.name), ""))
            items.append(CompletionItem(spec.name, "key", key_detail(spec), doc, insert, snippet, replace, f"{i:02d}"))
        return items

    def step_values(self, wf: Workflow, step: Step, key: str, value_start: int) -> list[CompletionItem]:
        text = self.text
        while value_start < self.idx and text[value_start] in " \t":
            value_start += 1
        csv = key in ("dependsOn", "reads", "skills")
        if csv:
            a, b, others = csv_bounds(text, value_start, self.idx)
        else:
            a, b, others = value_start, len(text.rstrip()), []
        b = max(a, b)
        replace = self.span(a, b)
        lead = self.lead(a)
        out: list[CompletionItem] = []

        def add(label: str, kind: str = "value", detail: str = "", doc: str = "") -> None:
            if label not in others:
                out.append(CompletionItem(label, kind, detail, doc, lead + label, False, replace, f"{len(out):03d}"))

        snap = self.snap
        if key == "role":
            for name, owners in role_pool(snap, self.res.name).items():
                team, role = owners[0]
                detail = ", ".join(f"{t.name}: agent={r.agent}" for t, r in owners[:3])
                add(name, "role", detail, role_markdown(team, role, snap))
        elif key == "dependsOn":
            for other in wf.steps:
                if other.id != step.id:
                    add(other.id, "step", other.task_id, first_task_line(other))
        elif key == "reads":
            for other in wf.steps:
                out_file = other.output
                if other.id != step.id and out_file:
                    add(out_file, "value", f"output of step {other.id}")
            add("false", detail="no shared files")
        elif key == "skills":
            for name, detail, markdown in skill_choices(snap):
                add(name, "skill", detail, markdown)
            add("false", detail="no skills")
        elif key == "output":
            add(f"{step.task_id}.md", detail="the default")
            add("false", detail="no shared output")
        elif key == "model":
            for m in models_seen(snap):
                add(m, "model", "seen in the workspace")
        elif key in ("progress", "worktree", "verify"):
            for v in BOOLS:
                add(v)
        elif key == "parallelGroup":
            for g in dict.fromkeys(s.meta["parallelGroup"].value for s in wf.steps if "parallelGroup" in s.meta and s is not step):
                add(g, detail="used by other steps")
        return out

    def step_snippet(self, wf: Workflow, step: Step | None) -> CompletionItem:
        replace = self.span(0, self.idx)
        prev = step
        if prev is None:
            before = [s for s in wf.steps if s.heading_line < self.line]
            prev = before[-1] if before else None
        roles = list(role_pool(self.snap, self.res.name))
        if self.snippets:
            role = f"${{2|{','.join(choice_escape(r) for r in roles)}|}}" if roles else "${2:role}"
            deps = f"dependsOn: ${{3:{snippet_escape(prev.id)}}}\n" if prev is not None else ""
            text = f"## ${{1:step-id}}\nrole: {role}\n{deps}\n${{0:Describe the task for {{goal\\}}.}}"
        else:
            deps = f"dependsOn: {prev.id}\n" if prev is not None else ""
            text = f"## step-id\nrole: {roles[0] if roles else 'role'}\n{deps}\nDescribe the task for {{goal}}."
        return CompletionItem("## step", "snippet", "new step", "A step: heading, metadata block, blank line, task text.", text, self.snippets, replace, "zz")
