"""`crew-lsp check --format json` writes its array directly; the text is what `json.dumps(indent=2)` writes."""

from __future__ import annotations

import json

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.report import json_text, to_json
from crew_lsp.resources.text import Span

ODD_TEXTS = ["plain", 'a "quoted" \\ back\\slash', "tab\tnew\nline\r", "ünïcødé ✓ 𝄞", "lone \udc80 surrogate", "\x00\x1f", ""]


def _items(tmp_path) -> list[tuple[str, Diagnostic]]:
    items = []
    for i, text in enumerate(ODD_TEXTS):
        path = str(tmp_path / f"{text.replace('/', '_').replace(chr(0), '0')}-{i}.md")
        items.append((path, Diagnostic("CREW101", Severity(1 + i % 4), Span(i, i * 2, i + 3, 70_000), f"message {text}")))
    items.append(("/elsewhere/outside.md", Diagnostic("CREW201", Severity.ERROR, Span(0, 0, 0, 1), "outside the working folder")))
    return items


def test_json_text_is_byte_for_byte_what_json_dumps_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (paths under the working folder are shown relative to it)
    items = _items(tmp_path)
    assert json_text(items) == json.dumps(to_json(items), indent=2)


def test_no_diagnostics_is_an_empty_array():
    assert json_text([]) == json.dumps([], indent=2) == "[]"


def test_paths_below_the_working_folder_are_shown_relative_and_others_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    here = str(tmp_path)
    d = Diagnostic("CREW101", Severity.ERROR, Span(0, 0, 0, 1), "m")
    shown = [item["path"] for item in to_json([
        (f"{here}/.crew/agents/a.md", d),
        (f"{here}/.crew/./agents/b.md", d),  # (not normal: shown as `os.path.relpath` normalises it)
        (f"{here}/x/../.crew/c.md", d),
        ("/elsewhere/d.md", d),
    ])]
    assert shown == [".crew/agents/a.md", ".crew/agents/b.md", ".crew/c.md", "/elsewhere/d.md"]
