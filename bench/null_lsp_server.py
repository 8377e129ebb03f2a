"""A language server that does nothing: pygls' floor for `bench/lsp.py` (spawn → `initialize` answered).

It imports what every pygls 2 server imports (pygls, lsprotocol, cattrs) and answers `initialize`
with pygls' default capabilities; crew-lsp's start-up is measured against it.
"""

from pygls.lsp.server import LanguageServer

if __name__ == "__main__":
    LanguageServer("null-lsp", "0").start_io()
