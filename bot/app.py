"""Wiring: the one place that builds the database engine and the core services.

Each entry point builds `Services` once and passes them down:

- the command line: `bot.cli.main(argv, settings=None, services=None)` builds
  them on a command's first `ctx.services()` call, at most once per run, and
  hands them to the web app and the channels it starts;
- the action server (Rasa imports `bot.actions`): actions call `services()`,
  built on first use from `get_settings()`; tests install their own with
  `use_services(svc)` (the `app_services` fixture).

Tests build `Services.from_settings(settings, clock=...)` with their own
settings and, to fix the time, their own clock. `build_engine` is for code
that needs the database but not the services (migrations, channel tokens).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from bot.core.accounts import LockPolicy
from bot.core.catalog import load_catalog
from bot.core.clock import now_utc
from bot.core.conversation_events import StoredEvent
from bot.core.dossiers.access import CheckLimits
from bot.core.guide import ProcedureGuide
from bot.core.office import DEFAULT_PLACE, DeploymentError, Office, Place, load_office
from bot.core.published import merge_tiers
from bot.core.text import Lexicon
from bot.core.usage_report import Period, UsageReport, compute, ranked_procedures, turns_in
from bot.db.account_store import AccountStore, SecretStore
from bot.db.audit_store import AuditStore
from bot.db.catalog_store import CatalogStore
from bot.db.conversation_store import ConversationStore
from bot.db.dossier_store import DossierStore
from bot.db.engine import make_engine, upgrade
from bot.db.feedback_store import FeedbackStore, RatingStore
from bot.db.limit_store import HitStore
from bot.db.outbox_store import OutboxStore
from bot.db.published_store import PublishedStore
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def build_engine(settings: Settings, *, migrate: bool = False) -> Engine:
    """The database engine for `settings`; with migrate, the schema is brought to the latest version."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return engine


@dataclass
class Services:
    """The stores and the procedure guide over one database.

    `clock` is the current time (aware, to the second; UTC by default); every
    store and every adapter asks it instead of the system clock, so tests fix time.
    """

    settings: Settings
    engine: Engine
    catalog: CatalogStore
    lexicon: Lexicon
    clock: Clock = now_utc
    _guide: ProcedureGuide | None = None
    _guide_fingerprint: tuple[str | None, str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    outbox: OutboxStore = field(init=False)
    dossiers: DossierStore = field(init=False)
    feedback: FeedbackStore = field(init=False)
    ratings: RatingStore = field(init=False)
    published: PublishedStore = field(init=False)
    request_limits: HitStore = field(init=False)
    accounts: AccountStore = field(init=False)
    audit: AuditStore = field(init=False)
    secrets: SecretStore = field(init=False)
    _office: tuple[float, Office | None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.outbox = OutboxStore(self.engine, clock=self.clock)
        s = self.settings
        limits = CheckLimits.of(per_code=s.dossier_check_failures_per_code, per_ip=s.dossier_check_failures_per_ip,
                                overall=s.dossier_check_failures_global)
        self.dossiers = DossierStore(self.engine, place=self.place, limits=limits, clock=self.clock)
        self.feedback = FeedbackStore(self.engine, clock=self.clock)
        self.ratings = RatingStore(self.engine, clock=self.clock)
        self.published = PublishedStore(self.engine, clock=self.clock)
        self.request_limits = HitStore(self.engine, clock=self.clock)
        lock = LockPolicy(s.staff_login_failures_per_account, dt.timedelta(minutes=s.staff_lockout_minutes))
        self.accounts = AccountStore(self.engine, clock=self.clock, policy=lock)
        self.audit = AuditStore(self.engine)
        self.secrets = SecretStore(self.engine, clock=self.clock)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True, clock: Clock = now_utc) -> "Services":
        """Open the database (migrated unless migrate=False) and the lexicon; nothing else is read yet."""
        engine = build_engine(settings, migrate=migrate)
        return cls(settings, engine, CatalogStore(engine), Lexicon.from_file(settings.lexicon_path), clock)

    def guide(self) -> ProcedureGuide:
        """The procedure guide over both tiers as stored now: curated records, and the
        published ones no curated record overrides.

        Built once per process; each call only reads the two stored fingerprints (two
        one-row queries), so a `bot procedures load` or `import-portal` run by another
        process is picked up on the next request, with one rebuild.
        """
        current = (self.catalog.fingerprint(), self.published.fingerprint())
        with self._lock:
            if self._guide is None or current != self._guide_fingerprint:
                records = merge_tiers(self.catalog.all_procedures(), self.published.all())
                self._guide = ProcedureGuide(records, self.lexicon)
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

    def _events(self, period: Period) -> list[StoredEvent]:
        return ConversationStore(self.engine).events_between(period.start, period.end)

    def usage_report(self, period: Period) -> UsageReport:
        """How the assistant did over `period`, from stored conversations, ratings and tickets."""
        start, end = period.start, period.end
        events = self._events(period)
        guide = self.guide()
        return compute(period, events, self.ratings.records_between(start, end),
                       self.feedback.times_between(start, end),
                       procedure_name=lambda code: p.name if (p := guide.get(code)) else "")

    def procedures_asked(self, period: Period) -> tuple[int, list[tuple[str, int]]]:
        """How many citizen messages are stored for `period`, and (code, turns answered) for each procedure
        the assistant answered then, most asked first (the usage report's top procedures, not cut short)."""
        period_turns = turns_in(period, self._events(period))
        return len(period_turns), ranked_procedures(period_turns)

    def load_catalog(self, directory: Path | None = None, *, prefer_files: bool = False) -> int:
        """Validate every catalog file, then replace the stored catalog in one transaction (records edited in
        the staff console stay as edited unless `prefer_files`: see `CatalogStore.replace_all`)."""
        procedures = load_catalog(directory or self.settings.catalog_dir)
        return self.catalog.replace_all(procedures, prefer_files=prefer_files)

    def load_catalog_if_empty(self) -> None:
        """Fill an empty database from the catalog files; raises CatalogError on a bad catalog."""
        if self.catalog.count() == 0:
            self.load_catalog()


# --- the action server's entry point --------------------------------------------

_current: Services | None = None
_current_lock = threading.Lock()


def services() -> Services:
    """The action server's services: built on first use from `get_settings()`, the
    catalog loaded into an empty database. A bad catalog raises and nothing is kept,
    so the next call tries again. Other entry points pass their services down instead.
    """
    global _current
    with _current_lock:
        if _current is None:
            built = Services.from_settings(get_settings())
            built.load_catalog_if_empty()
            _current = built
        return _current


def use_services(svc: Services | None) -> Services | None:
    """Make `services()` return `svc` (None: build from the environment again on next use).

    Returns the services it replaces, so a test can put them back.
    """
    global _current
    with _current_lock:
        previous, _current = _current, svc
        return previous
