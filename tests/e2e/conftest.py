"""One running assistant shared by the end-to-end tests of a session."""

from __future__ import annotations

import pytest

from tests.e2e.servers import MODEL, RunningAssistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> RunningAssistant:
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    running = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield running
    running.stop()
