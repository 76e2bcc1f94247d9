"""Time: aware datetimes in memory, UTC stored, Vietnam time for people and calendars.

The rule for the whole project: every datetime in memory is timezone-aware;
the database stores UTC (`bot.db.types.UTCDateTime` refuses naive values);
Vietnam local time (UTC+7 all year, no daylight saving) is used only to show
a time to people and for rules that follow the Vietnamese calendar (a
date-only appointment lasts that Vietnam day, office hours, ticket days).
`format_day` is the one way a date is shown, `format_day_time` a date and time.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc
VN_TZ = dt.timezone(dt.timedelta(hours=7))


def now_utc() -> dt.datetime:
    """Current time, aware UTC, to the second."""
    return dt.datetime.now(UTC).replace(microsecond=0)


def today_local() -> dt.date:
    """Today's date in Vietnam, whatever the server's time zone."""
    return dt.datetime.now(VN_TZ).date()


def to_local(value: dt.datetime) -> dt.datetime:
    """The same instant in Vietnam time (aware); a naive value is a mistake and raises."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: times in memory must be timezone-aware")
    return value.astimezone(VN_TZ)


def format_day(value: dt.datetime | dt.date) -> str:
    """`12/03/2025`: day/month/year, as on Vietnamese papers; a time is shown on its Vietnam day."""
    if isinstance(value, dt.datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_day_time(value: dt.datetime) -> str:
    """`12/03/2025 08:30`, in Vietnam time."""
    return to_local(value).strftime("%d/%m/%Y %H:%M")
