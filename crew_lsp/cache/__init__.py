"""The diagnostics cache: a folder's diagnostics, reused only when nothing they depend on changed (docs/cache.md).

`crew-lsp check` and the server's cold start both look a folder up after the scan, before any file is
read: on a hit the stored diagnostics are exactly what a fresh check would report. Parsed files are
not cached (loading them would cost more than parsing); the result is. See `key.py` for what the key
covers, `store.py` for where files live, `codec.py` for their shape.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:  # (the key and the store are imported when used: `crew-lsp check --no-cache` loads neither)
    from crew_lsp.cache.key import Key
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.resources.discovery import Workspace

FORMAT = 1  # the shape of a cache file (codec.py): another number is ignored

__all__ = ["FolderCache", "enabled"]


def enabled(wanted: bool = True) -> bool:
    """Whether to use the cache: wanted (`--no-cache`, the `crew.diagnostics.cache` setting) and not
    turned off by `CREW_LSP_NO_CACHE` (any value but empty or 0)."""
    return wanted and os.environ.get("CREW_LSP_NO_CACHE", "").strip() in ("", "0")


class FolderCache:
    """One folder's cache entry, keyed by its state at the time the key is computed.

    Compute the key (`FolderCache(...)`) before reading the files: whatever changes afterwards changes
    the key of the next look.
    """

    __slots__ = ("key",)

    def __init__(self, ws: Workspace, entries: list[tuple[str, str, str]], severity_overrides: Mapping[str, str] | None = None,
                 stamps: bool = False):
        from crew_lsp.cache.key import Key

        self.key = Key(ws, entries, {"severity": sorted((severity_overrides or {}).items())}, stamps)

    def load(self) -> dict[str, list[Diagnostic]] | None:
        """The stored diagnostics of every reported file that has any, by path; None on a miss."""
        from crew_lsp.cache import store

        value = store.read(self.key.name)
        if type(value) is not dict or value.get("format") != FORMAT or value.get("key") != self.key.digest:
            return None
        from crew_lsp.cache.codec import decode

        return decode(value.get("files"))

    def load_facts(self) -> str | None:
        """The facts line stored with this key (`report.folder_for_server`); None on a miss."""
        from crew_lsp.cache import store

        data = store.read_bytes(f"{self.key.name}.facts")
        if data is None or not data.startswith(self._facts_head()) or not data.endswith(b"\n"):
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def store_facts(self, line: str, rows: list) -> bool:
        """Remember the facts line of this key's files (``rows``, as `facts.to_row` makes them), so a cached
        start of the language server indexes the folder from it too; not stored when `store` would store
        nothing. The redaction looks at each distinct text of the rows once (one per line, as
        `codec.redaction_changes` does), not at megabytes of repeated names."""
        if self.key.racy or not line.encode("utf-8", "surrogatepass").startswith(self._facts_head()):
            return False
        from crew_lsp.cache import store
        from crew_lsp.telemetry.redact import redact_text

        texts: set[str] = set()
        for row in rows:
            if row is not None:
                texts.update(value for value in row[:6] if type(value) is str)
                for values in row[6:]:
                    texts.update(values)
        joined = "\n".join(texts)
        if redact_text(joined) != joined:
            return False
        return store.write(f"{self.key.name}.facts", line)

    def _facts_head(self) -> bytes:
        return ('{"key":"%s","facts":[' % self.key.digest).encode("ascii")

    def store(self, found: Mapping[str, list[Diagnostic]]) -> bool:
        """Remember the diagnostics of every reported file (by path) under this key; whether they were stored.

        Not stored: a state too fresh to tell from the next one by its stamps, diagnostics JSON cannot
        carry exactly, or any text the project's redaction would change.
        """
        if self.key.racy:
            return False
        from crew_lsp.cache import store
        from crew_lsp.cache.codec import Unstorable, encode, json_default, redaction_changes

        files = encode(found)
        if redaction_changes(files):
            return False
        try:
            text = json.dumps({"format": FORMAT, "key": self.key.digest, "files": files}, separators=(",", ":"), default=json_default)
        except (Unstorable, ValueError, TypeError):
            return False
        return store.write(self.key.name, text)
