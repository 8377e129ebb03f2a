"""Completion: frontmatter keys and values, role-line metadata, step keys and values, placeholders, config JSON.

Works on the parsed resource plus the text of the cursor's line; a keystroke never re-parses the file.
"""

from __future__ import annotations

import json
import re

from crew_lsp.language.info import (
    ROLE_KEY_ORDER,
    ROLE_KEYS,
    agent_markdown,
    field_markdown,
    first_task_line,
    models_seen,
    role_markdown,
    role_pool,
    skill_markdown,
)
from crew_lsp.language.locate import (
    CSV_KINDS,
    choice_escape,
    in_frontmatter,
    meta_at_line,
    role_at_line,
    snippet_escape,
    step_at_line,
)
from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.fields import FIELDS_BY_KIND, STEP_FIELDS, TOOLS, FieldSpec
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import Span, index_of_col16, span_in_line, split_lines
from crew_lsp.resources.workflow import Step, Workflow

_KEY_CHARS = re.compile(r"[A-Za-z0-9_-]*")
_ROLE_VALUE = re.compile(r"\b(agent|maxConcurrency)\s*=\s*(\S*)\Z|\bmodel\s*=(\S*)\Z")
_ROLE_SKILLS = re.compile(r"\bskills\s*=\s*((?:[A-Za-z0-9_-]+\s*,\s*)*)([A-Za-z0-9_-]*)\Z")
_ROLE_WORD = re.compile(r"(?:(?<=\s)|(?<=:))([A-Za-z]*)\Z")
_PLACEHOLDER_START = re.compile(r"\{([A-Za-z_]*)\Z")
_ALPHA = re.compile(r"[A-Za-z]*")
_PLACEHOLDER_REST = re.compile(r"[A-Za-z_]*\}?")
_BOOLS = ("true", "false")


def complete(res: Resource, snap: Snapshot, line: int, character: int, snippets: bool = True) -> list[CompletionItem]:
    """Completion items at a position (0-based line, UTF-16 column)."""
    if res.kind == "config":
        return _config(res, snap, line, character, snippets)
    doc = res.doc
    if doc is None or not 0 <= line < len(doc.lines):
        return []
    text = doc.lines[line]
    idx = index_of_col16(text, character)
    ctx = _Ctx(res, snap, doc, line, text, idx, snippets)
    if in_frontmatter(res, line) or _typing_frontmatter(doc, line):
        return ctx.frontmatter()
    if line < doc.frontmatter.body_start:
        return []
    if res.kind == "team":
        return ctx.team_body()
    if res.kind == "workflow":
        return ctx.workflow_body()
    return []


def _typing_frontmatter(doc: Document, line: int) -> bool:
    """A block opened with `---` but not closed yet: the author is writing the frontmatter."""
    if not doc.frontmatter.unclosed or line < 1:
        return False
    for i in range(1, line + 1):
        s = doc.lines[i].strip()
        if s.startswith(("-", "##")) or (i < line and s and not s.startswith("#") and ":" not in s):
            return False
    return True


def _csv_bounds(text: str, value_start: int, idx: int) -> tuple[int, int, list[str]]:
    """The current CSV item around ``idx`` (Python indices, trimmed) and the other items' texts."""
    comma = text.rfind(",", value_start, idx)
    a = comma + 1 if comma >= 0 else value_start
    while a < idx and text[a] in " \t":
        a += 1
    nxt = text.find(",", idx)
    b = nxt if nxt >= 0 else len(text)
    while b > max(a, idx) and text[b - 1] in " \t":
        b -= 1
    others = [p.replace('"', "").strip() for p in (text[value_start:a].split(",") + (text[nxt + 1 :].split(",") if nxt >= 0 else []))]
    return a, b, [o for o in others if o]


class _Ctx:
    def __init__(self, res: Resource, snap: Snapshot, doc: Document, line: int, text: str, idx: int, snippets: bool):
        self.res, self.snap, self.doc = res, snap, doc
        self.line, self.text, self.idx, self.snippets = line, text, idx, snippets
        self.prefix = text[:idx]

    def span(self, a: int, b: int) -> Span:
        return span_in_line(self.line, self.text, a, b)

    def lead(self, a: int) -> str:
        """A space to put before an inserted value glued to `:` or `,`."""
        return " " if a > 0 and self.text[a - 1] in ":," else ""

    # ---------------------------------------------------------------------------- frontmatter

    def frontmatter(self) -> list[CompletionItem]:
        text, idx = self.text, self.idx
        colon = text.find(":")
        if colon < 0 or idx <= colon:
            a = len(text) - len(text.lstrip())
            if idx < a or not _KEY_CHARS.fullmatch(text[a:idx]):
                return []
            b = _KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            return self.frontmatter_keys(self.span(a, b), has_colon=colon >= 0)
        key = text[:colon].strip()
        spec = FIELDS_BY_KIND.get(self.res.kind, {}).get(key)
        if spec is None:
            return []
        return self.frontmatter_values(spec, colon + 1)

    def present_keys(self) -> set[str]:
        fm = self.doc.frontmatter
        if fm.present:
            return {e.key for e in fm.entries if e.line != self.line}
        keys = set()
        for i, raw in enumerate(self.doc.lines[1:], 1):
            if i != self.line and ":" in raw and not raw.strip().startswith("#"):
                keys.add(raw.split(":", 1)[0].strip())
        return keys

    def frontmatter_keys(self, replace: Span, has_colon: bool) -> list[CompletionItem]:
        fields = FIELDS_BY_KIND.get(self.res.kind, {})
        present = {fields[k].alias_of or k if k in fields else k for k in self.present_keys()}
        items = []
        for i, spec in enumerate(fields.values()):
            if (spec.alias_of or spec.name) in present:
                continue
            insert, snippet = spec.name, False
            if not has_colon:
                insert, snippet = self.key_insert(spec)
            items.append(CompletionItem(spec.name, "key", _key_detail(spec), field_markdown(spec), insert, snippet, replace,
                                        f"{i + (50 if spec.alias_of else 0):02d}"))
        return items

    def key_insert(self, spec: FieldSpec) -> tuple[str, bool]:
        values = _BOOLS if spec.kind == "bool" else spec.values if spec.kind in ("enum", "thinking") else ()
        if self.snippets and values:
            return f"{spec.name}: ${{1|{','.join(choice_escape(v) for v in values)}|}}", True
        return f"{spec.name}: ", False

    def frontmatter_values(self, spec: FieldSpec, value_start: int) -> list[CompletionItem]:
        text = self.text
        while value_start < len(text) and text[value_start] in " \t" and value_start < self.idx:
            value_start += 1
        if spec.kind in CSV_KINDS:
            a, b, others = _csv_bounds(text, value_start, self.idx)
        else:
            a, b, others = value_start, len(text.rstrip()), []
        replace = self.span(a, max(a, b))
        lead = self.lead(a)
        snap = self.snap
        out: list[CompletionItem] = []

        def add(label: str, kind: str = "value", detail: str = "", doc: str = "") -> None:
            if label not in others:
                out.append(CompletionItem(label, kind, detail, doc, lead + label, False, replace, f"{len(out):03d}"))

        key = spec.alias_of or spec.name
        if spec.kind == "bool":
            for v in _BOOLS:
                add(v)
        elif spec.kind in ("enum", "thinking", "tools"):
            for v in spec.values or (TOOLS if spec.kind == "tools" else ()):
                add(v, detail=spec.name)
        elif spec.kind == "skills":
            for name, skill in sorted(snap.skills.items()):
                add(name, "skill", skill.model.description or "", skill_markdown(skill))  # type: ignore[union-attr]
        elif spec.kind in ("model", "models"):
            for m in models_seen(snap):
                add(m, "model", "seen in the workspace")
        elif self.res.kind == "team" and key == "defaultWorkflow":
            for name, wf in sorted(snap.workflows.items()):
                add(name, "workflow", f"({wf.scope}) {wf.doc.frontmatter.get('description') or ''}".strip(), f"`{wf.path}`")  # type: ignore[union-attr]
        elif key == "name":
            add(self.res.file_name, detail="the folder name" if self.res.kind == "skill" else "the file name")
        if spec.false_ok:
            add("false", detail="explicitly none")
        return out

    # ------------------------------------------------------------------------------- teams

    def team_body(self) -> list[CompletionItem]:
        text, idx, prefix = self.text, self.idx, self.prefix
        stripped = prefix.lstrip()
        colon = text.find(":")
        if not stripped.startswith("-") or colon < 0 or idx <= colon:
            if colon < 0 and (stripped in ("", "-") or stripped.startswith("-")):
                return self.role_line_start()
            return []
        role = role_at_line(self.res.model, self.line)  # type: ignore[arg-type]
        m = _ROLE_SKILLS.search(prefix, colon)
        if m is not None:
            a = m.start(2)
            b = _KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            listed = {i.text for i in (role.skills or [])} if role else set()
            listed |= {s.strip() for s in m.group(1).split(",") if s.strip()}
            listed.discard(text[a:b])
            replace = self.span(a, b)
            items = [CompletionItem(n, "skill", s.model.description or "", skill_markdown(s), n, False, replace)  # type: ignore[union-attr]
                     for n, s in sorted(self.snap.skills.items()) if n not in listed]
            if not m.group(1):
                items.append(CompletionItem("false", "value", "no role-default skills", ROLE_KEYS["skills"], "false", False, replace))
            return items
        m = _ROLE_VALUE.search(prefix, colon)
        if m is not None:
            key = m.group(1) or "model"
            a = m.start(2) if m.group(1) else m.start(3)
            b = a
            while b < len(text) and not text[b].isspace():
                b += 1
            b = max(b, idx)
            replace = self.span(a, b)
            if key == "agent":
                agents = sorted(self.snap.agents.values(), key=lambda r: r.name)
                return [CompletionItem(r.name, "agent", f"({r.scope}) {r.model.description}", agent_markdown(r), r.name, False, replace)  # type: ignore[union-attr]
                        for r in agents]
            if key == "model":
                return [CompletionItem(mdl, "model", "seen in the workspace", "", mdl, False, replace) for mdl in models_seen(self.snap)]
            return []
        m = _ROLE_WORD.search(prefix, colon + 1)
        if m is None:
            return []
        a = m.start(1)
        b = _ALPHA.match(text, idx).end()  # type: ignore[union-attr]
        if b < len(text) and text[b] == "=":
            return []
        have = set(role.tokens) if role else set()
        replace = self.span(a, b)
        return [CompletionItem(f"{k}=", "key", "role metadata", ROLE_KEYS[k], f"{k}=", False, replace, f"{i}")
                for i, k in enumerate(ROLE_KEY_ORDER) if k not in have]

    def role_line_start(self) -> list[CompletionItem]:
        text, idx = self.text, self.idx
        a = len(text) - len(text.lstrip())
        replace = self.span(a, idx)
        agents = sorted(self.snap.agents.values(), key=lambda r: r.name)
        names = [r.name for r in agents] or ["agent"]
        if self.snippets:
            snippet = f"- ${{1:role}}: agent=${{2|{','.join(choice_escape(n) for n in names)}|}} ${{0:description}}"
            items = [CompletionItem("- role: agent=…", "snippet", "new role line", "A role line: `- <role>: agent=<agent> text`.", snippet, True, replace, "0")]
        else:
            items = [CompletionItem("- role: agent=…", "snippet", "new role line", "A role line: `- <role>: agent=<agent> text`.", "- role: agent=", False, replace, "0")]
        present = {r.name for r in self.res.model.roles if r.line != self.line}  # type: ignore[union-attr]
        for r in agents:
            if r.name in present:
                continue
            insert = f"- {r.name}: agent={r.name} "
            items.append(CompletionItem(r.name, "role", f"role played by agent {r.name} ({r.scope})", agent_markdown(r), insert, False, replace,
                                        f"1{r.name}"))
        return items

    # --------------------------------------------------------------------------- workflows

    def workflow_body(self) -> list[CompletionItem]:
        text, idx, prefix = self.text, self.idx, self.prefix
        if text.startswith("##"):
            return []
        wf: Workflow = self.res.model  # type: ignore[assignment]
        step = step_at_line(wf, self.line)
        zone = step is not None and self.line > step.id_line and self.meta_zone(step)
        out: list[CompletionItem] = []
        colon = text.find(":")
        if zone and (colon < 0 or idx <= colon) and _KEY_CHARS.fullmatch(prefix):
            b = _KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            out += self.step_keys(step, self.span(0, b), has_colon=colon >= 0)  # type: ignore[arg-type]
        elif zone and colon > 0 and idx > colon and _KEY_CHARS.fullmatch(text[:colon]):
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
        for i, spec in enumerate(STEP_FIELDS.values()):
            if spec.name in present:
                continue
            if has_colon:
                insert, snippet = spec.name, False
            elif self.snippets and spec.kind == "bool":
                insert, snippet = f"{spec.name}: ${{1|true,false|}}", True
            else:
                insert, snippet = f"{spec.name}: ", False
            items.append(CompletionItem(spec.name, "key", _key_detail(spec), field_markdown(spec), insert, snippet, replace, f"{i:02d}"))
        return items

    def step_values(self, wf: Workflow, step: Step, key: str, value_start: int) -> list[CompletionItem]:
        text = self.text
        while value_start < self.idx and text[value_start] in " \t":
            value_start += 1
        csv = key in ("dependsOn", "reads", "skills")
        if csv:
            a, b, others = _csv_bounds(text, value_start, self.idx)
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
            for name, skill in sorted(snap.skills.items()):
                add(name, "skill", skill.model.description or "", skill_markdown(skill))  # type: ignore[union-attr]
            add("false", detail="no skills")
        elif key == "output":
            add(f"{step.task_id}.md", detail="the default")
            add("false", detail="no shared output")
        elif key == "model":
            for m in models_seen(snap):
                add(m, "model", "seen in the workspace")
        elif key in ("progress", "worktree", "verify"):
            for v in _BOOLS:
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


def _key_detail(spec: FieldSpec) -> str:
    if spec.alias_of:
        return f"alias of {spec.alias_of}"
    return spec.kind


# --------------------------------------------------------------------------------------- config


class _Frame:
    __slots__ = ("kind", "key", "expect", "keys")

    def __init__(self, kind: str):
        self.kind = kind  # "{" | "["
        self.key: str | None = None
        self.expect = "key"
        self.keys: set[str] = set()


def _json_context(text: str, offset: int) -> tuple[list[_Frame], int | None]:
    """The open containers at ``offset`` and, when the cursor is inside a string, its opening quote."""
    stack: list[_Frame] = []
    last: str | None = None
    i = 0
    while i < offset:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < offset and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= offset:
                return stack, i
            if stack and stack[-1].kind == "{" and stack[-1].expect == "key":
                last = text[i + 1 : j]
            i = j + 1
            continue
        if c in "{[":
            stack.append(_Frame(c))
        elif c in "}]":
            if stack:
                stack.pop()
        elif c == ":" and stack and stack[-1].kind == "{":
            stack[-1].key = last
            stack[-1].expect = "value"
            if last is not None:
                stack[-1].keys.add(last)
        elif c == "," and stack and stack[-1].kind == "{":
            stack[-1].expect = "key"
            stack[-1].key = None
        i += 1
    return stack, None


def _config(res: Resource, snap: Snapshot, line: int, character: int, snippets: bool) -> list[CompletionItem]:
    from crew_lsp.language import configinfo as ci

    lines = split_lines(res.text)
    if not 0 <= line < len(lines):
        return []
    text = lines[line]
    idx = index_of_col16(text, character)
    offset = sum(len(ln) + 1 for ln in lines[:line]) + idx
    flat = "\n".join(lines)
    stack, quote = _json_context(flat, offset)
    if not stack:
        return []
    top = stack[-1]
    path = tuple((f.key or "") if f.kind == "{" else "[]" for f in stack[:-1])
    line_start = offset - idx
    if quote is not None:
        a = quote - line_start
        b = idx
        while b < len(text) and text[b] not in '"\n':
            b += 1
        if b < len(text) and text[b] == '"':
            b += 1
    else:
        a = idx
        while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "-_."):
            a -= 1
        b = idx
        while b < len(text) and (text[b].isalnum() or text[b] in "-_."):
            b += 1
    a = max(a, 0)
    replace = span_in_line(line, text, a, b)
    if top.kind == "{" and top.expect == "key":
        ann = ci.annotation_at(path)
        model = ci.container_model(ann) if ann is not None else None
        present = set(top.keys) | _keys_after(flat, offset)
        has_colon = bool(re.match(r'[^"\n]*"?\s*:', text[idx:])) if quote is not None else bool(re.match(r"\s*:", text[b:]))
        if model is None:
            if path == ("agents", "overrides"):  # a map keyed by agent name
                return [CompletionItem(r.name, "agent", f"({r.scope}) {r.model.description}", agent_markdown(r),  # type: ignore[union-attr]
                                       json.dumps(r.name) if has_colon else json.dumps(r.name) + (": {$0}" if snippets else ": {}"),
                                       snippets and not has_colon, replace)
                        for r in sorted(snap.agents.values(), key=lambda r: r.name) if r.name not in present]
            return []
        items = []
        prefix = ".".join(k for k in path if k != "[]")
        for i, f in enumerate(ci.fields_of(model, prefix + "." if prefix else "")):
            if f.name in present:
                continue
            insert = json.dumps(f.name) if has_colon else json.dumps(f.name) + ": " + _json_skeleton(f.annotation, snippets)
            items.append(CompletionItem(f.name, "key", ci.describe(f.annotation), ci.markdown(path + (f.name,), f), insert,
                                        snippets and not has_colon, replace, f"{i:02d}"))
        return items
    value_path = path + ((top.key or "",) if top.kind == "{" else ("[]",))
    ann = ci.annotation_at(value_path)
    if ann is None:
        return []
    out = []
    for v in ci.literal_values(ann):
        label = json.dumps(v)
        out.append(CompletionItem(label, "value", ci.describe(ann), "", label, False, replace, f"{len(out):02d}"))
    return out


def _keys_after(text: str, offset: int) -> set[str]:
    """Keys of the current object written after the cursor (same nesting level)."""
    keys: set[str] = set()
    depth = 0
    i = offset
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if depth == 0 and text[j + 1 : j + 40].lstrip().startswith(":"):
                keys.add(text[i + 1 : j])
            i = j + 1
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return keys


def _json_skeleton(ann, snippets: bool) -> str:
    from crew_lsp.language import configinfo as ci

    values = ci.literal_values(ann)
    if ann is bool or (values and all(isinstance(v, bool) for v in values)):
        return "${1|true,false|}" if snippets else "false"
    if values:
        choices = ",".join(choice_escape(json.dumps(v)) for v in values)
        return f"${{1|{choices}|}}" if snippets else json.dumps(values[0])
    desc = ci.describe(ann)
    if desc.startswith(("object", "list")) or ci.container_model(ann) is not None:
        opener = "{" if not desc.startswith("list") else "["
        closer = "}" if opener == "{" else "]"
        return f"{opener}$0{closer}" if snippets else f"{opener}{closer}"
    if desc == "string" or desc == "URL":
        return '"$1"' if snippets else '""'
    return "$1" if snippets else ""
