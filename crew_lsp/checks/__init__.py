"""Rules over (resource, snapshot) → diagnostics. One entry point for the CLI and the server.

The entry points load on first use: `crew-lsp check` answering from the diagnostics cache imports the
diagnostic record and the code table (`checks.diagnostic`, `checks.codes`), not the rules.
"""

__all__ = ["check_resource", "check_snapshot"]


def __getattr__(name: str):
    if name in __all__:
        from crew_lsp.checks import run

        return getattr(run, name)
    raise AttributeError(f"module 'crew_lsp.checks' has no attribute {name!r}")
