"""Plain results of the editor features; the server maps them onto lsprotocol types."""

from __future__ import annotations

from dataclasses import dataclass, field

from crew_lsp.resources.text import Span


class RenameRefused(Exception):
    """A rename that must not happen (a builtin resource, nothing renamable here, a bad new name)."""


@dataclass(slots=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(slots=True)
class WorkspaceEdit:
    changes: dict[str, list[TextEdit]] = field(default_factory=dict)  # path → edits
    creates: list[tuple[str, str]] = field(default_factory=list)  # (path, initial text)


@dataclass(slots=True)
class CompletionItem:
    label: str
    kind: str  # key | value | agent | role | step | skill | model | workflow | snippet | placeholder
    detail: str = ""
    documentation: str = ""  # markdown
    insert_text: str | None = None
    snippet: bool = False  # insert_text uses LSP snippet syntax
    replace: Span | None = None  # the text the item replaces (None = the word at the cursor)
    sort_text: str | None = None


@dataclass(slots=True)
class Hover:
    markdown: str
    span: Span


@dataclass(slots=True)
class Location:
    path: str
    span: Span


@dataclass(slots=True)
class Symbol:
    name: str
    kind: str  # field | role | step | agent | team | workflow | skill
    span: Span
    selection: Span
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)


@dataclass(slots=True)
class WorkspaceSymbol:
    name: str
    kind: str  # agent | team | workflow | skill
    scope: str
    location: Location


@dataclass(slots=True)
class Lens:
    span: Span
    title: str
    command: str  # crew.run | crew.plan
    arguments: list = field(default_factory=list)


@dataclass(slots=True)
class Hint:
    line: int
    character: int
    label: str
    tooltip: str = ""


@dataclass(slots=True)
class Fold:
    start_line: int
    end_line: int
    kind: str = "region"  # region | comment


@dataclass(slots=True)
class Link:
    span: Span
    target: str  # a file path
    tooltip: str = ""


@dataclass(slots=True)
class Action:
    title: str
    kind: str  # quickfix | source.fixAll.crew | refactor
    edit: WorkspaceEdit
    codes: list[str] = field(default_factory=list)  # the diagnostics it resolves
    preferred: bool = False
