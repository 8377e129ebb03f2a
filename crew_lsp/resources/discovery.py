"""Roots, scopes and the files in them (docs/formats.md: Roots and discovery, Skills, Config)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from crew_lsp.resources.loader import Loader
from crew_lsp.resources.record import Record
from crew_lsp.resources.shipped import shipped_root
from crew_lsp.resources.version_detect import Detection, detect
from crew_lsp.resources.versions import BASELINE, Reading, reading_for, show

_REPO_DIR_MARKERS = (".git", ".pi", ".crew", ".hg", ".svn", ".factory", ".omc")
_REPO_FILE_MARKERS = (
    "package.json", "pyproject.toml", "Cargo.toml", "go.mod", "pom.xml", "composer.json", "build.gradle", "build.gradle.kts",
)
KIND_DIRS = {"agent": "agents", "team": "teams", "workflow": "workflows"}
DYNAMIC_WORKFLOW = ".dwf.ts"  # a workflow written as code: known by its name, not read
_NOT_AGENTS = (".team.md", ".workflow.md")  # `.md` files in an agents folder that are no agent


def home(aliases: tuple[str, ...] = ("PI_TEAMS_HOME",)) -> Path:
    """The user root's home: the first of the version's home variables that is set, else the OS home."""
    for name in aliases:
        value = os.environ.get(name, "").strip()
        if value:
            return Path(value)
    return Path.home()


def user_root(aliases: tuple[str, ...] = ("PI_TEAMS_HOME",)) -> Path:
    return home(aliases) / ".pi" / "agent"


def user_config_root(reading: Reading) -> tuple[Path, str | None]:
    """Where the user's config files are read, and why it is not the user root (None when it is).

    From 0.10.1 pi-crew's config loader ignores a home variable that names a folder outside the OS
    home (unless `PI_CREW_SKIP_HOME_CHECK=1`): the config then comes from the OS home, while agents,
    teams and workflows still come from the user root.
    """
    root = user_root(reading.home_aliases)
    if not reading.config_home_inside_home or os.environ.get("PI_CREW_SKIP_HOME_CHECK", "").strip() == "1":
        return root, None
    named = next((name for name in reading.home_aliases if os.environ.get(name, "").strip()), None)
    if named is None:
        return root, None
    real = Path.home()
    chosen = home(reading.home_aliases)
    if chosen.resolve().is_relative_to(real.resolve()):
        return root, None
    return real / ".pi" / "agent", (f"`{named}` ({chosen}) is outside the home folder {real}: pi-crew {show(reading.version)} "
                                    f"reads the user config from {real / '.pi' / 'agent'} (`PI_CREW_SKIP_HOME_CHECK=1` keeps `{named}`)")


def _stops() -> set[Path]:
    import tempfile  # only when the walk needs it (it imports shutil, random, …: a few ms of start-up)

    return {home().resolve(), Path(tempfile.gettempdir()).resolve(), Path.home().resolve()}


def repo_root(folder: Path) -> Path:
    """The walk stops at the OS home or temp dir; the stop set is worked out only when it can matter."""
    start = current = folder.resolve()
    stops: set[Path] | None = None
    while True:
        if any((current / m).is_dir() for m in _REPO_DIR_MARKERS) or any((current / m).is_file() for m in _REPO_FILE_MARKERS):
            # a stop folder is never the root, but the folder itself is the fallback anyway
            if current == start:
                return current
            stops = _stops() if stops is None else stops
            if current in stops:
                break
            return current
        stops = _stops() if stops is None else stops
        if current in stops:
            break
        if current.parent == current:
            break
        current = current.parent
    return folder.resolve()


def crew_root(repo: Path) -> Path:
    if (repo / ".crew").is_dir():
        return repo / ".crew"
    if (repo / ".pi").is_dir():
        return repo / ".pi" / "teams"
    return repo / ".crew"


def is_resource_package(folder: Path) -> bool:
    """A folder that ships its own agents/teams/workflows (pi-crew's repository, or ours)."""
    return (folder / "agents").is_dir() and ((folder / "teams").is_dir() or (folder / "workflows").is_dir())


class Workspace(Record):
    """Every root one workspace folder sees, resolved once."""

    __slots__ = ("folder", "repo", "crew", "builtin", "user", "extra_roots", "detection", "reading", "user_config", "user_config_why")

    def __init__(self, folder: Path, repo: Path, crew: Path, builtin: Path, user: Path, extra_roots: list[Path] | None = None,
                 detection: Detection | None = None, reading: Reading | None = None, user_config: Path | None = None,
                 user_config_why: str | None = None):
        self.folder = folder
        self.repo = repo
        self.crew = crew
        self.builtin = builtin
        self.user = user
        self.extra_roots = [] if extra_roots is None else extra_roots
        self.detection = detection  # which pi-crew version this workspace runs, and why (None: not detected)
        self.reading = reading if reading is not None else BASELINE if detection is None else reading_for(detection.version)
        self.user_config = user if user_config is None else user_config  # the folder of the user's config files
        self.user_config_why = user_config_why  # why that is not the user root (None: it is)

    @classmethod
    def discover(cls, folder: Path | str, extra_roots: list[str] | None = None, pi_crew_version: str | None = None) -> Workspace:
        """The roots of ``folder``, read as the pi-crew version it runs (``pi_crew_version``: the
        user's choice, `auto` or None to detect it). Raises VersionError for a bad version text."""
        folder = Path(folder).resolve()
        repo = repo_root(folder)
        builtin = folder if is_resource_package(folder) else shipped_root()
        extras = [Path(r).expanduser().resolve() for r in extra_roots or []]
        detection = detect(repo, pi_crew_version)
        reading = reading_for(detection.version)
        user_config, why = user_config_root(reading)
        return cls(folder, repo, crew_root(repo), builtin, user_root(reading.home_aliases), extras, detection, reading, user_config, why)

    def scope_dirs(self) -> list[tuple[str, Path]]:
        """Resource roots in fold order: project first, then builtin, then user (later wins)."""
        project = [("project", self.crew)] + [("project", r) for r in self.extra_roots]
        return project + [("builtin", self.builtin), ("user", self.user)]

    def pi_agents(self) -> Path | None:
        """`<repo>/.pi/agents`, the 4th agent root of the versions that read it (after the crew root's agents)."""
        return self.repo / ".pi" / "agents" if self.reading.pi_agent_root else None

    def boundaries(self) -> list[Path]:
        """The roots no read may leave (through a symlink): the repository, each extra root, the user root, ours."""
        config = [self.user_config] if self.user_config != self.user else []
        return [self.repo, *self.extra_roots, self.user, *config, self.builtin]

    def skill_roots(self) -> list[tuple[str, Path]]:
        if self.builtin == self.folder:
            return [("builtin", self.folder / "skills")]  # a resource package's skills are the builtin ones
        return [("project", self.folder / "skills"), ("builtin", self.builtin / "skills")]

    def config_files(self) -> list[tuple[str, Path]]:
        """Config files in merge order (later wins), with their role."""
        return [
            ("legacy-user", self.user_config / "extensions" / "pi-crew" / "config.json"),
            ("user", self.user_config / "pi-crew.json"),
            ("project", self.crew / "config.json"),
            ("repo", self.repo / ".pi" / "pi-crew.json"),
        ]

    def guidance_file(self) -> Path:
        """The AGENTS.md whose PI-CREW guidance section pi-crew reads and writes (docs/formats.md)."""
        return self.repo / "AGENTS.md"

    def reported(self, path: str) -> bool:
        """Files `crew-lsp check` reports: those inside the workspace folder (not the user root)."""
        if _under(path, str(self.user)):
            return False
        return _under(path, str(self.folder)) or any(_under(path, str(r)) for r in self.extra_roots)

    def reported_filter(self) -> Callable[[str], bool]:
        """`reported` with its root strings worked out once (for a loop over many paths)."""
        user = str(self.user)
        user_prefix = _prefix(user)
        names = frozenset(str(r) for r in (self.folder, *self.extra_roots))
        prefixes = tuple(_prefix(r) for r in names)

        def reported(path: str) -> bool:
            if path == user or path.startswith(user_prefix):
                return False
            return path in names or path.startswith(prefixes)

        return reported

    def classify(self, path: str) -> tuple[str, str] | None:
        """(kind, scope) of a path by where it lies; None when it is no resource of this workspace."""
        p = Path(path)
        parent = p.parent
        name = p.name
        for role, cfg in self.config_files():
            if p == cfg:
                return "config", "user" if "user" in role else "project"
        if name == "AGENTS.md" and parent == self.repo:
            return "guidance", "project"
        if name == "SKILL.md":
            for scope, root in self.skill_roots():
                if parent.parent == root:
                    return "skill", scope
            return None
        for scope, root in self.scope_dirs():
            if parent == root / "agents" and name.endswith(".md") and not name.endswith((".team.md", ".workflow.md")):
                return "agent", scope
            if parent == root / "teams" and name.endswith(".team.md"):
                return "team", scope
            if parent == root / "workflows" and (name.endswith(".workflow.md") or self.reading.dynamic_workflows and name.endswith(DYNAMIC_WORKFLOW)):
                return "workflow", scope
        if parent == self.pi_agents() and name.endswith(".md") and not name.endswith((".team.md", ".workflow.md")):
            return "agent", "project"
        if self.builtin == shipped_root() and p in self.reading.added_builtin_agents():
            return "agent", "builtin"
        return None

    def config_role(self, path: str) -> str:
        if ".json" not in path:  # no config file (whatever the spelling of the path): skip the Path objects
            return "project"
        for role, cfg in self.config_files():
            if Path(path) == cfg:
                return role
        return "project"


def _prefix(root: str) -> str:
    return root if root.endswith(os.sep) else root + os.sep


def _under(path: str, root: str) -> bool:
    """Lexical containment of absolute paths (as Path.relative_to, without building Path objects)."""
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def _listdir(path: str, loader: Loader) -> list[str]:
    """A folder's entries; none when the folder is (or lies below) a symlink leaving its root."""
    try:
        return sorted(os.listdir(path)) if loader.lists(path) else []
    except OSError:
        return []


def _kind_folders(ws: Workspace, pi_agents: Path | None) -> list[tuple[str, str, str]]:
    """(scope, folder, kind) of every resource folder, in fold order (`.pi/agents` right after the crew root's)."""
    out = []
    for scope, root in ws.scope_dirs():
        out += [(scope, os.path.join(str(root), sub), kind) for kind, sub in KIND_DIRS.items()]
        if pi_agents is not None and root == ws.crew:
            out.append(("project", str(pi_agents), "agent"))
    return out


def scan(ws: Workspace, loader: Loader | None = None) -> list[tuple[str, str, str]]:
    """Every resource file of every scope as (kind, scope, path), in fold order.

    A name is listed whatever it is (a FIFO, a symlink): the loader decides whether it is read.
    """
    loader = Loader(ws.boundaries()) if loader is None else loader
    found: list[tuple[str, str, str]] = []
    join = os.path.join  # plain strings: a Path per file costs more than reading the file
    lexists = os.path.lexists
    dynamic = ws.reading.dynamic_workflows
    pi_agents = ws.pi_agents()
    for scope, folder, kind in _kind_folders(ws, pi_agents):
        below = _prefix(folder)  # (what `os.path.join` gives a plain name, without its per-call checks)
        names = _listdir(folder, loader)
        if kind == "agent":
            found += [(kind, scope, below + n) for n in names if n.endswith(".md") and not n.endswith(_NOT_AGENTS)]
        else:
            suffix = (f".{kind}.md", DYNAMIC_WORKFLOW) if dynamic and kind == "workflow" else f".{kind}.md"
            found += [(kind, scope, below + n) for n in names if n.endswith(suffix)]
    if ws.builtin == shipped_root():  # (a resource package ships its own builtins)
        found += [("agent", "builtin", str(path)) for path in ws.reading.added_builtin_agents() if lexists(str(path))]
    for scope, root in ws.skill_roots():
        for name in _listdir(str(root), loader):
            folder = join(str(root), name)
            skill = join(folder, "SKILL.md")
            if lexists(skill) and loader.lists(folder):
                found.append(("skill", scope, skill))
    for _role, cfg in ws.config_files():
        path = str(cfg)
        if lexists(path) and loader.lists(os.path.dirname(path)):
            found.append(("config", "user" if "user" in _role else "project", path))
    guidance = str(ws.guidance_file())
    if lexists(guidance):  # one look, at the repository root only: where pi-crew writes it
        found.append(("guidance", "project", guidance))
    return found
