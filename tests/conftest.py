"""Shared fixtures: a fresh database per test, and the catalog loaded into it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings

REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path), "DOSSIER_API_TOKEN": "test-token"})


@pytest.fixture
def services(settings: Settings):
    from bot.app import Services

    svc = Services.from_settings(settings)
    svc.load_catalog()
    yield svc
    svc.engine.dispose()


@pytest.fixture(scope="session")
def catalog():
    from bot.core.catalog import load_catalog

    return load_catalog(PROJECT_ROOT / "data" / "procedures")


@pytest.fixture(scope="session")
def guide(catalog):
    from bot.core.guide import ProcedureGuide
    from bot.core.text import Lexicon

    return ProcedureGuide(catalog, Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml"))
