"""The one guarded way to read a JSON value: any text or bytes give a value or a JsonReadError.

``json.loads`` raises more than ValueError on hostile input: a document nested 100,000 deep raises
RecursionError, which no ``except ValueError`` catches. Config files, run state, event logs and
worker output all come through here, so a bad file is "not valid JSON", never a crash.
(The checker reads config with positions, via ``jsonpos.parse_json``, which has the same guard.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NESTED_TOO_DEEPLY = "JSON nested too deeply"


class JsonReadError(ValueError):
    """Why a JSON text could not be read, worded for a user (a ValueError, so existing handlers hold)."""


def loads(text: str | bytes) -> Any:
    """``json.loads`` that fails only with JsonReadError. Bytes must be UTF-8."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonReadError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonReadError(NESTED_TOO_DEEPLY) from None
    except ValueError as exc:
        raise JsonReadError(f"not valid JSON: {exc}") from None


def read_json_file(path: str | Path) -> Any:
    """The JSON value of a file; OSError when it cannot be read, JsonReadError when it is not JSON."""
    return loads(Path(path).read_bytes())
