"""Time in Vietnam and how citizens read dates.

Vietnam is UTC+7 all year (no daylight saving). `now_local()` is what staff
type and citizens read; `format_day` is the one way a date is shown.
"""

from __future__ import annotations

import datetime as dt

VN_TZ = dt.timezone(dt.timedelta(hours=7))


def now_local() -> dt.datetime:
    """Current time in Vietnam, naive, to the second."""
    return dt.datetime.now(VN_TZ).replace(tzinfo=None, microsecond=0)


def format_day(value: dt.datetime | dt.date) -> str:
    """`12/03/2025`: day/month/year, as on Vietnamese papers."""
    return value.strftime("%d/%m/%Y")


def local_to_utc(value: dt.datetime) -> dt.datetime:
    """A naive Vietnam time as naive UTC (how the outbox and token tables store time)."""
    return value.replace(tzinfo=VN_TZ).astimezone(dt.timezone.utc).replace(tzinfo=None)
