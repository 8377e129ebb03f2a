"""Redaction of secrets wherever data leaves memory (docs/runs.md, Redaction):

Three rules:

- **names**: an object key or a ``NAME=value`` / ``name: value`` pair whose name holds a secret word
  has its value replaced by ``***`` — ``PGPASSWORD``, ``AZURE_OPENAI_KEY``, ``GH_PAT``, ``NPM_AUTH``,
  ``auth_token``, ``client_secret``; counts such as ``tokens``, ``max_tokens`` or ``tokenCount`` are not
  secrets;
- **URLs**: ``scheme://user:password@host`` keeps the user and loses the password;
- **shapes**: well-known credentials are recognised in any text — OpenAI/Anthropic ``sk-…``, GitHub
  ``ghp_…``/``gho_…``/``ghs_…``/``github_pat_…``, AWS ``AKIA…``/``ASIA…`` key ids, Slack ``xoxb-…``,
  JWTs, PEM private keys, ``Authorization:`` headers and ``Bearer`` tokens.

Every event line goes through `redact_text`, so each rule sits behind a substring test that is far
cheaper than its regular expression, and text with none of the hints is returned untouched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MASK = "***"

# --- names ----------------------------------------------------------------------------------

# A name is split into lower-case segments at `_`, `-`, `.`, spaces and camelCase boundaries.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")
# secret wherever they appear in the name: PGPASSWORD, SSH_PASSPHRASE, SECRETKEY
_INSIDE = ("password", "passwd", "passphrase", "secret", "credential")
_NOT_SECRET = ("secretar",)  # secretary, secretariat
_WHOLE = frozenset({"auth", "authorization", "pat", "apikey", "privatekey", "accesskey"})
_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key")})
# a name with one of these segments counts tokens rather than holding one: max_token, token_count
_QUANTITY = frozenset({"count", "counts", "limit", "limits", "max", "min", "num", "number", "total", "usage",
                       "budget", "length", "len", "size"})


def segments(name: str) -> list[str]:
    return [s.lower() for s in _SPLIT.split(_CAMEL.sub("_", name)) if s]


@lru_cache(maxsize=8192)
def is_secret_key(name: str) -> bool:
    """True when a key or variable name holds a secret word (``tokens``/``max_tokens`` do not)."""
    parts = segments(name)
    for part in parts:
        if part in _WHOLE or (any(w in part for w in _INSIDE) and not part.startswith(_NOT_SECRET)):
            return True
    if len(parts) > 1 and parts[-1] == "key":  # *_KEY: AZURE_OPENAI_KEY, sshKey (a bare `key` is not)
        return True
    if any(pair in _PAIRS for pair in zip(parts, parts[1:])):
        return True
    return any(_is_token_word(p) for p in parts) and not any(p in _QUANTITY for p in parts)


def _is_token_word(part: str) -> bool:
    # GITHUB_TOKEN, refreshToken, SLACKTOKEN; not `tokens` (a count) nor `tokenizer`
    return "token" in part and not part.endswith("tokens") and "tokeniz" not in part


# --- text -----------------------------------------------------------------------------------

_PEM = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|\Z)", re.S)
_AUTH_HEADER = re.compile(r"(?i)(\bAuthorization\s*[:=]\s*)[^\r\n]+")
_BEARER = re.compile(r"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]+")
# `scheme://user:password@host`: the password runs to the last `@` of the authority
# (bounded, so a hostile line costs linear time)
_URL_CREDENTIALS = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s:/?#@]{0,256}:)[^\s/?#]{1,256}(?=@)")
_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}"  # OpenAI sk-/sk-proj-, Anthropic sk-ant-api03- (with a digit)
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub classic, OAuth, app, user-to-server, refresh
    r"|github_pat_[A-Za-z0-9_]{40,}"  # GitHub fine-grained
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"  # AWS access key ids (long-lived, temporary)
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JWT: JSON header . JSON payload . signature
    r")"
)
# `name=value` / `name: value`, quoted names and values too (JSON-ish text); the name decides
_PAIR = re.compile(
    r"""(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)(["']?[ \t]*[:=][ \t]*)(?!\*\*\*)"""
    r"""("[^"\r\n]*"|'[^'\r\n]*'|[^\s,;&"'}\]]+)"""
)
# substring tests in C are far cheaper than any regular expression: each rule runs only when its
# hint is in the text, and most text holds none of them
_NAME_HINTS = ("key", "token", "pass", "secret", "credential", "auth", "pat")  # lower case
_SHAPE_HINTS = ("sk-", "gh", "AKIA", "ASIA", "xox", "eyJ")
_KEEP_PREFIX = r"\g<1>" + MASK  # the first group stays, the rest is masked


def _has_any(text: str, hints: tuple[str, ...]) -> bool:
    for hint in hints:
        if hint in text:
            return True
    return False


def redact_text(text: str) -> str:
    if not text:
        return text
    low = text.lower()
    named = _has_any(low, _NAME_HINTS)  # also the gate of `private key`, `authorization`
    if named:
        if "private key-----" in low:
            text = _PEM.sub(MASK, text)
        if "authorization" in low:
            text = _AUTH_HEADER.sub(_KEEP_PREFIX, text)
    if "bearer" in low:
        text = _BEARER.sub(_KEEP_PREFIX, text)
    if "://" in text and "@" in text:
        text = _URL_CREDENTIALS.sub(_KEEP_PREFIX, text)
    if _has_any(text, _SHAPE_HINTS):
        text = _SHAPES.sub(MASK, text)
    if named and ("=" in text or ":" in text):
        text = _PAIR.sub(_mask_pair, text)
    return text


def _mask_pair(match: re.Match[str]) -> str:
    if not is_secret_key(match.group(1)):
        return match.group(0)
    value = match.group(3)
    quote = value[0] if value[:1] in "\"'" else ""
    return match.group(1) + match.group(2) + quote + MASK + quote


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
