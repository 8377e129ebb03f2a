"""What a missing editor means: a skip with the install hint when the editor tests run alone, a
failure under `make test`, which installs every editor first and sets CREW_EDITORS_REQUIRED=1 so a
broken install cannot pass as a skipped test."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest


@pytest.fixture
def editor_missing() -> Callable[[str], None]:
    """Stops the test for a missing editor: a failure when the editors are required, else a skip."""
    def stop(reason: str) -> None:
        if os.environ.get("CREW_EDITORS_REQUIRED") == "1":
            pytest.fail(f"{reason} (required here: CREW_EDITORS_REQUIRED=1)", pytrace=False)
        pytest.skip(reason)
    return stop
