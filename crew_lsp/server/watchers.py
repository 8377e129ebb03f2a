"""The file watchers the server asks the client for: every file the index reads (resources/discovery.py
`scan`), and the folders holding them (a created or deleted folder arrives as one event for the folder).

Inside a workspace folder the client watches by glob; a root outside every workspace folder (the
user root, `crew.roots` elsewhere, a crew root above a workspace folder opened inside a repository,
the builtin resources) is watched with relative patterns, for clients that support them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from lsprotocol import types as T

from crew_lsp.resources.discovery import DYNAMIC_WORKFLOW, KIND_DIRS, Workspace
from crew_lsp.resources.version_detect import pi_agent_dir

# below a pi settings folder (`<repo>/.pi`, `~/.pi/agent`): the files that say which pi-crew version runs
VERSION_GLOBS = ("settings.json", "npm/node_modules/pi-crew/package.json", "git/github.com/baphuongna/pi-crew/package.json")

# a resource root (`.crew`, `.pi/teams`, an extra root, the user root): its kind folders and their files
ROOT_GLOBS = ("agents/*.md", "teams/*.team.md", "workflows/*.workflow.md", f"workflows/*{DYNAMIC_WORKFLOW}", *KIND_DIRS.values())
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
    *(f"**/.pi/{g}" for g in VERSION_GLOBS),
)


def is_version_source(path: str) -> bool:
    """A file the pi-crew version is detected from (a pi settings file, an installed pi-crew's package.json)."""
    p = Path(path)
    if p.name == "settings.json":
        return p.parent.name == ".pi" or p.parent == pi_agent_dir()
    return p.name == "package.json" and p.parent.name == "pi-crew"



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
    if workspaces:
        watch(pi_agent_dir(), VERSION_GLOBS)
    for base in sorted(wanted):
        for glob in sorted(wanted[base]):
            watchers.append(T.FileSystemWatcher(glob_pattern=T.RelativePattern(base_uri=uri(str(base)), pattern=glob)))
    return watchers
