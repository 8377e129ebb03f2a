"""The language server (pygls glue only): see `crew_lsp.server.app` for the module map."""
