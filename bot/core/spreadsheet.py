"""Cells that a spreadsheet shows as text: no citizen's words run as a formula.

Staff open exports (`bot feedback export`) in Excel or LibreOffice Calc, which
run a cell as a formula when it starts with `=`, `+`, `-` or `@` (and some
versions after a leading tab, carriage return or line feed, or with the
full-width forms `＝ ＋ － ＠` that East Asian input methods type). A citizen's
feedback "=HYPERLINK(...)" would then run on the staff computer: CSV (formula)
injection, CWE-1236.

`safe_cell` follows the OWASP CSV Injection guidance: a text cell that starts
with one of those characters gets a single quote in front (`'=1+1`), which
spreadsheets read as "this cell is text"; the csv module already quotes cells
and doubles their quotes (RFC 4180). Everything else is left exactly as it was:

- numbers (int, float, Decimal) are data, never formulas: a negative amount
  stays a number;
- text that is only a signed number (`-12`, `+84912345678`, `-1.5`, `-3,5`)
  stays as written: digits and one sign cannot call a function or name a
  cell, and a phone number or amount stays readable; anything more (`-1+1`,
  `+84 91*`) is quoted;
- text starting with anything else, including a space, is untouched.

The same rule serves an XLSX export: pass every cell through `safe_cell` (or
`safe_row`) before handing it to the writer, as openpyxl also stores a string
starting with `=` as a formula.
"""

from __future__ import annotations

import numbers
import re
from typing import Iterable

# = + - @ with their full-width forms, tab, carriage return, line feed, NUL.
FORMULA_PREFIXES = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\t\r\n\0")
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?", re.ASCII)


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet will show it as text: a quote before a formula-like start.

    None becomes "". Numbers and booleans come back unchanged; any other value is
    turned into text first.
    """
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return value
    text = str(value)
    if text and text[0] in FORMULA_PREFIXES and not _PLAIN_NUMBER.fullmatch(text):
        return TEXT_MARK + text
    return text


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(v) for v in values]
