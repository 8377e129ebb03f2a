"""Compacting a snapshot: every file but the open ones keeps only its text and its facts (docs/architecture.md, Memory).

A parsed file takes about four times the memory of its text. Once a folder is checked, the files no
editor shows are only read again when something asks (a re-check after a name they use changed, a
feature looking into them), so they are parsed again then (`model.Resource`), which costs what the
cold start cost per file.
"""

from __future__ import annotations

from collections.abc import Container

from crew_lsp.resources.facts import Strings
from crew_lsp.resources.fold import derive, prepare_for_edits
from crew_lsp.resources.snapshot import Snapshot
from crew_lsp.resources.workflow import forget_line_cache


def compact_snapshot(snap: Snapshot, keep: Container[str] = ()) -> Snapshot:
    """A snapshot equal to ``snap`` whose resources, but those at the paths in ``keep``, are compacted.

    The maps are built again rather than patched: every long-lived object of the result is new, so
    the memory of the parses it drops is freed in whole blocks, not left pinned by a survivor here
    and there. Resources at ``keep`` paths stay the same objects.
    """
    strings = Strings()
    resources = {path: res if path in keep else res.compacted(strings) for path, res in snap.resources.items()}
    forget_line_cache()  # (its entries, made while parsing, would pin the parses' memory too)
    out = prepare_for_edits(derive(Snapshot(snap.workspace, resources, snap.version, dict(snap.problems))))
    out.name_indexes.update(snap.name_indexes)  # (the same names: the did-you-mean lookups still hold)
    return out
