"""The skills a reference can name at a pi-crew version (docs/formats.md, Catalogue at 0.10).

A snapshot's skill map holds the skills found on disk: the workspace's and the ones crew-lsp ships,
which are pi-crew v0.2.0's. A later version ships another set (`catalogue.shipped_skill_names`), so a
skill reference (`skills:`, a role's `skills=`, a step's `skills:`) is checked and completed against
that version's set instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from crew_lsp.resources.catalogue import CATALOGUE_CHANGES, Version, shipped_skill_names
from crew_lsp.resources.model import Resource

_last: tuple[Mapping[str, Resource], Version, dict[str, Resource | None]] | None = None  # the last table built
_changes_skills: dict[Version, bool] = {}  # version → whether a catalogue change of skills applies to it


def known_skills(skills: Mapping[str, Resource], version: Version) -> Mapping[str, Resource | None]:
    """The skills a reference can name at ``version``, from a snapshot's skill map (name → winner).

    Our shipped skills (scope `builtin`) become the ones ``version`` ships: a skill it removed is gone
    unless a workspace skill has its name, and one it added is known by name only (None: its text is
    not shipped). Before the first skill change this is the map itself. A snapshot's maps never change
    once handed out, so the table built for one file is reused for the next file of that snapshot.
    """
    changed = _changes_skills.get(version)
    if changed is None:
        changed = _changes_skills[version] = any(change.kind == "skill" and change.since <= version for change in CATALOGUE_CHANGES)
    if not changed:
        return skills
    global _last
    last = _last  # (one read: threads of the run engine share it)
    if last is not None and last[0] is skills and last[1] == version:
        return last[2]
    shipped = shipped_skill_names(version, {name for name, res in skills.items() if res.scope == "builtin"})
    table: dict[str, Resource | None] = {name: res for name, res in skills.items() if res.scope != "builtin" or name in shipped}
    for name in sorted(shipped - table.keys()):
        table[name] = None
    _last = (skills, version, table)
    return table
