"""Rules over (resource, snapshot) → diagnostics. One entry point for the CLI and the server."""

from crew_lsp.checks.run import check_resource, check_snapshot

__all__ = ["check_resource", "check_snapshot"]
