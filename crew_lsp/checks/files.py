"""CREW114: a file the loader did not read gets this one diagnostic instead of any other."""

from __future__ import annotations

from crew_lsp.checks.diagnostic import Diagnostic, diag, finish
from crew_lsp.resources.loader import Problem
from crew_lsp.resources.text import Span

_FILE_START = Span(0, 0, 0, 0)


def check_unread(problem: Problem, severity_overrides: dict[str, str] | None = None) -> list[Diagnostic]:
    # the text was never read, so no suppression comment applies: only the per-code severity setting
    return finish([diag("CREW114", _FILE_START, problem.message)], "", severity_overrides)
