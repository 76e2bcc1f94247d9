"""Zalo Official Account v3 webhook signatures.

Pure and fast; the channel adapter (bot/channels/zalo.py) does the I/O.
Header `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp +
OA secret key)>`, compared in constant time; some senders omit the `mac=`
prefix, so both forms are accepted.
"""

from __future__ import annotations

import hashlib
import hmac


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
