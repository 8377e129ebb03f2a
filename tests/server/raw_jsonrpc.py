"""The real server on stdio, spoken to in raw JSON-RPC: for messages a typed LSP client refuses to send
(malformed params, invalid ids, requests out of lifecycle order) and for counting every response.

Every message the server writes is kept in order; `finish()` ends the session and reads the stream to its
end, so a test can assert that each request got exactly one response, not merely a first one.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from lsp_harness import server_config

HANG_GUARD_S = 20.0  # only ever reached when the server fails to answer
UNSET: Any = object()


class RawServer:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.received: list[dict[str, Any]] = []
        self.request_ids: list[Any] = []
        self._arrived = asyncio.Condition()
        self._reader = asyncio.ensure_future(self._read())
        assert proc.stderr is not None
        self._stderr = asyncio.ensure_future(proc.stderr.read())  # drained all along: a full pipe would block
        self.stderr = ""

    @classmethod
    async def start(cls, home: Path) -> RawServer:
        home.mkdir(parents=True, exist_ok=True)
        config = server_config(home)
        proc = await asyncio.create_subprocess_exec(
            *config.server_command, env=config.server_env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return cls(proc)

    # -- sending
    def send(self, *messages: dict[str, Any]) -> None:
        """Write the messages in one write: the server reads them in one go (no chance to run in between)."""
        data = b""
        for message in messages:
            body = json.dumps(message).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def request(self, msg_id: Any, method: str, params: Any = UNSET) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not UNSET:
            message["params"] = params
        self.request_ids.append(msg_id)
        self.send(message)

    def notify(self, method: str, params: Any = UNSET) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not UNSET:
            message["params"] = params
        self.send(message)

    def initialize(self, msg_id: Any = "init", root: Path | None = None) -> None:
        """`initialize` from a client that declares no capabilities (the server asks it nothing back)."""
        self.request(msg_id, "initialize", {
            "processId": None, "rootUri": root.as_uri() if root else None, "capabilities": {}})

    # -- receiving
    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            try:
                header = await out.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            message = json.loads(await out.readexactly(length))
            async with self._arrived:
                self.received.append(message)
                self._arrived.notify_all()

    def responses(self, msg_id: Any) -> list[dict[str, Any]]:
        return [m for m in self.received if "method" not in m and m.get("id", UNSET) == msg_id]

    async def response(self, msg_id: Any) -> dict[str, Any]:
        """The first response to a request (waits for it)."""
        async def arrived() -> dict[str, Any]:
            async with self._arrived:
                await self._arrived.wait_for(lambda: self.responses(msg_id))
            return self.responses(msg_id)[0]

        return await asyncio.wait_for(arrived(), HANG_GUARD_S)

    async def error(self, msg_id: Any) -> dict[str, Any]:
        reply = await self.response(msg_id)
        assert "result" not in reply, reply
        return reply["error"]

    def not_answered_exactly_once(self) -> dict[Any, int]:
        """Requests sent with no or with several responses, and responses to ids never sent: id -> count."""
        counts = {msg_id: len(self.responses(msg_id)) for msg_id in self.request_ids}
        for message in self.received:
            if "method" not in message and message.get("id") not in counts:
                counts[message.get("id")] = len(self.responses(message.get("id")))
        return {msg_id: n for msg_id, n in counts.items() if n != 1}

    def notifications(self, method: str) -> list[Any]:
        return [m.get("params") for m in self.received if m.get("method") == method and "id" not in m]

    # -- ending
    async def finish(self, shutdown: bool = True) -> int:
        """End the session (`shutdown` then `exit`, or `exit` alone), read every remaining message, return
        the exit code."""
        if shutdown:
            self.request("finish-shutdown", "shutdown")
            assert "result" in await self.response("finish-shutdown")
        self.notify("exit")
        return await self.wait_exit()

    async def wait_exit(self) -> int:
        _, err, code = await asyncio.wait_for(
            asyncio.gather(self._reader, self._stderr, self.proc.wait()), HANG_GUARD_S)
        self.stderr = err.decode(errors="replace")
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self._reader.cancel()
        self._stderr.cancel()
