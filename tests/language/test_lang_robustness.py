"""Every feature answers at every position of the shipped files and of the broken example, without raising."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.checks import check_resource
from crew_lsp.language import actions, completion, formatting, hints, hover, lenses, navigation, rename, structure, symbols, tokens
from crew_lsp.language.types import RenameRefused
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.text import Span, utf16_len

ROOT = Path(__file__).resolve().parents[2]


def sweep(folder: Path) -> int:
    snap = Index.load(Workspace.discover(folder)).snapshot
    calls = 0
    for res in snap.resources.values():
        lines = res.doc.lines if res.doc is not None else res.text.split("\n")
        for line, text in enumerate(lines):
            width = utf16_len(text)
            for col in sorted({0, 1, width // 2, max(width - 1, 0), width} | set(range(0, width, 7))):
                completion.complete(res, snap, line, col, True)
                completion.complete(res, snap, line, col, False)
                hover.hover(res, snap, line, col)
                navigation.definition(res, snap, line, col)
                navigation.references(res, snap, line, col, True)
                try:
                    rename.prepare_rename(res, snap, line, col)
                    rename.rename(res, snap, line, col, "renamed-x")
                except RenameRefused:
                    pass
                calls += 1
        symbols.document_symbols(res)
        lenses.code_lenses(res, snap)
        hints.inlay_hints(res, snap, 0, len(lines))
        structure.folding_ranges(res)
        structure.document_links(res, snap)
        data = tokens.semantic_tokens(res)
        assert len(data) % 5 == 0 and all(v >= 0 for v in data)
        line = start = 0
        previous_end = (-1, 0)
        for i in range(0, len(data), 5):
            line += data[i]
            start = data[i + 1] if data[i] else start + data[i + 1]
            assert (line, start) >= previous_end and data[i + 2] > 0  # sorted, no overlap
            assert start + data[i + 2] <= utf16_len(lines[line])
            previous_end = (line, start + data[i + 2])
        formatting.format_document(res)
        diags = check_resource(res, snap)
        actions.code_actions(res, snap, diags, Span(0, 0, len(lines), 0), None)
        actions.fix_all(res, snap, diags)
    symbols.workspace_symbols(snap, "e")
    return calls


def test_builtins_sweep():
    assert sweep(ROOT) > 1000


def test_broken_example_sweep():
    assert sweep(ROOT / "examples" / "broken") > 100
