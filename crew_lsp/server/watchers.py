"""The file watchers the server asks the client for: every file the index reads (resources/discovery.py
`scan`), and the folders holding them (a created or deleted folder arrives as one event for the folder);
and, for clients that watch nothing for the server, the directories its own OS watcher watches
(disk_watch.py).

Inside a workspace folder the client watches by glob; a root outside every workspace folder (the
user root, `crew.roots` elsewhere, a crew root above a workspace folder opened inside a repository,
the builtin resources) is watched with relative patterns, for clients that support them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from lsprotocol import types as T

from crew_lsp.resources.discovery import KIND_DIRS, Workspace
from crew_lsp.resources.loader import Loader

# a resource root (`.crew`, `.pi/teams`, an extra root, the user root): its kind folders and their files
ROOT_GLOBS = ("agents/*.md", "teams/*.team.md", "workflows/*.workflow.md", *KIND_DIRS.values())
SKILL_GLOBS = ("*/SKILL.md", "*")  # below a skills folder

# relative to each workspace folder, wherever the crew root and the skills lie below it
WORKSPACE_GLOBS = (
    *(f"**/{g}" for g in ROOT_GLOBS),
    "**/skills/*/SKILL.md",
    "**/skills",
    "**/skills/*",
    "**/.crew/config.json",
    "**/.pi/teams/config.json",
    "**/.pi/pi-crew.json",
    "**/.crew",
    "**/.pi",
    "**/AGENTS.md",  # (only the repository root's is read: another one changing costs a rescan)
)


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def file_watchers(workspaces: list[Workspace], relative: bool, uri: Callable[[str], str]) -> list[T.FileSystemWatcher]:
    """Watchers covering every file `scan` reads for these workspaces (relative patterns only when
    the client supports them: without, what lies outside the workspace folders is polled by nobody)."""
    watchers = [T.FileSystemWatcher(glob_pattern=g) for g in WORKSPACE_GLOBS]
    if not relative:
        return watchers
    folders = [ws.folder for ws in workspaces]
    wanted: dict[Path, set[str]] = {}

    def watch(base: Path, globs: Iterable[str]) -> None:
        if not _inside(base, folders):
            wanted.setdefault(base, set()).update(globs)

    for ws in workspaces:
        for _scope, root in ws.scope_dirs():
            watch(root, ROOT_GLOBS)
        for _scope, root in ws.skill_roots():
            watch(root, SKILL_GLOBS)
        for _role, config in ws.config_files():
            watch(config.parent, (config.name,))
        guidance = ws.guidance_file()
        watch(guidance.parent, (guidance.name,))
    for base in sorted(wanted):
        for glob in sorted(wanted[base]):
            watchers.append(T.FileSystemWatcher(glob_pattern=T.RelativePattern(base_uri=uri(str(base)), pattern=glob)))
    return watchers


def content_directories(ws: Workspace) -> set[str]:
    """The directories whose entries `scan` reads: a change inside one may be a resource file."""
    dirs = {str(root / sub) for _scope, root in ws.scope_dirs() for sub in KIND_DIRS.values()}
    for _scope, root in ws.skill_roots():
        dirs.add(str(root))
        try:
            dirs.update(str(entry.path) for entry in os.scandir(root) if entry.is_dir(follow_symlinks=False))
        except OSError:
            pass
    dirs.update(str(config.parent) for _role, config in ws.config_files())
    return dirs


def directories_to_watch(workspaces: list[Workspace]) -> tuple[frozenset[str], frozenset[str]]:
    """(the content directories, the directories an OS watcher watches, none recursively).

    An existing content directory is watched when `scan` would list it (never one reached through a
    symlink leaving its root); a missing one through its nearest existing ancestor, which sees it
    appear. Nothing is watched recursively, so no symlinked tree is ever walked.
    """
    content: set[str] = set()
    watch: set[str] = set()
    for ws in workspaces:
        loader = Loader(ws.boundaries())
        for folder in content_directories(ws):
            content.add(folder)
            if os.path.lexists(folder):
                if os.path.isdir(folder) and loader.lists(folder):
                    watch.add(folder)
                continue
            ancestor = os.path.dirname(folder)
            while not os.path.lexists(ancestor) and ancestor != os.path.dirname(ancestor):
                ancestor = os.path.dirname(ancestor)
            if os.path.isdir(ancestor) and os.path.realpath(ancestor) == ancestor:
                watch.add(ancestor)
    return frozenset(content), frozenset(watch)
