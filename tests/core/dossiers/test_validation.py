"""Validating staff input: ISO dates, and every bad field named."""

from __future__ import annotations

import datetime as dt

from bot.core.dossiers.validation import parse_datetime, parse_fields
from tests.core.dossiers.samples import row


def test_dates_are_iso_8601_and_offsets_become_vietnam_time():
    assert parse_datetime("2025-03-12") == dt.datetime(2025, 3, 12)
    assert parse_datetime("2025-03-12T08:30") == dt.datetime(2025, 3, 12, 8, 30)
    assert parse_datetime("2025-03-12T01:30:00Z") == dt.datetime(2025, 3, 12, 8, 30)
    assert parse_datetime("12/03/2025") is None
    assert parse_datetime("2025-02-30") is None


def test_parse_fields_names_each_bad_field():
    values, errors = parse_fields(row(status="done", due_at="19/03/2025", phone="12"))
    assert {e.field for e in errors} == {"status", "due_at", "phone"}
    assert "received, processing" in next(e.message for e in errors if e.field == "status")


def test_a_huge_note_is_an_error_not_a_crash():
    _, errors = parse_fields(row(note="x" * 2_000_000))
    assert [e.field for e in errors] == ["note"]


def test_unknown_columns_are_errors():
    _, errors = parse_fields({**row(), "password": "x"})
    assert [e.field for e in errors] == ["password"]
