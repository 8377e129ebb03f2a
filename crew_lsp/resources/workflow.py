"""Workflows (docs/formats.md, Workflows): `##` headings become steps, each with a metadata block and task text."""

from __future__ import annotations

import re

from crew_lsp.resources.frontmatter import (Document, Item, TextCache, csv_texts, forget_lines, leading_int, parse_bool,
                                            split_csv)
from crew_lsp.resources.headings import Heading, find_headings, plain_breaks
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CHARS, JS_SPACE_CLASS, Span, js_trim, span_in_line
from crew_lsp.resources.versions import BASELINE, Reading

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
_META_CACHE = TextCache()
_SLUG_CLEAN = re.compile(r"[a-z0-9-]*\Z")  # nothing for _SLUG_RUN to replace


class Meta(Record):
    """One metadata line of a step (spans worked out on demand)."""

    __slots__ = ("key", "value", "line", "_raw", "value_index", "key_index")
    _fields = ("key", "value", "line", "key_span", "value_span", "raw", "value_index")

    def __init__(self, key: str, value: str, line: int, raw: str | None, value_index: int, key_index: int = 0):
        self.key = key
        self.value = value
        self.line = line
        self._raw = raw  # None: exactly `key: value` (most lines), rebuilt when asked rather than kept
        self.value_index = value_index
        self.key_index = key_index  # not 0 only on a section's first line (the section trim drops its indentation)

    @property
    def raw(self) -> str:
        """The document line."""
        raw = self._raw
        return f"{self.key}: {self.value}" if raw is None else raw

    @property
    def key_span(self) -> Span:
        k0 = self.key_index
        return span_in_line(self.line, self.raw, k0, k0 + len(self.key))

    @property
    def value_span(self) -> Span:
        v0 = self.value_index
        return span_in_line(self.line, self.raw, v0, v0 + len(self.value))


class Step(Record):
    __slots__ = ("id", "index", "heading_line", "id_line", "explicit", "bare", "in_fence", "end_line", "meta", "meta_entries",
                 "_task_text", "task_start_line", "task_start_col", "end_cut", "_deps", "heading", "_tid", "_doc")
    _fields = ("id", "index", "heading_line", "id_line", "id_span", "heading_span", "explicit", "bare", "in_fence",
               "end_line", "meta", "meta_entries", "task_text", "task_start_line", "deps", "tid")

    def __init__(self, heading: Heading, index: int, explicit: bool, end_line: int, meta: dict[str, Meta] | None = None,
                 meta_entries: list[Meta] | None = None, task_text: str | None = None, task_start_line: int | None = None,
                 deps: list[Item] | None = None, doc: Document | None = None):
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
        self.task_start_col = 0  # where the task starts on its line (not 0 after a heading ended by a lone `\r`)
        self.end_cut = 0  # not 0: the next heading starts at this index of line `end_line`, after a lone `\r`
        self._deps = deps  # `dependsOn` items, split on first use
        self._tid: str | None = None
        self._doc = doc  # for the task text: the document's lines are split again when asked (not kept)

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
            start, doc = self.task_start_line, self._doc
            if start is None or doc is None:
                text = ""
            else:
                lines = doc.lines
                text = "\n".join(lines[start : self.end_line])
                if self.end_cut:
                    text += "\n" + lines[self.end_line][: self.end_cut]
                text = js_trim(text[self.task_start_col :])
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
    def skills(self) -> list[str] | None:
        """The step's `skills:` as a run reads it: None when not set (absent, empty, only commas), [] for
        `false` (no role-default skills for this step), else the names."""
        entry = self.meta.get("skills")
        if entry is None:
            return None
        if entry.value == "false":
            return []
        return csv_texts(entry.value) or None

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


class Workflow(Record):
    __slots__ = ("max_concurrency", "steps", "headings", "folded")

    def __init__(self, max_concurrency: int | None, steps: list[Step], headings: list[Heading], folded: list[Heading] | tuple[()]):
        self.max_concurrency = max_concurrency
        self.steps = steps
        self.headings = headings
        self.folded = folded  # headings that are not steps (their text joins the previous step; usually the one empty tuple)

    def step(self, step_id: str) -> Step | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None


def task_id(index: int, step_id: str) -> str:
    low = step_id.lower()
    slug = (low if _SLUG_CLEAN.match(low) else _SLUG_RUN.sub("-", low)).strip("-") or "task"
    return f"{index + 1:02d}_{slug}"


def _section(pi_lines: list[str], sl: int, sc: int, el: int, ec: int) -> list[str]:
    """The lines of the text from (sl, sc) to (el, ec): a slice, its first line cut at ``sc``, and
    when ``ec`` is not 0 (the next heading follows a lone `\\r`), line ``el`` up to ``ec``."""
    section = pi_lines[sl:el]
    if ec:
        section.append(pi_lines[el][:ec])
    if sc and section:
        section[0] = section[0][sc:]
    return section


def parse_workflow(doc: Document, reading: Reading = BASELINE, scope: str = "project") -> Workflow:
    """The steps of a workflow as ``reading``'s version finds them (its step keys make a heading explicit)."""
    fm = doc.frontmatter
    headings = find_headings(doc, plain_breaks(doc.text))
    mc = fm.get("maxConcurrency")
    n = leading_int(mc) if mc is not None else None
    floor = reading.workflow_concurrency_floor
    max_concurrency = n if n is not None and (floor is None or n >= floor) else None
    step_keys = STEP_KEYS if reading is BASELINE else reading.step_keys
    if not headings:
        return Workflow(max_concurrency=max_concurrency, steps=[], headings=headings, folded=())
    lines = doc.lines
    # pi-crew normalises CRLF only when there is frontmatter; otherwise the \r stays in each line.
    pi_lines = lines if fm.present or not doc.crlf else doc.text.split("\n")
    n_lines = len(lines)
    cache_get = _META_CACHE.get
    # A heading is explicit when the first non-blank line of its section (up to the next heading), trimmed,
    # is `key: value` with a step key.
    explicit: list[bool] = []
    sections: list[list[str]] = []  # (the steps reuse them when no heading folds)
    ends: list[tuple[int, int]] = []  # where each section ends: (line, index in it)
    firsts: list[tuple | None] = []  # each section's first text line, read (see `_read_section`)
    last = len(headings) - 1
    for k, h in enumerate(headings):
        sec = h._section  # (`h.section`, without a property call per heading)
        if sec is None:
            sl, sc = h.id_line + 1, 0
        else:
            sl, sc = sec
        if k < last:
            nxt = headings[k + 1]
            el, ec = nxt.line, nxt.hashes
        else:
            el, ec = n_lines, 0
        section = _section(pi_lines, sl, sc, el, ec) if sc or ec else pi_lines[sl:el]
        sections.append(section)
        ends.append((el, ec))
        is_explicit = False
        first = None
        at = 0
        for raw in section:
            if raw:
                text = raw.strip(JS_SPACE)
                if text:
                    found = cache_get(text)
                    if found is None:
                        found = _read_meta_line(text)
                    is_explicit = found is not None and found[0] in step_keys
                    if raw[-1] not in JS_SPACE_CHARS:  # (then the step reads this very text: it takes this reading)
                        first = (at, raw, text, found)
                    break
            at += 1
        explicit.append(is_explicit)
        firsts.append(first)
    steps: list[Step] = []
    if True not in explicit or False not in explicit:  # no heading folds: a step per heading, on its own section
        for k, h in enumerate(headings):
            el, ec = ends[k]
            step = Step(h, k, explicit[k], el, doc=doc)
            step.end_cut = ec
            steps.append(step)
            _read_section(step, sections[k], lines, firsts[k])
        return Workflow(max_concurrency=max_concurrency, steps=steps, headings=headings, folded=())
    steps_h: list[tuple[Heading, bool, int]] = []
    folded: list[Heading] = []
    for n, (h, is_explicit) in enumerate(zip(headings, explicit)):
        if is_explicit or _STEP_ID.match(h.text):
            steps_h.append((h, is_explicit, n))
        elif steps_h:
            folded.append(h)
    last = len(steps_h) - 1
    for k, (h, is_explicit, n) in enumerate(steps_h):
        nxt = steps_h[k + 1] if k < last else None
        el, ec = (nxt[0].line, nxt[0].hashes) if nxt is not None else (n_lines, 0)
        step = Step(h, k, is_explicit, el, doc=doc)
        step.end_cut = ec
        steps.append(step)
        # the same section as for the explicit test, unless a folded heading joins it
        if (nxt[2] if nxt is not None else len(headings)) == n + 1:
            _read_section(step, sections[n], lines, firsts[n])
        else:
            _read_section(step, _section(pi_lines, *h.section, el, ec), lines)
    return Workflow(max_concurrency=max_concurrency, steps=steps, headings=headings, folded=folded or ())


_UNREAD = object()  # (a metadata line not looked up yet)


def _read_section(step: Step, section: list[str], lines: list[str], first: tuple | None = None) -> None:
    """The metadata block at the start of a step's section, then where its task starts. ``first``: the
    section's first text line as the explicit test read it (its index, the line, the text, its reading),
    when that text ends with no space.

    pi-crew trims the section as a whole: its first text line loses its indentation, its last one
    its trailing spaces (a `\\r` too).
    """
    sec = step.heading._section  # (`heading.section`, without a property call)
    sl, sc = (step.id_line + 1, 0) if sec is None else sec
    if first is None:
        for at, raw in enumerate(section):  # the first text line, without its indentation
            text = raw.lstrip(JS_SPACE)
            if text:
                break
        else:
            return
        found = _UNREAD
    else:
        at, raw, text, found = first
    off = len(raw) - len(text) + (sc if at == 0 else 0)  # where ``text`` starts in its document line
    i = sl + at  # its document line
    end = sl + len(section)
    metas = step.meta
    entries = step.meta_entries
    cache_get = _META_CACHE.get
    while True:
        if found is _UNREAD:
            if text[-1] in JS_SPACE_CHARS and _rest_blank(section, i - sl + 1):
                text = text.rstrip(JS_SPACE)
            found = cache_get(text)
            if found is None:
                found = _read_meta_line(text)
        if found is None:
            break  # a blank line ends the block, any other line starts the task
        key, value, v0, plain = found  # type: ignore[misc]
        found = _UNREAD
        line = lines[i]
        v0 += off
        if v0 > len(line):
            v0 = len(line)  # past a \r eaten by `\s*` when the value is empty
        metas[key] = meta = Meta(key, value, i, None if plain and not off and len(line) == len(text) else line, v0, off)
        entries.append(meta)
        i += 1
        if i == end:
            return
        text = section[i - sl]
        if not text:
            break  # a blank line ends the block (an empty one is told apart at once; one of spaces never matches)
        off = 0
    # the task: from the first non-blank line on
    while i < end:
        text = section[i - sl]
        stripped = text.lstrip(JS_SPACE)
        if stripped:
            step.task_start_line = i  # (the task text is joined from here on first use)
            step.task_start_col = sc + len(text) - len(stripped) if i == sl and sc else 0
            return
        i += 1


def _read_meta_line(text: str) -> tuple[str, str, int, bool] | None:
    """(key, value, index of the value, whether the line is exactly `key: value`) of a metadata line,
    remembered for the next file."""
    match = _META.match(text)
    if match is None:
        return None
    key, value = match.group(1, 2)
    if value and value[-1] in JS_SPACE_CHARS:
        value = value.rstrip(JS_SPACE)  # (the pattern already skipped the leading spaces)
    v0 = match.start(2)
    plain = match.start(1) == 0 and v0 == len(key) + 2 and text[v0 - 2 : v0] == ": " and len(text) == v0 + len(value)
    found = (key, value, v0, plain)
    _META_CACHE.keep(text, found)
    return found


def forget_line_cache() -> None:
    """Empty the caches of metadata and frontmatter lines read (they fill again as files are parsed)."""
    _META_CACHE.clear()
    forget_lines()


def _rest_blank(section: list[str], at: int) -> bool:
    for j in range(at, len(section)):
        if section[j].strip(JS_SPACE):
            return False
    return True
