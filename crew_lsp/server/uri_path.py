"""A `file:` URI as the normalised absolute path the server keys everything by (no lsprotocol here:
`server/head_start.py` reads folder URIs before the server's own imports)."""

from __future__ import annotations

import os

from pygls.uris import to_fs_path


def uri_to_path(uri: str) -> str | None:
    """The real path of a `file:` URI (symlinks resolved); None for any other scheme."""
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    if not fs:
        return None
    return os.path.normpath(os.path.realpath(fs) if os.path.isabs(fs) else fs)
