"""Wiring: build the core services from settings, lazily and once per process.

Adapters (actions, channels, CLI) call `services()`; tests build `Services`
directly with their own engine and catalog.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.catalog import load_catalog
from bot.core.guide import ProcedureGuide
from bot.core.text import Lexicon
from bot.db.catalog_store import CatalogStore
from bot.db.engine import make_engine, upgrade
from bot.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalog: CatalogStore
    lexicon: Lexicon
    _guide: ProcedureGuide | None = None
    _guide_fingerprint: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings, migrate: bool = True) -> "Services":
        engine = make_engine(settings.database_url)
        if migrate:
            upgrade(engine)
        return cls(settings, engine, CatalogStore(engine), Lexicon.from_file(settings.lexicon_path))

    def guide(self) -> ProcedureGuide:
        """The procedure guide over the catalog as stored now; rebuilt after a reload."""
        current = self.catalog.fingerprint()
        with self._lock:
            if self._guide is None or current != self._guide_fingerprint:
                self._guide = ProcedureGuide(self.catalog.all_procedures(), self.lexicon)
                self._guide_fingerprint = current
            return self._guide

    def load_catalog(self, directory: Path | None = None) -> int:
        """Validate every catalog file, then replace the stored catalog in one transaction."""
        procedures = load_catalog(directory or self.settings.catalog_dir)
        return self.catalog.replace_all(procedures)


_services: Services | None = None
_services_lock = threading.Lock()


def services() -> Services:
    global _services
    with _services_lock:
        if _services is None:
            _services = Services.from_settings(get_settings())
            if _services.catalog.count() == 0:
                _services.load_catalog()
        return _services
