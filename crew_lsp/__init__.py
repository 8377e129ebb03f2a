"""crew-lsp: a language server and run engine for pi-crew agent-team definitions."""

__version__ = "0.1.0"
