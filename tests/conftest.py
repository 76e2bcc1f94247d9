"""Shared fixtures: a fresh database per test, and the catalog loaded into it.

Time comes from the `clock` fixture (the real clock); a test module or a
parametrized test fixes time by overriding it, e.g. `def clock(): return lambda: NOW`.
`app_services` makes the test's services the action server's (`bot.app.services()`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings

REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path), "DOSSIER_API_TOKEN": "test-token"})


@pytest.fixture
def clock():
    from bot.core.clock import now_utc

    return now_utc


@pytest.fixture
def services(settings: Settings, clock):
    from bot.app import Services

    svc = Services.from_settings(settings, clock=clock)
    svc.load_catalog()
    yield svc
    svc.engine.dispose()


@pytest.fixture
def app_services(services):
    """Actions call bot.app.services(): make it return the test's services, then put back the previous ones."""
    from bot.app import use_services

    previous = use_services(services)
    yield services
    use_services(previous)


@pytest.fixture(scope="session")
def catalog():
    from bot.core.catalog import load_catalog

    return load_catalog(PROJECT_ROOT / "data" / "procedures")


@pytest.fixture(scope="session")
def guide(catalog):
    from bot.core.guide import ProcedureGuide
    from bot.core.text import Lexicon

    return ProcedureGuide(catalog, Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml"))
