"""The stdio transport: the event loop reads the pipe itself; exit when the editor is gone."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Awaitable, Callable

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from crew_lsp.server.session import Session

log = logging.getLogger(__name__)
PARENT_POLL_S = 2.0


class StdioTransport:
    """Serves one pygls server over stdio; `on_lost` runs when the client goes away without `shutdown`."""

    def __init__(self, server: LanguageServer, session: Session, on_lost: Callable[[], Awaitable[None]]):
        self.server = server
        self.session = session
        self.on_lost = on_lost
        self.exit_code = 0
        self._transport: asyncio.BaseTransport | None = None

    def serve(self, stdin: Any, stdout: Any, prefix: bytes = b"") -> int:
        """stdio with the input read by the event loop itself (no thread hop per message); ``prefix``:
        what was read of stdin before (server/head_start.py), read first.

        pygls reads stdin through a thread pool: three executor round trips per message, each
        waiting for the GIL while a check runs, which adds milliseconds to every keystroke and
        delays `$/cancelRequest`. A pipe is read natively here; anything else falls back to pygls.
        Returns the exit code: 0 after `shutdown`, 1 for an `exit` without it (LSP).
        """
        from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

        server = self.server
        stop_event = threading.Event()
        server.protocol.set_writer(StdoutWriter(stdout))

        async def main() -> None:
            loop = asyncio.get_running_loop()
            reader: Any
            try:
                stream = asyncio.StreamReader(limit=1 << 20)
                stream.feed_data(prefix)
                self._transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
                reader = stream
            except (OSError, ValueError):  # (head_start reads only a pipe or socket: nothing was read before)
                reader = StdinAsyncReader(stdin, server.thread_pool)
            await run_async(stop_event=stop_event, reader=reader, protocol=server.protocol,
                            logger=log, error_handler=server.report_server_error)
            await self.on_lost()

        try:
            asyncio.run(main())
        except BrokenPipeError:
            pass
        except asyncio.IncompleteReadError:
            pass  # the client went away mid-message
        except KeyboardInterrupt:
            pass
        except SystemExit as exc:  # `exit`: 0 after `shutdown`, 1 without (LSP)
            self.exit_code = exc.code if isinstance(exc.code, int) else 0
        finally:
            server.shutdown()
        return self.exit_code

    def stop_reading(self) -> None:
        """End the session as if the client closed stdin (used when the editor process is gone)."""
        if self._transport is not None:
            self._transport.close()
        else:
            os._exit(0)

    async def watch_parent(self, pid: int) -> None:
        """LSP: exit when the process that started us is gone (editors killed with -9 leave servers)."""
        while True:
            await asyncio.sleep(PARENT_POLL_S)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                self.session.log("crew-lsp: the editor process is gone; exiting")
                self.stop_reading()
                return
            except OSError:
                return  # exists but not ours to signal (another user): nothing to watch
