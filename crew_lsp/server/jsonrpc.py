"""The LSP lifecycle and JSON-RPC rules pygls leaves out: every request gets exactly one response.

pygls 2 hands requests before `initialize` and a second `initialize` to their handlers as if all were
well, drops requests after `shutdown` without a reply, and when a message's params fail to deserialise
it raises out of its read loop, so the request is never answered and its client waits forever. The rules here
(LSP "Lifecycle Messages", JSON-RPC 2.0 "Request object"):

- before `initialize`: a request is answered ServerNotInitialized; a notification is dropped, except `exit`
- a second `initialize`, and any request after `shutdown`: InvalidRequest
- params that do not deserialise: InvalidParams naming the problem; a notification is dropped with a log line
- a request that is not JSON-RPC 2.0 (no or another `jsonrpc`, an id that is not a string or an integer):
  InvalidRequest (with a null id when the id itself is unusable)

While the server opens its workspace (`hold` … `release`) messages wait and are then handled in the
order they came (a request about a file outside every folder is answered meanwhile, unless a
message that may change its answer waits); the rules above apply when each is handled.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from typing import Any, Callable

import cattrs
from cattrs.v import format_exception
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)

MAX_PROBLEMS = 8  # a message names at most this many problems (a hostile one may have thousands)


class LifecycleProtocol(LanguageServerProtocol):
    """pygls' protocol with the lifecycle gate and deserialisation failures answered (see the module doc)."""

    _initialized = False  # a valid `initialize` request was received
    _shutdown_requested = False  # set on receipt of `shutdown` (pygls' own flag waits for its handler)
    _held: list[Any] | None = None  # messages waiting for `release` (see `hold`)
    _state_change_held = False  # one of them may change what a later request is answered (see `hold`)
    _passes: Callable[[Any], bool] = staticmethod(lambda message: False)

    def hold(self, passes: Callable[[Any], bool]) -> None:
        """Until `release`, messages wait and are then handled in the order they came, except the
        client's answers to the server's own requests (the setting up may be waiting for one) and a
        request `passes` lets through (what it answers cannot depend on what is being set up) while
        only document requests wait: those change nothing it answers, and LSP lets responses come in
        another order than their requests; a notification (a document opened), `shutdown` or a command
        may. The event loop stays free meanwhile (the server opens its workspace in the background)."""
        if self._held is None:  # (held already: the waiting messages keep waiting, in order)
            self._held = []
        self._passes = passes

    def release(self) -> None:
        held, self._held, self._state_change_held = self._held or [], None, False
        for message in held:
            self.handle_message(message)

    def _must_wait(self, message: Any) -> bool:
        """Whether a message that comes while messages are held waits too (see `hold`)."""
        return not (_is_answer(message) or (not self._state_change_held and self._passes(message)))

    def _hold_back(self, message: Any, held: list[Any]) -> None:
        held.append(message)
        if not _is_document_request(message):
            self._state_change_held = True

    def structure_message(self, data: dict[str, Any]) -> Any:
        # pygls passes this as the `object_hook` of `json.loads`, so it also sees every nested object:
        # messages are structured in `handle_message` instead, where the top level is known and a
        # failure can be answered
        return data

    def handle_message(self, message: Any) -> None:
        """`message` is the raw JSON value of one message (see `structure_message`)."""
        held = self._held
        if held is not None and self._must_wait(message):
            self._hold_back(message, held)
            return
        if not isinstance(message, dict) or message.get("jsonrpc") != self.VERSION:
            self._not_json_rpc(message)
            return
        method = message.get("method")
        if method is None:  # a response to one of our requests
            response = self._structure(message)
            if response is not None:
                super().handle_message(response)
            return
        is_request = "id" in message
        if not isinstance(method, str) or (is_request and not _valid_id(message["id"])):
            self._not_json_rpc(message)
            return
        msg_id = message["id"] if is_request else None
        refusal = self._lifecycle_refusal(method, is_request)
        if refusal is not None:
            self._refuse(msg_id, method, refusal, is_request)
            return
        structured = self._structure(message)
        if structured is None:
            return
        if is_request and method == T.INITIALIZE:
            self._initialized = True
        elif is_request and method == T.SHUTDOWN:
            self._shutdown_requested = True
        super().handle_message(structured)

    def _lifecycle_refusal(self, method: str, is_request: bool) -> JsonRpcException | None:
        if method == T.EXIT:
            return None  # always accepted: ends the process (0 after `shutdown`, 1 without)
        if self._shutdown_requested:
            return JsonRpcInvalidRequest("the server is shut down: only `exit` is accepted")
        initialize = is_request and method == T.INITIALIZE
        if not self._initialized and not initialize:
            return JsonRpcServerNotInitialized("the server is not initialized")
        if self._initialized and initialize:
            return JsonRpcInvalidRequest("the server is already initialized")
        return None

    def _structure(self, data: dict[str, Any]) -> Any:
        """The LSP type of a message; None when it cannot be (then it was answered or dropped)."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method")
            cause = exc.__cause__
            if isinstance(cause, cattrs.BaseValidationError):
                error: JsonRpcException = JsonRpcInvalidParams(f"invalid params for {method}: {describe(cause)}")
            else:
                error = JsonRpcInvalidRequest(f"cannot read the message: {cause or exc}")
            if method is None:
                log.warning("a response that cannot be read was dropped: %s", error.message)
            else:
                self._refuse(data.get("id"), method, error, is_request="id" in data)
            return None

    def _not_json_rpc(self, message: Any) -> None:
        error = JsonRpcInvalidRequest("not a JSON-RPC 2.0 request")
        if isinstance(message, dict) and "method" not in message:
            log.warning("a message that is not JSON-RPC 2.0 was dropped")
        elif isinstance(message, dict) and "id" not in message:
            self._refuse(None, str(message["method"]), error, is_request=False)
        else:  # a request, a batch or a bare value: answered, with a null id when there is no usable one
            msg_id = message.get("id") if isinstance(message, dict) else None
            _send_error(self, msg_id if _valid_id(msg_id) else None, error)

    def _refuse(self, msg_id: Any, method: str, error: JsonRpcException, is_request: bool) -> None:
        if is_request:
            _send_error(self, msg_id, error)
            return
        line = f"crew-lsp: {method} dropped: {error.message}"
        if self._initialized and not self._shutdown_requested:
            self.tell_client(line)
        else:  # no notifications to the client before `initialize` or after `shutdown`
            log.warning("%s", line)

    def tell_client(self, line: str) -> None:
        """A dropped notification, reported to the client (the server's protocol sends it as a log message)."""
        log.warning("%s", line)


def send_json(protocol: LanguageServerProtocol, message: dict[str, Any]) -> None:
    """Write one message built from plain JSON values (with `send_bodies`, the uses of a private pygls API).

    pygls has no public call that writes a message as given: its `notify` and responses go through
    cattrs, which (1) omits a null `id`, which JSON-RPC requires in an error answer to a request whose
    id could not be read, and (2) costs a full structure/unstructure walk per message, measured as the
    largest part of publishing diagnostics on a keystroke (bench/lsp.py, edit p50). `_send_data`
    serialises and writes one message.
    """
    protocol._send_data(message)


def send_bodies(protocol: LanguageServerProtocol, bodies: list[str]) -> None:
    """Write messages already serialised (ASCII JSON text, e.g. `json.dumps` with its default
    `ensure_ascii`), all in one write when the transport frames them with headers.

    A cold start publishes thousands of diagnostic sets: one write (a system call, a wait for the GIL
    on return) per message cost more than building them. Like `send_json`, this uses what pygls
    keeps private: its writer and whether it writes headers (a WebSocket frames each message itself).
    """
    writer = protocol.writer
    if writer is None or not bodies:
        return
    if protocol._include_headers:
        parts = []
        for body in bodies:
            data = body.encode("utf-8")
            parts.append(b"Content-Length: %d\r\n\r\n" % len(data))
            parts.append(data)
        _write(writer, b"".join(parts))
    else:
        for body in bodies:
            _write(writer, body.encode("utf-8"))


def _write(writer: Any, data: bytes) -> None:
    done = writer.write(data)
    if inspect.isawaitable(done):  # an async transport (WebSocket)
        asyncio.ensure_future(done)


def _send_error(protocol: LanguageServerProtocol, msg_id: Any, error: JsonRpcException) -> None:
    """Answer a request with an error (pygls has no public call to answer one outside a handler)."""
    send_json(protocol, {"jsonrpc": protocol.VERSION, "id": msg_id,
                         "error": {"code": error.code, "message": error.message}})


def _valid_id(msg_id: Any) -> bool:
    return isinstance(msg_id, str) or (isinstance(msg_id, int) and not isinstance(msg_id, bool))


def describe(error: cattrs.BaseValidationError) -> str:
    """What is wrong, at which JSON path: `required field missing at params.position; ...`."""
    problems = cattrs.transform_error(error, path="$", format_exception=_format_problem)
    described = [_with_json_path(p) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        described.append(f"and {len(problems) - MAX_PROBLEMS} more")
    return "; ".join(described)


def _format_problem(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, ValueError) and type_ is None and str(exc):
        return str(exc)  # an lsprotocol validator: "Position.line should be in range [0:2147483647], but was -1."
    return format_exception(exc, type_)


_PATH = re.compile(r" @ \$\.?(\S*)$")


def _with_json_path(problem: str) -> str:
    """cattrs names Python attributes (`text_document`); the client wrote JSON names (`textDocument`)."""
    match = _PATH.search(problem)
    if match is None:
        return problem
    path = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), match.group(1)).replace("_.", ".").rstrip("_")
    return f"{problem[:match.start()]} at {path or 'the message'}"


def _is_document_request(message: Any) -> bool:
    """A `textDocument/…` request: it asks about a document, and changes nothing."""
    return isinstance(message, dict) and "id" in message and str(message.get("method")).startswith("textDocument/")


def _is_answer(message: Any) -> bool:
    """A response to one of the server's requests (no method, an id, a result or an error)."""
    return isinstance(message, dict) and "method" not in message and "id" in message and ("result" in message or "error" in message)
