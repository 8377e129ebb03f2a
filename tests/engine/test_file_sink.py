"""A worker's streamed output is redacted line by line: a secret split across two flushes still
reaches the log file redacted."""

from __future__ import annotations

from crew_lsp.engine.execute import FileSink

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


async def test_a_secret_streamed_across_a_periodic_flush_is_redacted(tmp_path):
    sink = FileSink(tmp_path / "output.log")
    sink.add("the token is " + TOKEN[:10])  # a text delta ends mid-token
    await sink.flush()  # periodic: nothing without a whole line
    sink.add(TOKEN[10:] + " ok\nnext ")
    await sink.flush()
    sink.add("line without an end")
    await sink.flush(final=True)
    written = (tmp_path / "output.log").read_text()
    assert TOKEN not in written and TOKEN[:10] not in written
    assert written.endswith("ok\nnext line without an end")
