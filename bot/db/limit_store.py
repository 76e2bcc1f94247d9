"""Request limits counted in the database: shared by every process, kept across restarts.

`HitStore.hit(key, limit)` counts one request under `key` (e.g. the kiosk API
per address) unless `limit` is reached, in one write transaction taken in turn
(`bot.db.engine.serialize`), so concurrent requests cannot overshoot.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import Engine

from bot.core.clock import now_utc
from bot.core.ratelimit import RateLimit
from bot.db.engine import serialize, session_factory
from bot.db.models import RateLimitHitRow

RETENTION = dt.timedelta(days=1)  # rows of keys not seen since are removed by any later request


class HitStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def hit(self, key: str, limit: RateLimit, now: dt.datetime | None = None) -> dt.datetime | None:
        """Count a request under `key`; when `limit` is reached, count nothing and return
        when the next request will be allowed (aware). None: allowed and counted."""
        now = now or self._clock()
        key = key[:200]
        with self._sessions.begin() as session:
            serialize(session, "rate-limit-hits")
            session.execute(delete(RateLimitHitRow).where(or_(
                and_(RateLimitHitRow.key == key, RateLimitHitRow.at <= now - limit.window),
                RateLimitHitRow.at <= now - RETENTION,
            )))
            recent = session.scalars(select(RateLimitHitRow.at).where(
                RateLimitHitRow.key == key, RateLimitHitRow.at > now - limit.window)).all()
            until = limit.locked_until(recent, now)
            if until is None:
                session.add(RateLimitHitRow(key=key, at=now))
            return until

    def blocked_until(self, key: str, limit: RateLimit, now: dt.datetime | None = None) -> dt.datetime | None:
        """When `key` may go on, if `limit` is reached now; None when it may. Counts nothing (e.g. failed
        logins are counted with `hit` only when they fail, but every attempt is checked first)."""
        now = now or self._clock()
        with self._sessions() as session:
            recent = session.scalars(select(RateLimitHitRow.at).where(
                RateLimitHitRow.key == key[:200], RateLimitHitRow.at > now - limit.window)).all()
        return limit.locked_until(recent, now)
