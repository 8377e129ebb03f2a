"""Workflows (docs/formats.md, Workflows): `##` headings become steps, each with a metadata block and task text."""

from __future__ import annotations

import re

from crew_lsp.resources.frontmatter import Document, Item, csv_texts, leading_int, parse_bool, split_csv
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CLASS, Span, span_in_line

STEP_KEYS = frozenset(
    ("role", "dependsOn", "parallelGroup", "output", "reads", "model", "skills", "progress", "worktree", "verify", "task")
)
# pi-crew tests each metadata line with /^([A-Za-z0-9_-]+):\s*(.*)$/. JavaScript's `.` does not match
# \r, \u2028 or \u2029 while its `\s` does, so a CRLF line that was not normalised matches only when its
# value is empty (`role:\r`): the \r is then eaten by `\s*`.
_META = re.compile(r"([A-Za-z0-9_-]+):[" + JS_SPACE_CLASS + r"]*([^\r\n\u2028\u2029]*)\Z")
_STEP_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_SLUG_RUN = re.compile(r"[^a-z0-9-]+")
# `key: value` line text -> (key, value, value index): the same metadata lines recur across workflows.
_META_CACHE: dict[str, tuple[str, str, int]] = {}
_META_CACHE_MAX = 4096
_SLUG_CLEAN = re.compile(r"[a-z0-9-]*\Z")  # nothing for _SLUG_RUN to replace


class Meta(Record):
    """One metadata line of a step (spans worked out on demand)."""

    __slots__ = ("key", "value", "line", "raw", "value_index")
    _fields = ("key", "value", "line", "key_span", "value_span", "raw", "value_index")

    def __init__(self, key: str, value: str, line: int, raw: str, value_index: int):
        self.key = key
        self.value = value
        self.line = line
        self.raw = raw
        self.value_index = value_index

    @property
    def key_span(self) -> Span:
        return span_in_line(self.line, self.raw, 0, len(self.key))

    @property
    def value_span(self) -> Span:
        v0 = self.value_index
        return span_in_line(self.line, self.raw, v0, v0 + len(self.value))


class Step(Record):
    __slots__ = ("id", "index", "heading_line", "id_line", "explicit", "bare", "in_fence", "end_line", "meta", "meta_entries",
                 "_task_text", "task_start_line", "_deps", "heading", "_tid", "_lines")
    _fields = ("id", "index", "heading_line", "id_line", "id_span", "heading_span", "explicit", "bare", "in_fence",
               "end_line", "meta", "meta_entries", "task_text", "task_start_line", "deps", "tid")

    def __init__(self, heading: Heading, index: int, explicit: bool, end_line: int, meta: dict[str, Meta] | None = None,
                 meta_entries: list[Meta] | None = None, task_text: str | None = None, task_start_line: int | None = None,
                 deps: list[Item] | None = None, lines: list[str] | None = None):
        self.heading = heading
        self.id = heading.text
        self.index = index  # 0-based position among the steps
        self.heading_line = heading.line  # the `##` line
        self.id_line = heading.id_line  # the line holding the id text (differs for a bare `##`)
        self.explicit = explicit
        self.bare = heading.bare  # `##` alone with the id on the next line
        self.in_fence = heading.in_fence
        self.end_line = end_line  # exclusive
        self.meta = {} if meta is None else meta  # the winning entry per key
        self.meta_entries = [] if meta_entries is None else meta_entries
        self._task_text = task_text  # None: joined from the document's lines on first use
        self.task_start_line = task_start_line
        self._deps = deps  # `dependsOn` items, split on first use
        self._tid: str | None = None
        self._lines = lines

    @property
    def deps(self) -> list[Item]:
        """The `dependsOn` items (split once, on first use)."""
        deps = self._deps
        if deps is None:
            entry = self.meta.get("dependsOn")
            deps = self._deps = split_csv(entry.value, entry.line, entry.raw, entry.value_index) if entry is not None else []
        return deps

    @deps.setter
    def deps(self, value: list[Item]) -> None:
        self._deps = value

    @property
    def task_text(self) -> str:
        """The text after the metadata block, stripped ("" when there is none)."""
        text = self._task_text
        if text is None:
            start = self.task_start_line
            text = "\n".join(self._lines[start : self.end_line]).strip() if start is not None and self._lines is not None else ""
            self._task_text = text
        return text

    @task_text.setter
    def task_text(self, value: str) -> None:
        self._task_text = value

    @property
    def id_span(self) -> Span:
        return self.heading.id_span

    @property
    def heading_span(self) -> Span:
        return self.heading.heading_span

    @property
    def tid(self) -> str:
        """The task id, computed once (the checks look it up per dependency)."""
        tid = self._tid
        if tid is None:
            tid = self._tid = task_id(self.index, self.id)
        return tid

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

    @property
    def depends_on_texts(self) -> list[str]:
        """The `dependsOn` ids without their spans (what `depends_on` holds, as text)."""
        deps = self._deps
        if deps is not None:
            return [i.text for i in deps]
        entry = self.meta.get("dependsOn")
        return csv_texts(entry.value) if entry is not None else []

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


class Heading(Record):
    """A `##` heading (spans worked out on demand)."""

    __slots__ = ("line", "id_line", "text", "bare", "in_fence", "raw", "at")
    _fields = ("line", "id_line", "text", "id_span", "heading_span", "bare", "in_fence")

    def __init__(self, line: int, id_line: int, text: str, bare: bool, in_fence: bool, raw: str, at: int):
        self.line = line
        self.id_line = id_line
        self.text = text
        self.bare = bare
        self.in_fence = in_fence
        self.raw = raw  # the text of the line holding the id
        self.at = at  # Python index of the id in ``raw``

    @property
    def id_span(self) -> Span:
        return span_in_line(self.id_line, self.raw, self.at, self.at + len(self.text))

    @property
    def heading_span(self) -> Span:
        if self.bare:
            return Span(self.line, 0, self.line, 2)
        return span_in_line(self.line, self.raw, 0, self.at + len(self.text))


class Workflow(Record):
    __slots__ = ("max_concurrency", "steps", "headings", "folded")

    def __init__(self, max_concurrency: int | None, steps: list[Step], headings: list[Heading], folded: list[Heading]):
        self.max_concurrency = max_concurrency
        self.steps = steps
        self.headings = headings
        self.folded = folded  # headings that are not steps (their text joins the previous step)

    def step(self, step_id: str) -> Step | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None


def task_id(index: int, step_id: str) -> str:
    low = step_id.lower()
    slug = (low if _SLUG_CLEAN.match(low) else _SLUG_RUN.sub("-", low)).strip("-") or "task"
    return f"{index + 1:02d}_{slug}"


# Lines that may be a heading (`##…`) or a fence (what pi-crew's fence test matches), found from the
# line break before them: a pattern that starts with a literal is searched at C speed.
_CANDIDATE = re.compile(r"\n(?:##|[^\S\n]{0,3}(?:```|~~~))")
_HEADING_ONLY = re.compile(r"\n##")
_FIRST_LINE = re.compile(r"##|[^\S\n]{0,3}(?:```|~~~)")


def _headings(doc: Document) -> list[Heading]:
    """pi-crew's headings, from one scan of the body text for the lines that can matter."""
    headings: list[Heading] = []
    text = doc.text
    start = doc.body_offset
    if start >= len(text):
        return headings
    fences = "`" in text or "~" in text  # (one-character tests are memchr; "```" is a slow search)
    if not fences and "##" not in text:
        return headings
    lines = doc.lines
    n = len(lines)
    body_start = doc.frontmatter.body_start
    candidates: list[int] = []
    if start == 0 and _FIRST_LINE.match(text):
        candidates.append(0)
    count = text.count
    last = start  # a line start, and its line number
    line_no = body_start
    for m in (_CANDIDATE if fences else _HEADING_ONLY).finditer(text, start - 1 if start else 0):
        p = m.start() + 1
        line_no += count("\n", last, p)
        last = p
        candidates.append(line_no)
    in_fence = False
    skip_to = body_start  # lines before this were taken by a bare `##` (not looked at, as in pi-crew's loop)
    for i in candidates:
        if i < skip_to:
            continue
        line = lines[i]
        if line[:2] != "##":
            in_fence = not in_fence
            continue
        if len(line) == 2 or line[2] in JS_SPACE:  # JavaScript's `^##\s+(.+)$`
            label = line[2:].strip(JS_SPACE)
            if label:
                headings.append(Heading(i, i, label, False, in_fence, line, line.index(label, 2)))
                continue
            # `\s+` may run over the newline: the next non-blank line becomes the heading text.
            j = i + 1
            while j < n and not lines[j].strip(JS_SPACE):
                j += 1
            if j < n:
                nxt = lines[j]
                label = nxt.strip(JS_SPACE)
                headings.append(Heading(i, j, label, True, in_fence, nxt, nxt.index(label)))
                skip_to = j + 1
    return headings


def parse_workflow(doc: Document) -> Workflow:
    fm = doc.frontmatter
    headings = _headings(doc)
    mc = fm.get("maxConcurrency")
    n = leading_int(mc) if mc is not None else None
    max_concurrency = n if n is not None and n >= 1 else None
    if not headings:
        return Workflow(max_concurrency=max_concurrency, steps=[], headings=headings, folded=[])
    lines = doc.lines
    # pi-crew normalises CRLF only when there is frontmatter; otherwise the \r stays in each line.
    raw_lines = lines if fm.present or not doc.crlf else doc.text.split("\n")
    n_lines = len(lines)
    meta_match = _META.match
    cache_get = _META_CACHE.get
    # Per heading: its section's first non-blank line and that line's `key: value` match (if any).
    firsts: list[tuple[int, re.Match[str] | bool | None]] = []
    explicit: list[bool] = []
    last = len(headings) - 1
    for k, h in enumerate(headings):
        end = headings[k + 1].line if k < last else n_lines
        i = h.id_line + 1
        while i < end and not lines[i].strip():
            i += 1
        if i < end:
            raw = raw_lines[i]
            found = cache_get(raw)
            if found is not None:
                firsts.append((i, True))
                explicit.append(found[0] in STEP_KEYS)
                continue
            match = meta_match(raw)
        else:
            match = None
        firsts.append((i, match))
        explicit.append(match is not None and match.group(1) in STEP_KEYS)
    any_explicit = True in explicit
    steps_h: list[tuple[Heading, bool, int, re.Match[str] | bool | None]] = []
    folded: list[Heading] = []
    for h, is_explicit, (i, match) in zip(headings, explicit, firsts):
        if not any_explicit or is_explicit or _STEP_ID.match(h.text):
            steps_h.append((h, is_explicit, i, match))
        elif steps_h:
            folded.append(h)
    steps: list[Step] = []
    last = len(steps_h) - 1
    for k, (h, is_explicit, i, match) in enumerate(steps_h):
        end = steps_h[k + 1][0].line if k < last else n_lines
        step = Step(h, k, is_explicit, end, lines=lines)
        metas = step.meta
        entries = step.meta_entries
        # the metadata block: `key: value` lines up to a blank line or the first other line (which starts the task)
        while match is not None:
            line = lines[i]
            raw = raw_lines[i]
            found = cache_get(raw)
            if found is None:
                if match is True:  # (found in the cache earlier, cleared since)
                    match = meta_match(raw)
                    assert match is not None
                key, value = match.group(1, 2)
                if value and value[-1] in JS_SPACE:
                    value = value.rstrip(JS_SPACE)  # (the pattern already skipped the leading spaces)
                v0 = match.start(2)
                if v0 > len(line):
                    v0 = len(line)  # past a \r eaten by `\s*` when the value is empty
                found = (key, value, v0)
                if raw is line:  # (same text: the offsets hold for every line with this text)
                    if len(_META_CACHE) >= _META_CACHE_MAX:
                        _META_CACHE.clear()
                    _META_CACHE[raw] = found
            key, value, v0 = found
            meta = Meta(key, value, i, line, v0)
            entries.append(meta)
            metas[key] = meta
            i += 1
            if i < end:
                raw = raw_lines[i]
                match = True if raw in _META_CACHE else meta_match(raw)
            else:
                match = None
        while i < end and not lines[i].strip():
            i += 1
        if i < end:
            step.task_start_line = i  # (the task text is joined from here on first use)
        steps.append(step)
    return Workflow(max_concurrency=max_concurrency, steps=steps, headings=headings, folded=folded)
