"""What the client supports (`Flags`) and what the server advertises back (`build_capabilities`)."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pygls.capabilities import get_capability

if TYPE_CHECKING:
    from crew_lsp.server.app import CrewServer

LANGUAGE_MODULES = ("completion", "hover", "navigation", "rename", "symbols", "lenses", "hints", "structure", "tokens",
                    "actions", "formatting")


class Flags:
    """What the client declared it supports (decided once, at initialize)."""

    def __init__(self, caps: T.ClientCapabilities | None):
        caps = caps or T.ClientCapabilities()

        def has(path: str, default: Any = False) -> Any:
            return get_capability(caps, path, default)

        self.snippets = bool(has("text_document.completion.completion_item.snippet_support"))
        self.completion_markdown = T.MarkupKind.Markdown in (has("text_document.completion.completion_item.documentation_format", []) or [])
        self.hover_markdown = T.MarkupKind.Markdown in (has("text_document.hover.content_format", []) or [T.MarkupKind.Markdown])
        self.pull = has("text_document.diagnostic", None) is not None
        self.pull_refresh = bool(has("workspace.diagnostics.refresh_support"))
        self.watch_dynamic = bool(has("workspace.did_change_watched_files.dynamic_registration"))
        self.watch_relative = bool(has("workspace.did_change_watched_files.relative_pattern_support"))
        self.progress = bool(has("window.work_done_progress"))
        self.config_pull = bool(has("workspace.configuration"))
        self.workspace_folders = bool(has("workspace.workspace_folders"))
        self.hierarchical_symbols = bool(has("text_document.document_symbol.hierarchical_document_symbol_support"))
        self.link_tooltip = bool(has("text_document.document_link.tooltip_support"))
        self.code_lens = has("text_document.code_lens", None) is not None
        self.inlay_hints = has("text_document.inlay_hint", None) is not None
        self.semantic_tokens = has("text_document.semantic_tokens", None) is not None
        self.folding = has("text_document.folding_range", None) is not None
        self.document_links = has("text_document.document_link", None) is not None
        self.code_action_literals = has("text_document.code_action.code_action_literal_support", None) is not None
        self.prepare_rename = bool(has("text_document.rename.prepare_support"))
        self.folding_limit = has("text_document.folding_range.range_limit", None)
        experimental = caps.experimental if isinstance(caps.experimental, dict) else {}
        self.crew_notifications = bool(experimental.get("crewNotifications"))


def available_language_modules() -> set[str]:
    found = set()
    for name in LANGUAGE_MODULES:
        try:
            if importlib.util.find_spec(f"crew_lsp.language.{name}") is not None:
                found.add(name)
        except (ImportError, ValueError):
            pass
    return found


def build_capabilities(ls: CrewServer) -> T.ServerCapabilities:
    from crew_lsp.server import commands, features

    flags = ls.flags
    caps = T.ServerCapabilities(
        position_encoding=T.PositionEncodingKind.Utf16,
        text_document_sync=T.TextDocumentSyncOptions(
            open_close=True, change=T.TextDocumentSyncKind.Incremental, save=T.SaveOptions(include_text=False),
        ),
        execute_command_provider=T.ExecuteCommandOptions(commands=commands.names()),
    )
    features.advertise(ls, caps)
    if flags.pull:
        caps.diagnostic_provider = T.DiagnosticOptions(
            inter_file_dependencies=True, workspace_diagnostics=False, identifier="crew",
        )
    if flags.workspace_folders:
        caps.workspace = T.WorkspaceOptions(
            workspace_folders=T.WorkspaceFoldersServerCapabilities(supported=True, change_notifications=True),
        )
    return caps
