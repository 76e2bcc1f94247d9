"""Wiring: build the core services from settings, lazily and once per process.

Adapters (actions, channels, CLI) call `services()`; tests build `Services`
directly with their own engine and catalog.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.catalog import load_catalog
from bot.core.guide import ProcedureGuide
from bot.core.office import DEFAULT_PLACE, DeploymentError, Office, Place, load_office
from bot.core.text import Lexicon
from bot.db.catalog_store import CatalogStore
from bot.db.dossier_store import DossierStore
from bot.db.engine import make_engine, upgrade
from bot.db.feedback_store import FeedbackStore, RatingStore
from bot.db.outbox_store import OutboxStore
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalog: CatalogStore
    lexicon: Lexicon
    _guide: ProcedureGuide | None = None
    _guide_fingerprint: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    outbox: OutboxStore = field(init=False)
    dossiers: DossierStore = field(init=False)
    feedback: FeedbackStore = field(init=False)
    ratings: RatingStore = field(init=False)
    _office: tuple[float, Office | None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.outbox = OutboxStore(self.engine)
        self.dossiers = DossierStore(self.engine, place=self.place)
        self.feedback = FeedbackStore(self.engine)
        self.ratings = RatingStore(self.engine)

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

    def office(self) -> Office | None:
        """The deployment file as it is now (re-read when staff edit it); None if it is broken."""
        path = self.settings.deployment_file
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = -1.0
        with self._lock:
            if self._office is None or self._office[0] != mtime:
                try:
                    office: Office | None = load_office(path)
                except DeploymentError as exc:
                    logger.error("%s", exc)
                    office = None
                self._office = (mtime, office)
            return self._office[1]

    def place(self) -> Place:
        office = self.office()
        return office.place if office else DEFAULT_PLACE

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
            built = Services.from_settings(get_settings())
            if built.catalog.count() == 0:
                built.load_catalog()  # raises on a bad catalog: nothing is kept half-built
            _services = built
        return _services
