"""Pure pieces of the server, in process: settings, change application, conversions."""

from __future__ import annotations

from lsprotocol import types as T

from crew_lsp.checks.codes import Severity, doc_url
from crew_lsp.checks.diagnostic import Diagnostic, Related
from crew_lsp.resources.text import Span
from crew_lsp.server.convert import Uris, diagnostic_dict, overlaps
from crew_lsp.server.profile import ClientProfile
from crew_lsp.server.raw_settings import merge, section
from crew_lsp.server.settings import Settings
from crew_lsp.server.sync import apply_changes


def change(a: int, b: int, c: int, d: int, text: str) -> T.TextDocumentContentChangePartial:
    return T.TextDocumentContentChangePartial(range=T.Range(T.Position(a, b), T.Position(c, d)), text=text)


def test_settings_defaults_and_both_shapes():
    s, warnings = Settings.from_raw(None)
    assert (s.diagnostics.delayMs, s.diagnostics.severity, s.roots, s.trustedWorkspace) == (200, {}, [], True)
    assert warnings == []
    nested, _ = Settings.from_raw({"crew": {"diagnostics": {"delayMs": 0, "severity": {"crew314": "Off", "CREW107": "info"}}}})
    flat, _ = Settings.from_raw({"diagnostics": {"delayMs": 0, "severity": {"crew314": "Off", "CREW107": "info"}}})
    assert nested == flat
    assert nested.severity_overrides() == {"CREW314": "off", "CREW107": "information"}


def test_bad_settings_fall_back_field_by_field():
    s, warnings = Settings.from_raw({"diagnostics": {"delayMs": -5, "severity": {"CREW201": "loud", "CREW202": "hint"}},
                                     "roots": ["a", 3], "worker": {"runtime": "docker"}, "trustedWorkspace": False})
    assert s.diagnostics.delayMs == 200
    assert s.diagnostics.severity == {"CREW202": "hint"}
    assert s.roots == ["a"]
    assert s.worker.runtime is None
    assert s.trustedWorkspace is False
    assert len(warnings) == 4 and all(w.startswith("setting crew.") for w in warnings)


def test_merge_keeps_initial_options_under_later_settings():
    base = section({"diagnostics": {"delayMs": 0}})
    assert merge(base, {"diagnostics": {"severity": {"X": "off"}}}) == {"diagnostics": {"delayMs": 0, "severity": {"X": "off"}}}
    assert base == {"diagnostics": {"delayMs": 0}}


def test_incremental_changes_use_utf16_columns_and_keep_crlf():
    text = "a🚀b\r\nsecond\r\nthird"
    # column 3 is after the rocket (2 UTF-16 units): insert before `b`
    assert apply_changes(text, [change(0, 3, 0, 3, "X")]) == "a🚀Xb\r\nsecond\r\nthird"
    # end of line 1 is before its `\r\n`
    assert apply_changes(text, [change(1, 6, 1, 6, "!")]) == "a🚀b\r\nsecond!\r\nthird"
    # a range across lines, then a whole-document change, in order
    assert apply_changes(text, [change(0, 4, 2, 0, "")]) == "a🚀bthird"
    whole = T.TextDocumentContentChangeWholeDocument(text="new")
    assert apply_changes(text, [whole, change(0, 3, 0, 3, "!")]) == "new!"
    # beyond the end is clamped; an inverted range is normalised
    assert apply_changes("ab", [change(9, 0, 9, 4, "c")]) == "abc"
    assert apply_changes("abcd", [change(0, 3, 0, 1, "")]) == "ad"


def test_diagnostic_dict_carries_links_data_and_related_information():
    d = Diagnostic("CREW106", Severity.WARNING, Span(3, 0, 3, 11), "dup", {"fixes": [{"title": "t", "edits": []}]},
                   [Related("/w/a.md", Span(2, 0, 2, 11), "first")])
    caps = T.ClientCapabilities(text_document=T.TextDocumentClientCapabilities(
        publish_diagnostics=T.PublishDiagnosticsClientCapabilities(related_information=True)))
    out = diagnostic_dict(d, ClientProfile(caps), Uris())
    assert out == {
        "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 11}},
        "severity": 2, "code": "CREW106", "source": "crew", "message": "dup",
        "codeDescription": {"href": doc_url("CREW106")},
        "data": {"fixes": [{"title": "t", "edits": []}]},
        "relatedInformation": [{"location": {"uri": "file:///w/a.md",
                                             "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 11}}},
                                "message": "first"}],
    }
    plain = diagnostic_dict(d, ClientProfile(None), Uris())
    assert "relatedInformation" not in plain


def test_uris_round_trip_and_remember_the_client_spelling(tmp_path):
    uris = Uris()
    path = tmp_path / "a b" / "x.team.md"
    uri = path.as_uri()
    assert uris.path(uri) == str(path.resolve())
    assert uris.uri(str(path.resolve())) == uri
    assert uris.path("untitled:Untitled-1") is None


def test_overlap_touching_counts():
    assert overlaps(Span(1, 2, 1, 5), Span(1, 5, 1, 5))
    assert not overlaps(Span(1, 2, 1, 5), Span(1, 6, 1, 6))
    assert overlaps(Span(0, 0, 9, 0), Span(3, 1, 3, 2))
