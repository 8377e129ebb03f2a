import sys

from crew_lsp.cli import main

sys.exit(main())
