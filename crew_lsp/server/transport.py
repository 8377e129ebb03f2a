"""The stdio transport of `CrewServer`: the event loop reads the pipe itself; exit when the editor is gone."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)
PARENT_POLL_S = 2.0


class StdioTransport:
    """The transport part of `CrewServer` (uses its protocol, thread pool, `runs` and logging)."""

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """stdio with the input read by the event loop itself (no thread hop per message).

        pygls reads stdin through a thread pool: three executor round trips per message, each
        waiting for the GIL while a check runs, which adds milliseconds to every keystroke and
        delays `$/cancelRequest`. A pipe is read natively here; anything else falls back to pygls.
        """
        from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def main() -> None:
            loop = asyncio.get_running_loop()
            reader: Any
            try:
                stream = asyncio.StreamReader(limit=1 << 20)
                self._transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
                reader = stream
            except (OSError, ValueError):
                reader = StdinAsyncReader(stdin, self.thread_pool)
            await run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol,
                            logger=log, error_handler=self.report_server_error)
            if self.runs is not None:  # the client went away without `shutdown`: stop runs cleanly
                await self.guard_async("stopping runs", self.runs.aclose)

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
            self.shutdown()

    def stop_reading(self) -> None:
        """End the session as if the client closed stdin (used when the editor process is gone)."""
        if self._transport is not None:
            self._transport.close()
        else:
            os._exit(0)

    async def _watch_parent(self, pid: int) -> None:
        """LSP: exit when the process that started us is gone (editors killed with -9 leave servers)."""
        while True:
            await asyncio.sleep(PARENT_POLL_S)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                self.log("crew-lsp: the editor process is gone; exiting")
                self.stop_reading()
                return
            except OSError:
                return  # exists but not ours to signal (another user): nothing to watch
