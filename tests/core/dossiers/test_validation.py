"""Validating staff input: ISO dates, and every bad field named."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import format_day
from bot.core.dossiers.validation import parse_datetime, parse_fields
from tests.core.dossiers.samples import row
from tests.core.times import vn


def test_dates_are_iso_8601_and_offsets_become_vietnam_time():
    assert parse_datetime("2025-03-12") == vn(2025, 3, 12)
    assert parse_datetime("2025-03-12T08:30") == vn(2025, 3, 12, 8, 30)
    assert parse_datetime("2025-03-12T01:30:00Z") == vn(2025, 3, 12, 8, 30)
    assert parse_datetime("12/03/2025") is None
    assert parse_datetime("2025-02-30") is None


def test_staff_times_without_an_offset_are_vietnam_time():
    assert parse_datetime("2025-03-12T08:30").utcoffset() == dt.timedelta(hours=7)
    assert parse_datetime("2025-03-12").utcoffset() == dt.timedelta(hours=7)


def test_a_utc_time_lands_on_its_vietnam_day():
    value = parse_datetime("2025-03-18T18:00:00+00:00")
    assert value == vn(2025, 3, 19, 1, 0)
    assert format_day(value) == "19/03/2025"


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


def test_dates_past_the_calendar_are_invalid_not_an_error():
    assert parse_datetime("9999-12-31T23:59:59-23:59") is None  # the offset pushes it past year 9999
    assert parse_datetime("0001-01-01T00:00:00+23:59") is None
    assert parse_datetime("0000-01-01") is None
