"""What the client declared it supports, read once from `initialize` (the `ClientProfile`)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as T
from pygls.capabilities import get_capability


class ClientProfile:
    """Every client capability the server consults, as plain attributes.

    Decided once at initialize: which features are offered (see `capabilities.advertised`), how results
    are shaped (markdown, snippets, hierarchical symbols), what a diagnostic carries and how a
    WorkspaceEdit is written.
    """

    def __init__(self, caps: T.ClientCapabilities | None = None):
        caps = caps or T.ClientCapabilities()

        def has(path: str, default: Any = False) -> Any:
            return get_capability(caps, path, default)

        def declared(path: str) -> bool:
            return has(path, None) is not None

        # results
        self.snippets = bool(has("text_document.completion.completion_item.snippet_support"))
        self.completion_markdown = T.MarkupKind.Markdown in (
            has("text_document.completion.completion_item.documentation_format", []) or [])
        self.hover_markdown = T.MarkupKind.Markdown in (
            has("text_document.hover.content_format", []) or [T.MarkupKind.Markdown])
        self.hierarchical_symbols = bool(has("text_document.document_symbol.hierarchical_document_symbol_support"))
        self.link_tooltip = bool(has("text_document.document_link.tooltip_support"))
        self.folding_limit = has("text_document.folding_range.range_limit", None)
        # features the client declared (the others are not advertised)
        self.pull = declared("text_document.diagnostic")
        self.code_lens = declared("text_document.code_lens")
        self.inlay_hints = declared("text_document.inlay_hint")
        self.semantic_tokens = declared("text_document.semantic_tokens")
        self.folding = declared("text_document.folding_range")
        self.document_links = declared("text_document.document_link")
        self.code_action_literals = declared("text_document.code_action.code_action_literal_support")
        self.prepare_rename = bool(has("text_document.rename.prepare_support"))
        self.workspace_folders = bool(has("workspace.workspace_folders"))
        # what the server may ask or send
        self.pull_refresh = bool(has("workspace.diagnostics.refresh_support"))
        self.watch_dynamic = bool(has("workspace.did_change_watched_files.dynamic_registration"))
        self.watch_relative = bool(has("workspace.did_change_watched_files.relative_pattern_support"))
        self.progress = bool(has("window.work_done_progress"))
        self.config_pull = bool(has("workspace.configuration"))
        self.show_message_request = declared("window.show_message")
        experimental = caps.experimental if isinstance(caps.experimental, dict) else {}
        self.crew_notifications = bool(experimental.get("crewNotifications"))
        # the client shows how a run ended itself (from the final crew/runUpdate): no window/showMessage then
        self.crew_run_end_messages = self.crew_notifications and bool(experimental.get("crewRunEndMessages"))
        # diagnostics (codeDescription and data are plain extra fields: clients that predate them ignore them)
        self.related_information = bool(has("text_document.publish_diagnostics.related_information"))
        self.unnecessary_tag = T.DiagnosticTag.Unnecessary in (
            has("text_document.publish_diagnostics.tag_support.value_set", []) or [])
        # workspace edits
        self.apply_edit = bool(has("workspace.apply_edit"))  # the server may send workspace/applyEdit
        self.document_changes = bool(has("workspace.workspace_edit.document_changes"))
        operations = has("workspace.workspace_edit.resource_operations", []) or []
        self.can_create = T.ResourceOperationKind.Create in operations
        self.apply_edit = bool(has("workspace.apply_edit"))  # workspace/applyEdit requests
        self.change_annotations = declared("workspace.workspace_edit.change_annotation_support")  # edits it can preview
