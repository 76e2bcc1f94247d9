"""Dossiers in SQL, the citizens' side: checking a dossier (code and the phone's last four digits) under
the failure limits, following a checked dossier, subscriptions to its changes.

`CitizenChecks` is that half of `bot.db.dossier_store.DossierStore`, which sets
the session factory, the clock and the limits it uses. Checks count earlier
failures before adding one, so they run one at a time (`serialize`): the
lock-out cannot be overshot by checks sent at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.contact import phone_matches
from bot.core.dossiers.access import VERIFIED_FOR, CheckLimits, Failure, Lockout
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.status import Dossier
from bot.db.dossier_reads import to_dossier
from bot.db.engine import serialize
from bot.db.models import DossierCheckFailureRow, DossierRow, DossierSubscriptionRow, DossierVerificationRow

FAILURE_RETENTION = dt.timedelta(days=1)


@dataclass(frozen=True)
class CheckResult:
    """`ok` (dossier set), `no_match` (unknown code or wrong phone: said the same way), or `locked`
    (`locked_until`, and `scope`: which limit, bot.core.dossiers.access)."""

    kind: str
    dossier: Dossier | None = None
    locked_until: dt.datetime | None = None
    scope: str | None = None


class CitizenChecks:
    """A citizen's checks of a dossier and what a successful one allows."""

    _sessions: sessionmaker
    _clock: Callable[[], dt.datetime]
    limits: CheckLimits

    def lockout(self, sender_id: str, *, ip: str | None = None, now: dt.datetime | None = None) -> Lockout | None:
        """Whether a check from this conversation (and kiosk address) would be refused now, whatever the code."""
        now = now or self._clock()
        with self._sessions() as session:
            return self.limits.lockout(self._recent_failures(session, now), now, sender_id=sender_id, ip=ip)

    def _recent_failures(self, session: Session, now: dt.datetime) -> list[Failure]:
        """Everyone's failures within the longest window (the overall budget keeps them few)."""
        rows = session.execute(select(
            DossierCheckFailureRow.failed_at, DossierCheckFailureRow.sender_id,
            DossierCheckFailureRow.dossier_code, DossierCheckFailureRow.client_ip,
        ).where(DossierCheckFailureRow.failed_at > now - self.limits.window))
        return [Failure(at, sender, code, ip) for at, sender, code, ip in rows]

    @staticmethod
    def _forget_old(session: Session, now: dt.datetime) -> None:
        """Failures past any window and expired checks are of no more use."""
        session.execute(delete(DossierCheckFailureRow).where(
            DossierCheckFailureRow.failed_at < now - FAILURE_RETENTION))
        session.execute(delete(DossierVerificationRow).where(DossierVerificationRow.expires_at <= now))

    def check(self, sender_id: str, code: str | None, last4: str | None,
              now: dt.datetime | None = None, *, ip: str | None = None) -> CheckResult:
        """A citizen's check: both the code and the phone's last 4 digits must match.

        A failure is recorded for the limits (conversation, kiosk address `ip`,
        code, overall); the caller answers an unknown code and a wrong phone the
        same way. A success is recorded too: it lets the conversation follow the
        dossier for a while (`verified_code`).
        """
        now = now or self._clock()
        canonical = normalize_code(code)
        ip = (ip or None) and ip[:64]
        with self._sessions.begin() as session:
            serialize(session, "dossier-checks")  # one check at a time: no overshoot
            self._forget_old(session, now)
            failures = self._recent_failures(session, now)
            locked = self.limits.lockout(failures, now, sender_id=sender_id, code=canonical, ip=ip)
            if locked:
                return CheckResult("locked", locked_until=locked.until, scope=locked.scope)
            row = session.scalar(select(DossierRow).where(DossierRow.code == canonical)) if canonical else None
            if row is not None and phone_matches(row.phone, last4):
                session.add(DossierVerificationRow(sender_id=sender_id, dossier_code=row.code, verified_at=now,
                                                   expires_at=now + VERIFIED_FOR))
                return CheckResult("ok", dossier=to_dossier(row))
            session.add(DossierCheckFailureRow(sender_id=sender_id, failed_at=now, dossier_code=canonical,
                                               client_ip=ip))
            failure = Failure(now, sender_id, canonical, ip)
            locked = self.limits.lockout(failures + [failure], now, sender_id=sender_id, code=canonical, ip=ip)
            if locked:
                return CheckResult("locked", locked_until=locked.until, scope=locked.scope)
            return CheckResult("no_match")

    def verified_code(self, sender_id: str, code: str | None = None,
                      now: dt.datetime | None = None) -> str | None:
        """The dossier this conversation checked successfully and may still follow: `code`
        if it is one of them, else the latest; None when there is none (or it expired)."""
        now = now or self._clock()
        canonical = normalize_code(code)
        with self._sessions() as session:
            codes = list(session.scalars(
                select(DossierVerificationRow.dossier_code).where(
                    DossierVerificationRow.sender_id == sender_id, DossierVerificationRow.expires_at > now,
                ).order_by(DossierVerificationRow.verified_at.desc(), DossierVerificationRow.id.desc())
            ))
        if canonical in codes:
            return canonical
        return codes[0] if codes else None

    def subscribe(self, code: str, sender_id: str, channel: str, recipient_id: str,
                  now: dt.datetime | None = None) -> bool:
        """Follow a dossier's changes from a push channel; False when already following."""
        now = now or self._clock()
        canonical = normalize_code(code)
        try:
            with self._sessions.begin() as session:
                row = session.scalar(select(DossierRow).where(DossierRow.code == canonical).with_for_update()
                                     ) if canonical else None
                if row is None:
                    raise LookupError(code)
                exists = session.scalar(select(DossierSubscriptionRow.id).where(
                    DossierSubscriptionRow.dossier_id == row.id, DossierSubscriptionRow.sender_id == sender_id))
                if exists:
                    return False
                session.add(DossierSubscriptionRow(dossier_id=row.id, sender_id=sender_id, channel=channel,
                                                   recipient_id=recipient_id, created_at=now))
        except IntegrityError:  # the same conversation subscribed at the same moment
            return False
        return True

    def subscribers(self, code: str) -> list[str]:
        canonical = normalize_code(code)
        with self._sessions() as session:
            return list(session.scalars(
                select(DossierSubscriptionRow.sender_id).join(DossierRow, DossierRow.id == DossierSubscriptionRow.dossier_id)
                .where(DossierRow.code == canonical).order_by(DossierSubscriptionRow.id)
            ))
