"""Column types: `UTCDateTime`, the one datetime type of every table.

Binding refuses a naive datetime (a mistake should be loud, not an instant
seven hours off) and stores UTC; reading gives back an aware UTC datetime.
PostgreSQL stores `timestamp with time zone`; SQLite (and any database
without time zones) stores naive UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.types import DateTime, TypeDecorator

UTC = dt.timezone.utc


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored: pass an aware datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
