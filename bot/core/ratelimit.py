"""How many failed dossier checks a conversation may make before it is refused.

A failed check is a code that does not exist or a phone number that does not
match; both look the same to the citizen. After `max_failures` failures within
`window`, further checks are refused until the oldest of them leaves the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class RateLimit:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)

    def recent(self, failures: Iterable[dt.datetime], now: dt.datetime) -> list[dt.datetime]:
        start = now - self.window
        return sorted(f for f in failures if start < f <= now)

    def locked_until(self, failures: Iterable[dt.datetime], now: dt.datetime) -> dt.datetime | None:
        """When checks are allowed again, or None when they are allowed now."""
        recent = self.recent(failures, now)
        if len(recent) < self.max_failures:
            return None
        return recent[-self.max_failures] + self.window

    def remaining(self, failures: Iterable[dt.datetime], now: dt.datetime) -> int:
        return max(0, self.max_failures - len(self.recent(failures, now)))


DOSSIER_CHECKS = RateLimit()
