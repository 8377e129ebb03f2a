"""Completion of frontmatter keys and values (every kind of markdown resource)."""

from __future__ import annotations

from crew_lsp.language.completion_context import BOOLS, KEY_CHARS, CompletionContext, csv_bounds, key_detail
from crew_lsp.language.info import field_markdown, models_seen, skill_choices
from crew_lsp.language.locate import CSV_KINDS, choice_escape
from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.fields import FIELDS_BY_KIND, FieldSpec
from crew_lsp.resources.text import Span


class FrontmatterCompletion(CompletionContext):
    def frontmatter(self) -> list[CompletionItem]:
        text, idx = self.text, self.idx
        colon = text.find(":")
        if colon < 0 or idx <= colon:
            a = len(text) - len(text.lstrip())
            if idx < a or not KEY_CHARS.fullmatch(text[a:idx]):
                return []
            b = KEY_CHARS.match(text, idx).end()  # type: ignore[union-attr]
            return self.frontmatter_keys(self.span(a, b), has_colon=colon >= 0)
        key = text[:colon].strip()
        spec = self.fields().get(key)
        if spec is None:
            return []
        return self.frontmatter_values(spec, colon + 1)

    def fields(self) -> dict[str, FieldSpec]:
        """The keys the workspace's pi-crew version reads for this kind (a key is offered only from then on)."""
        return self.snap.workspace.reading.fields(self.res.kind) if self.res.kind in FIELDS_BY_KIND else {}

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
        fields = self.fields()
        since = self.snap.workspace.reading.since
        present = {fields[k].alias_of or k if k in fields else k for k in self.present_keys()}
        items = []
        for i, spec in enumerate(fields.values()):
            if (spec.alias_of or spec.name) in present:
                continue
            insert, snippet = spec.name, False
            if not has_colon:
                insert, snippet = self.key_insert(spec)
            doc = field_markdown(spec, since.get((self.res.kind, spec.name), ""))
            items.append(CompletionItem(spec.name, "key", key_detail(spec), doc, insert, snippet, replace,
                                        f"{i + (50 if spec.alias_of else 0):02d}"))
        return items

    def key_insert(self, spec: FieldSpec) -> tuple[str, bool]:
        values = BOOLS if spec.kind == "bool" else spec.values if spec.kind in ("enum", "anycase", "thinking") else ()
        if self.snippets and values:
            return f"{spec.name}: ${{1|{','.join(choice_escape(v) for v in values)}|}}", True
        return f"{spec.name}: ", False

    def frontmatter_values(self, spec: FieldSpec, value_start: int) -> list[CompletionItem]:
        text = self.text
        while value_start < len(text) and text[value_start] in " \t" and value_start < self.idx:
            value_start += 1
        if spec.kind in CSV_KINDS:
            a, b, others = csv_bounds(text, value_start, self.idx)
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
            for v in BOOLS:
                add(v)
        elif spec.kind == "tools":
            for v in snap.workspace.reading.tools:
                add(v, detail=spec.name)
        elif spec.kind in ("enum", "anycase", "thinking"):
            for v in spec.values:
                add(v, detail=spec.name)
        elif spec.kind == "skills":
            for name, detail, markdown in skill_choices(snap):
                add(name, "skill", detail, markdown)
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
