"""Errors the server answers with, and the redaction every text leaving the server goes through."""

from __future__ import annotations

from lsprotocol.types import ErrorCodes, LSPErrorCodes
from pygls.exceptions import JsonRpcException

REQUEST_FAILED = int(LSPErrorCodes.RequestFailed)
CONTENT_MODIFIED = int(LSPErrorCodes.ContentModified)

# errors a client causes (bad params, a cancelled or refused request, a request overtaken by an edit):
# answered, never logged as our failure
CLIENT_CAUSED = frozenset({int(ErrorCodes.InvalidParams), int(LSPErrorCodes.RequestCancelled), REQUEST_FAILED,
                           CONTENT_MODIFIED})


def redact(text: str) -> str:
    """Secrets out of a text bound for the client (docs/runs.md, Redaction)."""
    from crew_lsp.telemetry.redact import redact_text  # loaded on first use: not needed to answer initialize

    return redact_text(text)


def request_failed(message: str, data: object = None) -> JsonRpcException:
    """A request that was understood but could not be carried out (LSP RequestFailed), message redacted."""
    return JsonRpcException(code=REQUEST_FAILED, message=redact(message), data=data)
