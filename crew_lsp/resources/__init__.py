"""The language: text in, facts with positions out. Knows nothing of LSP."""
