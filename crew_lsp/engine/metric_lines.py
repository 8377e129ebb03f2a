"""Metric lines in a worker's output (docs/runs.md, Metric lines).

A worker reports a figure by printing a line of its own: ``CREW_METRIC name=value``. The grammar:

- the line starts with ``CREW_METRIC`` (case-sensitive, nothing in front), then spaces or tabs, then
  ``name=value`` and nothing after it; one trailing ``\\r`` is dropped, so CRLF output works;
- ``name`` is 1–64 ASCII letters, digits and ``_`` (it may start with a digit);
- ``value`` is a decimal number: an optional sign, digits with an optional fraction (``3``, ``2.5``,
  ``.5``, ``7.``) and an optional exponent (``1e3``); it must be finite. Hexadecimal, binary,
  ``Infinity``, ``NaN``, ``1_000`` and units (``12ms``) are not numbers here;
- a name that reads as a secret (``api_key``, a token's shape) is dropped: the redactor would mask it.

Anything else is ordinary output. A task keeps the last value of each name, for at most
`MAX_TASK_METRICS` names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from crew_lsp.telemetry.redact import is_secret_key, redact_text

PREFIX = "CREW_METRIC"
PREFIX_BYTES = PREFIX.encode()
MAX_NAME_CHARS = 64
MAX_LINE_CHARS = 256  # longer lines are output, not metrics: the regex never sees a megabyte line
MAX_TASK_METRICS = 32  # distinct names kept per task; later names are ignored

NAME_PATTERN = rf"[A-Za-z0-9_]{{1,{MAX_NAME_CHARS}}}"
_LINE = re.compile(
    rf"{PREFIX}[ \t]+({NAME_PATTERN})=([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)", re.ASCII)


def parse_metric_line(line: str) -> tuple[str, float] | None:
    """``(name, value)`` when the line is a metric line, else None."""
    if not line.startswith(PREFIX):
        return None
    if line.endswith("\r"):
        line = line[:-1]
    if len(line) > MAX_LINE_CHARS:
        return None
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    name, literal = match.groups()
    value = float(literal)
    return (name, value) if valid_metric(name, value) else None


_NAME = re.compile(NAME_PATTERN, re.ASCII)


def valid_metric(name: object, value: object) -> bool:
    """Whether a (name, value) pair is one a metric line can carry: also the check of pairs read back
    from stored events, which a damaged or planted run folder could hold."""
    return (isinstance(name, str) and _NAME.fullmatch(name) is not None and type(value) in (int, float)
            and math.isfinite(value) and not is_secret_key(name) and redact_text(name) == name)


def split_metric_lines(text: str) -> tuple[str, dict[str, float]]:
    """The text without its metric lines, and the metrics they carry (last value wins)."""
    if PREFIX not in text:
        return text, {}
    kept: list[str] = []
    found: dict[str, float] = {}
    for line in text.split("\n"):
        metric = parse_metric_line(line)
        if metric is None:
            kept.append(line)
        else:
            found[metric[0]] = metric[1]
    return "\n".join(kept), found


def format_metrics(metrics: Mapping[str, float] | None) -> str:
    """``coverage=81.5 tests=42``: the way the terminal and hovers show a task's metrics."""
    if not metrics:
        return ""
    return " ".join(f"{name}={metric_value_text(value)}" for name, value in metrics.items())


def metric_value_text(value: float) -> str:
    """``42`` for a whole number (``42.0`` is how JSON gives it back), else Python's shortest form."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
