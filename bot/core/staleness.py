"""Which catalog records need checking again: old, or past the end date of the rule they describe.

Works on both tiers: a curated record is dated by `verified_on` and may carry
`valid_to`; a published record is dated by the day it was collected from the
portal (`verified_on` is that day) and has no end date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from bot.core.clock import format_day
from bot.core.published import tier_of

DEFAULT_DAYS = 180


@dataclass(frozen=True)
class StaleRecord:
    code: str
    name: str
    tier: str  # curated | published
    reason: str  # what staff read


def stale_records(records: Iterable, today: dt.date, days: int = DEFAULT_DAYS) -> list[StaleRecord]:
    """Records past their `valid_to`, or checked / collected more than `days` days before `today`; by code."""
    oldest = today - dt.timedelta(days=days)
    found = []
    for r in records:
        reasons = []
        valid_to = getattr(r, "valid_to", None)
        if valid_to is not None and valid_to < today:
            reasons.append(f"hết hiệu lực từ {format_day(valid_to + dt.timedelta(days=1))}")
        if r.verified_on < oldest:
            what = "lấy từ Cổng" if tier_of(r) == "published" else "kiểm tra"
            reasons.append(f"{what} ngày {format_day(r.verified_on)}, quá {days} ngày")
        if reasons:
            found.append(StaleRecord(r.code, r.name, tier_of(r), "; ".join(reasons)))
    return sorted(found, key=lambda s: (s.tier, s.code))
