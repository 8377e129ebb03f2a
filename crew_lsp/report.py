"""`crew-lsp check`: index each folder, run the checks, print text, JSON or SARIF."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from crew_lsp import __version__
from crew_lsp.checks.codes import CODES, Severity, doc_url
from crew_lsp.checks.jobs import JobsError, default_jobs, end_with_parent, for_server_child, large_folder_files
from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.resources.discovery import Workspace

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:
    from typing import Callable

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFORMATION: "\033[36m", Severity.HINT: "\033[2m"}


def collect(paths: list[str], pi_crew_version: str | None = None, notes: list[str] | None = None,
            cache: bool = False, jobs: int = 1, keep: list | None = None) -> list[tuple[str, Diagnostic]]:
    """Diagnostics of the project files of every PATH (folder or file), in path order, read as
    ``pi_crew_version`` (None or `auto`: the version each workspace runs). ``notes`` collects what
    the user should be told once (a version newer than crew-lsp knows). ``cache``: folders are
    answered from, and stored in, the diagnostics cache (docs/cache.md). A large folder is checked
    on up to ``jobs`` processes (`checks/parallel.py`). ``keep`` receives each checked folder's
    `Checked` (its snapshot and diagnostics), for a caller about to exit that would rather not pay
    for freeing them."""
    found: dict[str, list[Diagnostic]] = {}
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            found.update(_check_folder(_workspace(path, pi_crew_version, notes), cache, jobs, keep))
        else:
            from crew_lsp.checks import check_resource
            from crew_lsp.resources.index import Index

            given = Path(raw).absolute()
            path = given.parent.resolve() / given.name  # not a symlink's target: the loader judges the link
            snap = Index.load(_workspace(path.parent, pi_crew_version, notes)).snapshot
            res = snap.resources.get(str(path))
            if res is None:
                from crew_lsp.checks.files import check_unread
                from crew_lsp.resources.loader import Loader
                from crew_lsp.resources.model import kind_by_name, parse_resource

                kind = kind_by_name(str(path))
                if kind is None:
                    continue
                loaded = Loader(snap.workspace.boundaries()).load(str(path))
                if loaded.text is None:
                    continue
                if loaded.problem is not None:
                    found[str(path)] = check_unread(loaded.problem)
                    continue
                res = parse_resource(kind, "loose", str(path), loaded.text, reading=snap.workspace.reading)
            found[str(path)] = check_resource(res, snap)
    return [(p, d) for p in sorted([p for p, diags in found.items() if diags]) for d in found[p]]  # (most files have none)


def _check_folder(ws: Workspace, cache: bool, jobs: int | Callable[[int], int], keep: list | None, keys: list | None = None,
                  facts: Callable[[list], None] | None = None) -> dict[str, list[Diagnostic]]:
    """The diagnostics of a folder's reported files: from the cache when its key matches (nothing
    parsed, no rule loaded), else checked on up to ``jobs`` processes (and stored). ``keys`` receives
    the folder's `FolderCache` (its key computed even when the cache is off); ``facts`` is called with
    the files' facts rows when they are parsed, if the folder is large (`parallel.check_folder`)."""
    from crew_lsp.cache import FolderCache, enabled
    from crew_lsp.resources.discovery import scan
    from crew_lsp.resources.loader import Loader

    loader = Loader(ws.boundaries())
    entries = scan(ws, loader)
    stored = FolderCache(ws, entries) if enabled(cache) or keys is not None else None  # (keyed before any file is read)
    if keys is not None:
        keys.append(stored)
    found = stored.load() if stored is not None and enabled(cache) else None
    if found is None:
        from crew_lsp.checks.parallel import check_folder

        # (rows only for a large folder: the server reads and parses a smaller one itself, docs/architecture.md)
        rows_for = facts if facts is not None and len(entries) >= large_folder_files() else None
        checked = check_folder(ws, jobs, listing=(loader, entries), facts=rows_for)
        found = checked.found
        if keep is not None:
            keep.append(checked)
        if stored is not None and enabled(cache):
            stored.store(found)
    return found


def folder_for_server(folder: str, pi_crew_version: str | None, cache: bool, jobs: int, keep: list | None) -> str:
    """A folder's diagnostics for the language server's cold start (server/checker_child.py): JSON lines.
    When the files are parsed (not answered from the cache), the first comes as soon as they are, before
    they are checked: the folder's cache key and each scanned file's facts row by number, so the server
    indexes the folder from them meanwhile. The last (returned) holds the key and the files'
    diagnostics in the cache's shape (cache/codec.py)."""
    from crew_lsp.cache import enabled
    from crew_lsp.cache.codec import encode, json_default

    end_with_parent()
    caches: list = []
    sent: list[tuple[str, list]] = []

    def facts(rows: list) -> None:
        line = json.dumps({"key": caches[0].key.digest, "facts": rows}, separators=(",", ":")) + "\n"
        sys.stdout.write(line)
        sys.stdout.flush()
        sent.append((line, rows))

    found = _check_folder(_workspace(Path(folder).resolve(), pi_crew_version, None), cache, for_server_child(jobs), keep, caches, facts)
    folder_cache = caches[0]
    if enabled(cache):  # (a cache hit parsed nothing: the facts stored with the diagnostics, when the folder is large)
        if sent:
            folder_cache.store_facts(*sent[0])
        else:
            stored = folder_cache.load_facts()
            if stored is not None:
                sys.stdout.write(stored)
    return json.dumps({"key": folder_cache.key.digest, "files": encode(found)}, separators=(",", ":"), default=json_default)


def _workspace(folder: Path, pi_crew_version: str | None, notes: list[str] | None) -> Workspace:
    ws = Workspace.discover(folder, pi_crew_version=pi_crew_version)
    found = ws.detection
    if notes is not None and found is not None and found.newer_than_known:
        note = f"crew-lsp check: {found.describe()}"
        if note not in notes:
            notes.append(note)
    return ws


def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
        return path if rel.startswith("..") else rel
    except ValueError:
        return path


def _displayed(items: list[tuple[str, Diagnostic]]) -> dict[str, str]:
    """Each path of ``items`` as shown (worked out once per file, not per diagnostic)."""
    try:
        below = os.path.join(os.getcwd(), "")
    except OSError:  # (the working folder is gone)
        below = None
    shown = {}
    normpath = os.path.normpath
    for p in dict.fromkeys(p for p, _d in items):
        if below is not None and p.startswith(below) and normpath(p) == p:
            shown[p] = p[len(below):]  # what `_display` gives a normal path below the working folder, quicker
        else:
            shown[p] = _display(p)
    return shown


def to_json(items: list[tuple[str, Diagnostic]]) -> list[dict]:
    shown = _displayed(items)
    return [
        {
            "path": shown[p],
            "range": {"start": {"line": d.span.line, "character": d.span.start}, "end": {"line": d.span.end_line, "character": d.span.end}},
            "severity": d.severity.label,
            "code": d.code,
            "message": d.message,
        }
        for p, d in items
    ]


_JSON_ITEM = """  {
    "path": %s,
    "range": {
      "start": {
        "line": %s,
        "character": %s
      },
      "end": {
        "line": %s,
        "character": %s
      }
    },
    "severity": %s,
    "code": %s,
    "message": %s
  }"""


def json_text(items: list[tuple[str, Diagnostic]]) -> str:
    """``json.dumps(to_json(items), indent=2)``, written directly: the indenting encoder is pure Python
    and was the slowest part of printing tens of thousands of diagnostics."""
    if not items:
        return "[]"
    from json.encoder import encode_basestring_ascii as quote  # (what `json.dumps` uses for a str by default)

    shown = {p: quote(s) for p, s in _displayed(items).items()}
    labels: dict[tuple[Severity, str], tuple[str, str]] = {}  # (a few codes repeat thousands of times: quoted once)
    out = []
    for p, d in items:
        severity, code = d.severity, d.code
        label = labels.get((severity, code))
        if label is None:
            label = labels[severity, code] = (quote(severity.label), quote(code))
        line, start, end_line, end = d.span
        out.append(_JSON_ITEM % (shown[p], line, start, end_line, end, label[0], label[1], quote(d.message)))
    return "[\n" + ",\n".join(out) + "\n]"


def to_sarif(items: list[tuple[str, Diagnostic]]) -> dict:
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note", Severity.HINT: "note"}
    rules = [
        {"id": code, "shortDescription": {"text": title}, "helpUri": doc_url(code), "defaultConfiguration": {"level": levels[sev]}}
        for code, (sev, title) in CODES.items()
    ]
    rule_index = {code: i for i, code in enumerate(CODES)}
    results = []
    for p, d in items:
        results.append({
            "ruleId": d.code,
            "ruleIndex": rule_index[d.code],
            "level": levels[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": Path(p).as_uri()},
                "region": {"startLine": d.span.line + 1, "startColumn": d.span.start + 1,
                           "endLine": d.span.end_line + 1, "endColumn": d.span.end + 1},
            }}],
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "crew-lsp", "version": __version__, "informationUri": "https://github.com/crew-lsp/crew-lsp", "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    }


def to_text(items: list[tuple[str, Diagnostic]], color: bool) -> str:
    out = []
    shown = _displayed(items)
    for p, d in items:
        sev = d.severity.label
        if color:
            sev = f"{_COLORS[d.severity]}{sev}\033[0m"
        out.append(f"{shown[p]}:{d.span.line + 1}:{d.span.start + 1}: {sev} {d.code} {d.message}")
    return "\n".join(out)


def run_check(paths: list[str], fmt: str, color: str = "auto", pi_crew_version: str | None = None, cache: bool = True,
              jobs: int | None = None, keep: list | None = None) -> int:
    """`crew-lsp check`; ``jobs`` None: $CREW_LSP_JOBS, else one process per core (`jobs.default_jobs`)."""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print(f"crew-lsp check: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    if jobs is None:
        try:
            jobs = default_jobs()
        except JobsError as exc:
            print(f"crew-lsp check: {exc}", file=sys.stderr)
            return 2
    if pi_crew_version is not None:
        from crew_lsp.resources.versions import VersionError, parse_version

        try:
            if pi_crew_version.strip().lower() != "auto":
                parse_version(pi_crew_version)
        except VersionError as exc:
            print(f"crew-lsp check: --pi-crew-version: {exc}", file=sys.stderr)
            return 2
    if fmt == "server":
        if len(paths) != 1 or not os.path.isdir(paths[0]):
            print("crew-lsp check: the server format takes one folder", file=sys.stderr)
            return 2
        try:
            print(folder_for_server(paths[0], pi_crew_version, cache, jobs, keep))
        except Exception as exc:
            print(f"crew-lsp check: internal error: {exc!r}", file=sys.stderr)
            return 2
        return 0
    notes: list[str] = []
    try:
        items = collect(paths, pi_crew_version, notes, cache, jobs, keep)
    except Exception as exc:  # an internal failure must not look like "no errors"
        print(f"crew-lsp check: internal error: {exc!r}", file=sys.stderr)
        return 2
    for note in notes:
        print(note, file=sys.stderr)
    if fmt == "json":
        print(json_text(items))
    elif fmt == "sarif":
        print(json.dumps(to_sarif(items), indent=2))
    else:
        use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        text = to_text(items, use_color)
        if hasattr(sys.stdout, "reconfigure"):  # a lone surrogate (a JSON escape, an odd file name) prints escaped
            sys.stdout.reconfigure(errors="backslashreplace")
        if text:
            print(text)
        counts = {s: sum(1 for _, d in items if d.severity == s) for s in Severity}
        files = len({p for p, _ in items})
        summary = ", ".join(f"{n} {s.label}{'s' if n != 1 and s != Severity.INFORMATION else ''}" for s, n in counts.items() if n)
        print(f"{summary or 'no problems'}{f' in {files} file' + ('s' if files != 1 else '') if files else ''}", file=sys.stderr)
    return 1 if any(d.severity == Severity.ERROR for _, d in items) else 0
