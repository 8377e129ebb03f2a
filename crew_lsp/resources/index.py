"""The effective index: every file of every scope, folded as pi-crew folds them (docs/formats.md, Roots and discovery).

A `Snapshot` is never mutated after it is handed out; `Index.update` builds the next one on
persistent maps, refolding only the names of the file that changed (`fold.py`), and reports which
other files depend on what changed so only those are re-checked (`dependents.py`).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.resources.facts import Strings, from_row
from crew_lsp.resources.fold import Change, apply, derive, prepare_for_edits
from crew_lsp.resources.loader import Loader, Problem, Stamp, internal_problem, text_problem
from crew_lsp.resources.model import ReadWhenAsked, Resource, parse_resource
from crew_lsp.resources.snapshot import Snapshot
from crew_lsp.resources.versions import Reading
from crew_lsp.resources.workflow import forget_line_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from immutables import Map

__all__ = ["Index", "KnownFacts", "Snapshot", "derive", "folded_for_checks", "paused_gc", "prepare_for_edits", "prepared_aside", "read_entries"]


class KnownFacts:
    """The facts rows another process sent for a folder's scanned files (`crew-lsp check --server-format`:
    `facts.to_row`, by place in the scan), and each file's stamp when the key of that scan was taken.

    A file with a row is indexed from it without being read or parsed (`model.ReadWhenAsked`), and its
    stamp is the key's: a change since then is a disk change like any other. A file without a row (a
    config file, one not read as text) or whose row is not exactly a row is read and parsed as usual.
    """

    __slots__ = ("_entries", "_rows", "_stamps", "_by_path", "_shared", "_read", "used")

    def __init__(self, entries: list[tuple[str, str, str]], rows: list, stamps: list[Stamp | None], ws: Workspace):
        self._entries, self._rows, self._stamps = entries, rows, stamps
        self._by_path: dict[str, int] | None = None  # (built on first use: in the worker thread that reads the files)
        self._shared: dict[str, str] = {}  # one string per distinct name (the rows' are new objects: nothing to copy)
        boundaries = ws.boundaries()
        self._read = lambda path: Loader(boundaries).load(path).text or ""  # (a new loader: symlinks as they are now)
        self.used = 0  # files indexed from their row

    def resource(self, kind: str, scope: str, path: str, reading: Reading) -> tuple[Resource, Stamp] | None:
        """The file's resource made from its row, with the stamp it stands for; None: read it."""
        by_path = self._by_path
        if by_path is None:
            by_path = self._by_path = {entry[2]: n for n, entry in enumerate(self._entries)}
        number = by_path.get(path)
        if number is None:
            return None
        stamp = self._stamps[number]
        found = from_row(self._rows[number], self._shared.setdefault) if stamp is not None else None
        if found is None:
            return None
        self._rows[number] = None  # (its memory goes to the resources being built)
        file_name, name, facts = found
        self.used += 1
        return ReadWhenAsked(kind, scope, path, file_name, name, reading, facts, self._read), stamp


def read_entries(ws: Workspace, entries: list[tuple[str, str, str]], loader: Loader, guard: bool = False,
                 compact: Strings | None = None, known: KnownFacts | None = None,
                 ) -> tuple[dict[str, Resource], dict[str, Problem], dict[str, Stamp]]:
    """Read and parse scanned files: the resources, the files not read (indexed as empty), the stamps.

    With `guard` a parser failure marks the file as not read instead of raising (the server must
    not lose a whole folder to one bad file). With `compact` each file is compacted as soon as it is
    parsed (`Resource.compacted`, sharing strings through it): only then does the memory of the
    parses go back (compacting a whole loaded folder afterwards frees little). With `known` a file
    those facts describe is neither read nor parsed.
    """
    resources: dict[str, Resource] = {}
    problems: dict[str, Problem] = {}
    stamps: dict[str, Stamp] = {}
    role_of = ws.config_role
    for kind, scope, path in entries:
        if known is not None:
            made = known.resource(kind, scope, path, ws.reading)
            if made is not None:
                resources[path], stamps[path] = made
                continue
        loaded = loader.load(path)
        if loaded.text is None:
            continue
        role = role_of(path) if kind == "config" else "project"
        if loaded.problem is not None:
            problems[path] = loaded.problem
        stamps[path] = loaded.stamp
        try:
            res = parse_resource(kind, scope, path, loaded.text, role, ws.reading)
            resources[path] = res if compact is None else res.compacted(compact)
        except Exception as exc:
            if not guard:
                raise
            problems[path] = internal_problem(exc)
            resources[path] = parse_resource(kind, scope, path, "", role, ws.reading)
    return resources, problems, stamps


def folded_for_checks(ws: Workspace, resources: dict[str, Resource], problems: dict[str, Problem]) -> Snapshot:
    """`derive`, plus the index-wide lookups that checks otherwise build on first use (the union of the
    team roles, the did-you-mean name indexes): for a server's worker thread, so that its first checks,
    on the event loop, do not stall it building them (tens of milliseconds at 50,000 files)."""
    snap = derive(Snapshot(ws, resources, problems=problems))
    snap.all_roles()
    for kind in ("agents", "workflows", "skills"):
        snap.names(kind)
    return snap


def prepared_aside(snap: Snapshot) -> Snapshot:
    """`prepare_for_edits` on a copy of a snapshot: for a worker thread while `snap` stays in use (a
    server publishes a freshly built folder first and prepares it for edits afterwards). The copy
    shares every map it does not replace; `Index.take_prepared` installs it.
    """
    copy = Snapshot.__new__(Snapshot)
    for attr in Snapshot.__slots__:
        setattr(copy, attr, getattr(snap, attr))
    return prepare_for_edits(copy)


class paused_gc:
    """No cyclic garbage collection while a burst of long-lived objects is built (restored afterwards).

    Parsing a workspace allocates about a hundred thousand container objects that all survive. With
    the collector running, each young collection walks them again and each promotion walks them once
    more (tens of milliseconds per pass on a 2,000-file workspace). Paused, and at the end moved
    straight to the oldest generation (`freeze` + `unfreeze` relinks the lists without walking them),
    they are only looked at by the rare full collections, like any other long-lived data. Anything
    someone else froze on purpose (the server freezes its index) is left frozen: then the objects stay
    young, as without this.
    """

    __slots__ = ("enabled",)

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if self.enabled:
            gc.enable()


class Index:
    """Owns the current snapshot of one workspace folder."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.snapshot = Snapshot(workspace, {})

    @classmethod
    def load(cls, workspace: Workspace, listing: tuple[Loader, list[tuple[str, str, str]]] | None = None,
             compact: bool = False) -> Index:
        """Read and fold every file of a workspace; `listing`: its scan already made, with the loader that
        made it. With `compact` every file is compacted as soon as it is parsed (`read_entries`)."""
        index = cls(workspace)
        loader, entries = listing if listing is not None else (Loader(workspace.boundaries()), None)
        with paused_gc():
            resources, problems, _stamps = read_entries(workspace, scan(workspace, loader) if entries is None else entries,
                                                        loader, compact=Strings() if compact else None)
            if compact:
                forget_line_cache()  # (its entries, made while parsing, would pin the parses' memory)
            index.snapshot = derive(Snapshot(workspace, resources, problems=problems))
        return index

    def take_prepared(self, base: Snapshot, ready: Snapshot) -> bool:
        """Install `ready` (`prepared_aside(base)`) unless an edit replaced or prepared `base` meanwhile."""
        if self.snapshot is not base or base.role_counts is not None:
            return False
        self.snapshot = ready
        return True

    def parse(self, path: str, text: str) -> Resource | None:
        found = self.workspace.classify(path)
        if found is None:
            return None
        kind, scope = found
        return parse_resource(kind, scope, path, text, self.workspace.config_role(path), self.workspace.reading)

    def update(self, path: str, text: str | None, resource: Resource | None = None, problem: Problem | None = None) -> set[str]:
        """Replace (or with ``text=None`` remove) one file; returns the paths to re-check.

        A text the loader would not read (above the cap, binary), or one given with a `problem`,
        is indexed as empty and never parsed. Only the names the file held or holds are refolded.
        """
        if text is not None and problem is None and resource is None:
            problem = text_problem(text)
        if problem is not None and text is not None:
            text, resource = "", None
        prev = self.snapshot
        old = prev.resources.get(path)
        new = resource if resource is not None else (self.parse(path, text) if text is not None else None)
        if new is None and old is None:
            return set()
        if prev.role_counts is None:
            with paused_gc():  # the first edit after a full build: a burst of long-lived maps (see prepare_for_edits)
                prepare_for_edits(prev)
        resources = _persistent(prev.resources).mutate()
        if new is None:
            del resources[path]
        else:
            resources[path] = new
        problems = prev.problems
        if (problem is not None and new is not None) or path in problems:
            problems = _persistent(problems).mutate()
            problems.pop(path, None)
            if problem is not None and new is not None:
                problems[path] = problem
            problems = problems.finish()
        snap = Snapshot(self.workspace, resources.finish(), prev.version + 1, problems)
        if "config" in (old.kind if old else None, new.kind if new else None):
            self.snapshot = derive(snap)  # agent switches may change anything: fold everything again
            return {path} | set(snap.resources)
        change = apply(prev, snap, path, old, new)
        _carry_name_indexes(prev, snap, change, skills_changed="skill" in (old.kind if old else None, new.kind if new else None))
        self.snapshot = snap
        from crew_lsp.resources.dependents import dependents  # (edits only: `crew-lsp check` never imports it)

        return dependents(prev, snap, path, old, new, change)


def _carry_name_indexes(prev: Snapshot, snap: Snapshot, change: Change, skills_changed: bool) -> None:
    """The previous generation's did-you-mean lookups, with the names that came and went (not rebuilt)."""
    for kind, index in list(prev.name_indexes.items()):  # (a check thread may be adding one)
        if kind == "skills":
            if not skills_changed:
                snap.name_indexes[kind] = index
            continue
        went, came = change.names_out[kind], change.names_in[kind]
        snap.name_indexes[kind] = index.changed(went, came) if went or came else index


def _persistent(table: Mapping) -> Map:
    from immutables import Map

    return table if isinstance(table, Map) else Map(table)
