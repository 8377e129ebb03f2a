"""Redaction of secrets wherever data leaves memory (docs/runs.md, Redaction).

Two rules: an object key with a *secret segment* has its value replaced by ``***`` (``auth_token``
yes, ``tokens`` no: segments are compared whole), and strings are scrubbed of PEM private keys,
``Authorization: …`` headers, ``Bearer <token>`` and ``<secret-word>=value`` / ``: value`` pairs.
The same segment rule decides which environment variables a worker process may inherit.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MASK = "***"

# A name is split into lower-case segments at `_`, `-`, `.`, spaces and camelCase boundaries.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_SINGLE = frozenset({"token", "apikey", "password", "passwd", "secret", "credential", "credentials", "authorization", "privatekey"})
_PAIRS = frozenset({("api", "key"), ("private", "key")})

_SECRET_WORD = r"(?:token|api[_-]?key|apikey|password|passwd|secret|credentials?|authorization|private[_-]?key)"
_PEM = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|\Z)", re.S)
_AUTH_HEADER = re.compile(r"(?i)(\bAuthorization\s*[:=]\s*)[^\r\n]+")
_BEARER = re.compile(r"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]+")
# `secret_word=value` / `secret_word: value`: the match starts at the secret word, which must be a whole
# segment of the key (`GITHUB_TOKEN=` yes, `max_tokens=` no); quoted keys and values (JSON-ish text) too.
_PAIR = re.compile(
    r"""(?i)(?<![A-Za-z0-9])(""" + _SECRET_WORD + r"""(?:[_.-][A-Za-z0-9]+)*["']?\s*[:=]\s*)(?!\*\*\*)"""
    r"""("[^"\r\n]*"|'[^'\r\n]*'|[^\s,;&"'}\]]+)"""
)
_TRIGGERS = ("key", "token", "pass", "secret", "credential", "authorization", "bearer")


def segments(name: str) -> list[str]:
    return [s.lower() for s in _SPLIT.split(_CAMEL.sub("_", name)) if s]


@lru_cache(maxsize=4096)
def is_secret_key(name: str) -> bool:
    """True when a key or variable name has a secret segment (``tokens``/``max_tokens`` do not)."""
    parts = segments(name)
    if any(p in _SINGLE for p in parts):
        return True
    return any((a, b) in _PAIRS for a, b in zip(parts, parts[1:]))


def redact_text(text: str) -> str:
    if not text:
        return text
    low = text.lower()
    if not any(w in low for w in _TRIGGERS):  # most text carries none of the trigger words
        return text
    if "private key-----" in low:
        text = _PEM.sub(MASK, text)
    if "authorization" in low:
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + MASK, text)
    if "bearer" in low:
        text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _PAIR.sub(_mask_pair, text)


def _mask_pair(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[:1] in "\"'" else ""
    return match.group(1) + quote + MASK + quote


def redact(value: Any) -> Any:
    """A redacted copy of a JSON-like value (dicts, lists, strings; other scalars unchanged)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None or item is True or item is False or type(item) in (int, float):
                out[key] = MASK if item is not None and isinstance(key, str) and is_secret_key(key) else item
            elif isinstance(key, str) and is_secret_key(key):
                out[key] = MASK
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def safe_environment(env: dict[str, str]) -> dict[str, str]:
    """The environment without any variable whose name has a secret segment (docs/runs.md, Workers)."""
    return {k: v for k, v in env.items() if not is_secret_key(k)}
