"""What the server advertises: pygls builds the capabilities from the registered features
(`@server.feature(METHOD, options)`); `advertised` then fits them to the client, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as T

if TYPE_CHECKING:
    from crew_lsp.server.profile import ClientProfile


def advertised(caps: T.ServerCapabilities, client: ClientProfile, commands: list[str]) -> T.ServerCapabilities:
    """The capabilities pygls built, minus what this client did not declare.

    - UTF-16 positions only, whatever the client prefers (spans are UTF-16 columns throughout)
    - code lens, inlay hints, semantic tokens, folding, document links and pull diagnostics only to
      a client that declared them (an older client would otherwise be sent requests' results it
      cannot show, or push and pull would overlap)
    - code action kinds only to a client with code action literals (the others get `true`)
    - workspace folder notifications only to a client that supports workspace folders
    - the commands: exactly those with a handler (pygls knows none of them: `workspace/executeCommand`
      is dispatched by commands.py)
    """
    caps.position_encoding = T.PositionEncodingKind.Utf16
    if not client.code_lens:
        caps.code_lens_provider = None
    if not client.inlay_hints:
        caps.inlay_hint_provider = None
    if not client.semantic_tokens:
        caps.semantic_tokens_provider = None
    if not client.folding:
        caps.folding_range_provider = None
    if not client.document_links:
        caps.document_link_provider = None
    if not client.pull:
        caps.diagnostic_provider = None
    if caps.code_action_provider is not None and not client.code_action_literals:
        caps.code_action_provider = True
    caps.workspace = T.WorkspaceOptions(workspace_folders=T.WorkspaceFoldersServerCapabilities(
        supported=True, change_notifications=True)) if client.workspace_folders else None
    caps.execute_command_provider = T.ExecuteCommandOptions(commands=sorted(commands))
    return caps
