"""Zalo Official Account v3 webhook signatures.

Pure and fast; the channel adapter (bot/channels/zalo.py) does the I/O.
Header `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp +
OA secret key)>`, compared in constant time; some senders omit the `mac=`
prefix, so both forms are accepted.

The timestamp the signature covers is a field of the body itself, so
`verify_raw` finds it in the raw bytes (a few candidates, no JSON parsing):
nothing from an unsigned request is parsed. `is_fresh` then refuses an event
stamped outside the replay window (Zalo stamps events in milliseconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from itertools import islice

UTC = dt.timezone.utc
MAX_TIMESTAMP_CANDIDATES = 4
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,16})"?')


def _text(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def signature(app_id: str, raw_body: bytes, timestamp: str | int, secret: str) -> str:
    """'mac=' + hex SHA-256 of app_id + raw body + timestamp + secret."""
    digest = hashlib.sha256(_text(app_id) + _text(raw_body) + _text(str(timestamp)) + _text(secret))
    return "mac=" + digest.hexdigest()


def verify(header: str | None, app_id: str, raw_body: bytes, timestamp: str | int | None, secret: str) -> bool:
    """True when `header` (with or without 'mac=') is the signature of this request."""
    if not header or not secret or not app_id or timestamp in (None, ""):
        return False
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:]
    expected = signature(app_id, raw_body, timestamp, secret)[4:]
    return hmac.compare_digest(given.strip().lower().encode("ascii", "replace"), expected.encode("ascii"))


def verify_raw(header: str | None, app_id: str, raw_body: bytes, secret: str) -> str | None:
    """The timestamp signed by `header` for this raw body, or None when the request is not
    authentic. The first few `"timestamp": ...` fields of the raw bytes are tried in
    turn; a caller that then parses the body must check its top-level timestamp is
    the one returned."""
    if not header or not secret or not app_id:
        return None
    for match in islice(_TIMESTAMP.finditer(raw_body), MAX_TIMESTAMP_CANDIDATES):
        timestamp = match.group(1).decode("ascii")
        if verify(header, app_id, raw_body, timestamp, secret):
            return timestamp
    return None


def event_time(timestamp: str | int | None) -> dt.datetime | None:
    """When Zalo stamped an event: milliseconds since 1970 (values below 10^11 are taken as
    seconds); None when it is not a whole number or not a date."""
    try:
        value = int(str(timestamp).strip())
        return dt.datetime.fromtimestamp(value / 1000 if value >= 10**11 else value, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def is_fresh(timestamp: str | int | None, now: dt.datetime, window_seconds: int) -> bool:
    """True when the event was stamped within `window_seconds` of `now` (aware), either way."""
    when = event_time(timestamp)
    return when is not None and abs((now - when).total_seconds()) <= window_seconds
