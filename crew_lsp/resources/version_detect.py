"""Which pi-crew version a workspace runs, and why we think so (README, Versions).

In order: the `piCrewVersion` setting (or `--pi-crew-version`); the project's `.pi/settings.json`
`packages` entry for pi-crew; the user's pi settings (`$PI_CODING_AGENT_DIR/settings.json`, else
`~/.pi/agent/settings.json`); else the newest version crew-lsp knows. A `packages` entry is pinned
(`npm:pi-crew@0.10.1`) or points at an installed package whose `package.json` says the version.
Every file is read through the loader (regular files only, bounded, no symlink leaving its root): a
cloned workspace decides nothing but the version number.
"""

from __future__ import annotations

import os
from pathlib import Path

from crew_lsp.resources.jsonread import JsonReadError, loads
from crew_lsp.resources.loader import Loader
from crew_lsp.resources.record import Record
from crew_lsp.resources.versions import NEWEST, Version, VersionError, parse_version, show

_PACKAGE = "pi-crew"
_GIT_PATH = ("github.com", "baphuongna", "pi-crew")


class Detection(Record):
    """The version found, where it came from ("setting", "project .pi/settings.json", …) and why."""

    __slots__ = ("version", "source", "why", "newer_than_known")

    def __init__(self, version: Version, source: str, why: str, newer_than_known: Version | None = None):
        self.version = version  # the version read as (never newer than the newest known)
        self.source = source
        self.why = why
        self.newer_than_known = newer_than_known  # the version found, when it is newer than crew-lsp knows

    @property
    def shown(self) -> str:
        return show(self.version)

    def describe(self) -> str:
        """One line for `crew-lsp doctor` and the language status."""
        text = f"pi-crew {self.shown} ({self.source}: {self.why})"
        if self.newer_than_known:
            text += f"; {show(self.newer_than_known)} is newer than crew-lsp knows, read as {self.shown}"
        return text


def pi_agent_dir() -> Path:
    """pi's own settings folder: `$PI_CODING_AGENT_DIR`, else `~/.pi/agent` under the OS home."""
    value = os.environ.get("PI_CODING_AGENT_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".pi" / "agent"


def detect(repo: Path, setting: str | None = None, agent_dir: Path | None = None) -> Detection:
    """The pi-crew version of the workspace whose repository root is ``repo``.

    ``setting`` is the user's explicit choice (`"auto"`, empty or None: detect). Raises VersionError
    when the setting is not a version.
    """
    if setting and setting.strip().lower() != "auto":
        return _capped(parse_version(setting), "setting", f"`piCrewVersion` is {setting.strip()}")
    project = _from_settings(repo / ".pi" / "settings.json", repo / ".pi", Loader([repo]), trusted=False)
    if project is not None:
        return _capped(project[0], "project .pi/settings.json", project[1])
    agent_dir = pi_agent_dir() if agent_dir is None else agent_dir
    user = _from_settings(agent_dir / "settings.json", agent_dir, Loader([agent_dir]), trusted=True)
    if user is not None:
        return _capped(user[0], "user pi settings", user[1])
    return Detection(NEWEST, "newest known", "no setting and no pi-crew package entry in the project's or the user's pi settings")


def _capped(version: Version, source: str, why: str) -> Detection:
    if version > NEWEST:
        return Detection(NEWEST, source, why, newer_than_known=version)
    return Detection(version, source, why)


def _read_json(path: Path, loader: Loader) -> object | None:
    loaded = loader.load(str(path))
    if loaded.text is None or loaded.problem is not None:
        return None
    try:
        return loads(loaded.text)
    except JsonReadError:
        return None


def _from_settings(settings: Path, base: Path, loader: Loader, trusted: bool) -> tuple[Version, str] | None:
    """(version, why) from a pi settings file's pi-crew `packages` entry; None when it names none we can read."""
    value = _read_json(settings, loader)
    packages = value.get("packages") if isinstance(value, dict) else None
    if not isinstance(packages, list):
        return None
    where = str(settings)
    for entry in packages:
        source = entry.get("source") if isinstance(entry, dict) else entry
        if not isinstance(source, str):
            continue
        found = _from_entry(source.strip(), settings.parent, base, loader, trusted)
        if found is not None:
            return found[0], f"{where} lists `{source.strip()}`{found[1]}"
    return None


def _from_entry(source: str, folder: Path, base: Path, loader: Loader, trusted: bool) -> tuple[Version, str] | None:
    if source.startswith("npm:"):
        spec = source[4:]
        name, at, pinned = spec.rpartition("@") if spec.rfind("@") > 0 else (spec, "", "")
        if name != _PACKAGE:
            return None
        if at:
            try:
                return parse_version(pinned, short=False), ""
            except VersionError:
                pass  # a tag such as `latest`: the installed package says which
        return _installed(base / "npm" / "node_modules" / _PACKAGE / "package.json", loader)
    if source.startswith("git:") or "://" in source:
        path = source[4:] if source.startswith("git:") else source.split("://", 1)[1]
        path = path.split("@", 1)[0].removesuffix(".git").strip("/")
        if tuple(path.split("/")[-3:]) != _GIT_PATH:
            return None
        return _installed(base / "git" / Path(*_GIT_PATH) / "package.json", loader)
    local = (folder / Path(source).expanduser()).resolve()  # (an absolute path stays itself)
    if trusted:
        return _installed(local / "package.json", Loader([local]))
    if not local.is_relative_to(base.parent.resolve()):
        return None  # a cloned workspace names no folder outside itself for us to read
    return _installed(local / "package.json", loader)


def _installed(package: Path, loader: Loader) -> tuple[Version, str] | None:
    value = _read_json(package, loader)
    if not isinstance(value, dict) or value.get("name") != _PACKAGE or not isinstance(value.get("version"), str):
        return None
    try:
        return parse_version(value["version"], short=False), f", installed at {package.parent} (version {value['version']})"
    except VersionError:
        return None
