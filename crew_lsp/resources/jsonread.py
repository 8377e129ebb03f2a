"""The one guarded way to read a JSON value: any text or bytes give a value or a JsonReadError.

``json.loads`` raises more than ValueError on hostile input: a document nested 100,000 deep raises
RecursionError, which no ``except ValueError`` catches. Config files, run state, event logs and
worker output all come through here, so a bad file is "not valid JSON", never a crash.
(The checker reads config with positions, via ``jsonpos.parse_json``, which has the same guard.)
"""

from __future__ import annotations

import json
from pathlib import Path

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` reads configs without importing typing)
if TYPE_CHECKING:
    from typing import Any

NESTED_TOO_DEEPLY = "JSON nested too deeply"
# Deeper values are refused by every reader (this one and `jsonpos`): far beyond any real config, run
# state or event, and shallow enough for the code that walks values recursively afterwards.
MAX_DEPTH = 200


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
        value = json.loads(text)
    except RecursionError:
        raise JsonReadError(NESTED_TOO_DEEPLY) from None
    except ValueError as exc:
        raise JsonReadError(f"not valid JSON: {exc}") from None
    # only a text with more brackets than MAX_DEPTH can be too deep: most never pay for the walk
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise JsonReadError(NESTED_TOO_DEEPLY)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether some value sits more than ``limit`` levels below the top one (which is level 0)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if children and depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def read_json_file(path: str | Path) -> Any:
    """The JSON value of a file; OSError when it cannot be read, JsonReadError when it is not JSON."""
    return loads(Path(path).read_bytes())
