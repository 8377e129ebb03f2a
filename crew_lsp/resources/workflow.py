"""Workflows (formats §5): `##` headings become steps, each with a metadata block and task text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crew_lsp.resources.frontmatter import Document, Item, leading_int, parse_bool, split_csv
from crew_lsp.resources.text import JS_SPACE, Span, js_trim, span_in_line

STEP_KEYS = frozenset(
    ("role", "dependsOn", "parallelGroup", "output", "reads", "model", "skills", "progress", "worktree", "verify", "task")
)
# pi-crew tests each metadata line with /^([A-Za-z0-9_-]+):\s*(.*)$/. JavaScript's `.` does not match
# \r, \u2028 or \u2029 while its `\s` does, so a CRLF line that was not normalised matches only when its
# value is empty (`role:\r`): the \r is then eaten by `\s*`.
_META = re.compile(r"([A-Za-z0-9_-]+):[" + re.escape(JS_SPACE) + r"]*([^\r\n\u2028\u2029]*)\Z")
_STEP_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_SLUG_RUN = re.compile(r"[^a-z0-9-]+")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")


@dataclass(slots=True)
class Meta:
    key: str
    value: str
    line: int
    key_span: Span
    value_span: Span
    raw: str
    value_index: int


@dataclass(slots=True)
class Step:
    id: str
    index: int  # 0-based position among the steps
    heading_line: int  # the `##` line
    id_line: int  # the line holding the id text (differs for a bare `##`)
    id_span: Span
    heading_span: Span
    explicit: bool
    bare: bool  # `##` alone with the id on the next line
    in_fence: bool
    end_line: int  # exclusive
    meta: dict[str, Meta] = field(default_factory=dict)  # the winning entry per key
    meta_entries: list[Meta] = field(default_factory=list)
    task_text: str = ""
    task_start_line: int | None = None
    deps: list[Item] = field(default_factory=list)  # `dependsOn` items, split once
    tid: str = field(init=False)  # the task id, computed once (the checks look it up per dependency)

    def __post_init__(self) -> None:
        self.tid = task_id(self.index, self.id)

    @property
    def role(self) -> str:
        entry = self.meta.get("role")
        return entry.value if entry is not None and entry.value else self.id

    @property
    def task_id(self) -> str:
        return self.tid

    @property
    def depends_on(self) -> list[Item]:
        return self.deps

    def csv(self, key: str) -> list[Item] | None:
        """A CSV key's items; None when absent, [] when `false`."""
        entry = self.meta.get(key)
        if entry is None:
            return None
        if entry.value == "false":
            return []
        return split_csv(entry.value, entry.line, entry.raw, entry.value_index)

    @property
    def output(self) -> str | None:
        """The shared file this step writes; None for `output: false`."""
        entry = self.meta.get("output")
        if entry is None or not entry.value:
            return f"{self.task_id}.md"
        return None if entry.value == "false" else entry.value

    @property
    def task(self) -> str:
        if self.task_text:
            return self.task_text
        entry = self.meta.get("task")
        return entry.value if entry is not None and entry.value else "{goal}"

    def flag(self, key: str) -> bool | None:
        entry = self.meta.get(key)
        return parse_bool(entry.value) if entry else None


@dataclass(slots=True)
class Heading:
    line: int
    id_line: int
    text: str
    id_span: Span
    heading_span: Span
    bare: bool
    in_fence: bool


@dataclass(slots=True)
class Workflow:
    max_concurrency: int | None
    steps: list[Step]
    headings: list[Heading]
    folded: list[Heading]  # headings that are not steps (their text joins the previous step)

    def step(self, step_id: str) -> Step | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None


def task_id(index: int, step_id: str) -> str:
    slug = _SLUG_RUN.sub("-", step_id.lower()).strip("-") or "task"
    return f"{index + 1:02d}_{slug}"


def _headings(doc: Document) -> list[Heading]:
    headings: list[Heading] = []
    in_fence = False
    lines = doc.lines
    i = doc.frontmatter.body_start
    n = len(lines)
    while i < n:
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        if line.startswith("##") and (len(line) == 2 or line[2] in JS_SPACE):  # JavaScript's `^##\s+(.+)$`
            text = js_trim(line[2:])
            if text:
                start = line.index(text, 2)
                headings.append(Heading(i, i, text, span_in_line(i, line, start, start + len(text)), span_in_line(i, line, 0, start + len(text)), False, in_fence))
                i += 1
                continue
            # `\s+` may run over the newline: the next non-blank line becomes the heading text.
            j = i + 1
            while j < n and not js_trim(lines[j]):
                j += 1
            if j < n:
                nxt = lines[j]
                text = js_trim(nxt)
                start = nxt.index(text)
                headings.append(Heading(i, j, text, span_in_line(j, nxt, start, start + len(text)), Span(i, 0, i, 2), True, in_fence))
                i = j + 1
                continue
        i += 1
    return headings


def _first_content_line(lines: list[str], start: int, end: int) -> int | None:
    for i in range(start, end):
        if lines[i].strip():
            return i
    return None


def parse_workflow(doc: Document) -> Workflow:
    fm = doc.frontmatter
    # pi-crew normalises CRLF only when there is frontmatter; otherwise the \r stays in each line.
    raw_lines = doc.lines if fm.present or not doc.crlf else doc.text.split("\n")
    lines = doc.lines
    headings = _headings(doc)
    bounds = [h.id_line + 1 for h in headings] + [len(lines)]
    explicit: list[bool] = []
    for k, h in enumerate(headings):
        end = headings[k + 1].line if k + 1 < len(headings) else len(lines)
        first = _first_content_line(lines, bounds[k], end)
        match = _META.match(raw_lines[first]) if first is not None else None
        explicit.append(bool(match and match.group(1) in STEP_KEYS))
    any_explicit = any(explicit)
    steps_h: list[tuple[Heading, bool]] = []
    folded: list[Heading] = []
    for h, is_explicit in zip(headings, explicit):
        if not any_explicit or is_explicit or _STEP_ID.match(h.text):
            steps_h.append((h, is_explicit))
        elif steps_h:
            folded.append(h)
    steps: list[Step] = []
    for k, (h, is_explicit) in enumerate(steps_h):
        end = steps_h[k + 1][0].line if k + 1 < len(steps_h) else len(lines)
        step = Step(
            id=h.text, index=k, heading_line=h.line, id_line=h.id_line, id_span=h.id_span,
            heading_span=h.heading_span, explicit=is_explicit, bare=h.bare, in_fence=h.in_fence, end_line=end,
        )
        i = h.id_line + 1
        while i < end and not lines[i].strip():
            i += 1
        while i < end:
            raw = raw_lines[i]
            if not raw.strip():
                i += 1
                break
            match = _META.match(raw)
            if match is None:
                break
            key, value = match.group(1), js_trim(match.group(2))
            line = lines[i]
            v0 = min(match.start(2), len(line))  # past a \r eaten by `\s*` when the value is empty
            meta = Meta(key, value, i, span_in_line(i, line, 0, len(key)), span_in_line(i, line, v0, v0 + len(value)), line, v0)
            step.meta_entries.append(meta)
            step.meta[key] = meta
            i += 1
        while i < end and not lines[i].strip():
            i += 1
        if i < end:
            step.task_start_line = i
            step.task_text = "\n".join(lines[i:end]).strip()
        deps = step.meta.get("dependsOn")
        if deps is not None:
            step.deps = split_csv(deps.value, deps.line, deps.raw, deps.value_index)
        steps.append(step)
    mc = fm.get("maxConcurrency")
    n = leading_int(mc) if mc is not None else None
    return Workflow(max_concurrency=n if n is not None and n >= 1 else None, steps=steps, headings=headings, folded=folded)
