"""Audit entries: long values are cut with a mark; the CSV export is safe to open in a spreadsheet."""

from __future__ import annotations

import datetime as dt

from bot.core.audit import CSV_HEADER, CUT_MARK, MAX_VALUE_CHARS, AuditEntry, bounded, csv_rows


def test_long_values_are_cut_with_a_mark_and_short_ones_kept():
    assert bounded("ngắn") == "ngắn" and bounded(None) is None
    cut = bounded("x" * (MAX_VALUE_CHARS + 10))
    assert len(cut) == MAX_VALUE_CHARS and cut.endswith(CUT_MARK)


def test_csv_rows_neutralise_formulas_and_show_vietnam_time():
    entry = AuditEntry(1, dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.timezone.utc), "=cmd|' /C calc'!A0",
                       "procedure_verify", "thủ tục 1.001193", "verified_on", "01/01/2026", "+84912", "@SUM(1)")
    header, row = csv_rows([entry])
    assert tuple(header) == CSV_HEADER
    assert row[0] == "02/03/2026 08:30"
    assert row[1] == "'=cmd|' /C calc'!A0" and row[8 - 1] == "'@SUM(1)"
    assert row[2] == "Đánh dấu đã kiểm tra" and row[6] == "+84912"
