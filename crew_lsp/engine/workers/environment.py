"""What a worker inherits from this process's environment: an allow-list, never a deny-list.

A worker gets the variables a program needs to run at all (PATH, HOME, locale, terminal, temp dir,
proxies and CA certificates), the engine's own (``PI_CREW_*``, ``CREW_*``, ``PI_TEAMS_*``), its
runtime's own (``PI_*`` for `pi`) and whatever the user lists (``worker.passEnv``, ``--pass-env``,
``CREW_WORKER_PASS_ENV``) — a model provider's key reaches `pi` only when the user names it. Anything
else (``PGPASSWORD``, ``GH_PAT``, ``DATABASE_URL``, ``AWS_ACCESS_KEY_ID``) stays behind. A variable
allowed by a prefix but named like a secret (``PI_API_KEY``) stays behind too unless listed.
Values are handed over as they are and never logged; redaction covers what the worker prints.
"""

from __future__ import annotations

from typing import Mapping

from crew_lsp.engine.config import WorkerSettings
from crew_lsp.telemetry.redact import is_secret_key

# needed by almost any program (the Windows names matter only there)
BASE_NAMES = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "COLORTERM", "NO_COLOR",
    "FORCE_COLOR", "TZ", "TMPDIR", "TMP", "TEMP",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
    "SYSTEMROOT", "SYSTEMDRIVE", "COMSPEC", "PATHEXT", "WINDIR", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
})
BASE_PREFIXES = ("LC_", "XDG_", "PI_CREW_", "PI_TEAMS_", "CREW_")
# a runtime's own settings: `pi` reads PI_CODING_AGENT_DIR, PI_OFFLINE, PI_SKIP_VERSION_CHECK, ...
RUNTIME_PREFIXES = {"pi": ("PI_",)}


def _listed(name: str, listed: tuple[str, ...]) -> bool:
    for pattern in listed:
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return True
    return False


def worker_environment(settings: WorkerSettings, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment a worker of ``settings`` starts with, taken from ``environ``."""
    prefixes = BASE_PREFIXES + RUNTIME_PREFIXES.get(settings.runtime, ())
    out = {}
    for name, value in environ.items():
        if _listed(name, settings.pass_env) or name in BASE_NAMES or (name.startswith(prefixes) and not is_secret_key(name)):
            out[name] = value
    return out
