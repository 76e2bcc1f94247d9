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

An XLSX export (`xlsx_bytes`) needs no mark: every text cell is written as a
text cell with Excel's quote-prefix style, so `=1+1` stays the text `=1+1`,
even after someone edits the cell, and reads back exactly.

Reading what staff upload (`read_table`: .xlsx or UTF-8 .csv) refuses formula
cells, files over a size cap, broken files and other encodings with a Vietnamese
message naming the row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

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


# --- Excel files (openpyxl) and reading tables staff upload --------------------------------

MAX_UPLOAD_BYTES = 512 * 1024  # an .xlsx or .csv file staff upload
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks to more than this
MAX_ROWS = 2000


class SheetError(ValueError):
    """A file that cannot be read as a table; the message (Vietnamese) names the row and column when it can."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells as text)


def plain_cell(text: str) -> str:
    """The reverse of `safe_cell` for a CSV cell read back: `'=1+1` is the text `=1+1`."""
    if len(text) > 1 and text[0] == TEXT_MARK and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[Sequence[object]]]]) -> bytes:
    """An .xlsx file, one sheet per (title, rows). Every text cell is stored as text with Excel's
    quote-prefix style: never a formula, and still text after someone edits it in Excel."""
    from openpyxl import Workbook  # here, not at import: only exports need it

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                cell = sheet.cell(row=r, column=c)
                if value is None or isinstance(value, numbers.Number):
                    cell.value = value
                    continue
                cell.value = str(value)
                cell.data_type = "s"
                cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value: object, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise SheetError(f"Ô {where} có nội dung không đọc được ({type(value).__name__}). Hãy nhập giá trị bình thường.")


def read_xlsx(data: bytes) -> Table:
    """The first sheet of an .xlsx file as text. Formula cells are refused (their value may be out of date
    and is not what staff typed); so are files that are not .xlsx or unpack to too much."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise SheetError("Tệp Excel giải nén ra quá lớn. Hãy chỉ giữ các thủ tục cần sửa.")
    except zipfile.BadZipFile:
        raise SheetError("Tệp này không phải tệp Excel .xlsx đọc được. Hãy lưu lại bằng Excel dạng .xlsx "
                         "hoặc dạng CSV UTF-8.") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        raw_rows = list(sheet.iter_rows(max_row=MAX_ROWS + 2))
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise SheetError("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx, không đọc được.") from None
    rows = []
    for r, cells in enumerate(raw_rows, 1):
        texts = []
        for c, cell in enumerate(cells, 1):
            where = f"{column_letter(c)}{r}"
            if getattr(cell, "data_type", None) == "f":
                raise SheetError(f"Ô {where} là công thức. Hãy thay công thức bằng giá trị (Sao chép, rồi Dán giá "
                                 "trị) rồi tải lên lại.")
            texts.append(_cell_text(getattr(cell, "value", None), where))
        rows.append((r, texts))
    return _table(rows)


def read_csv(data: bytes) -> Table:
    """A CSV file (UTF-8, comma or semicolon) as text; our own exports' `'=` marks are taken off."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError("Tệp CSV không ở dạng UTF-8 nên tiếng Việt sẽ bị lỗi. Trong Excel, chọn Lưu thành "
                         "“CSV UTF-8 (Comma delimited)” rồi tải lên lại.") from None
    if "\0" in text:
        raise SheetError("Tệp này không phải tệp CSV (có ký tự lạ). Hãy tải lên tệp .csv hoặc .xlsx.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = [(r, [plain_cell(c) for c in row])
                for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)]
    except csv.Error as exc:
        raise SheetError(f"Tệp CSV sai định dạng: {exc}.") from None
    return _table(rows)


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    rows = [(r, cells) for r, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise SheetError("Tệp không có dòng nào.")
    if len(rows) > MAX_ROWS + 1:
        raise SheetError(f"Tệp có quá {MAX_ROWS} dòng. Hãy chia thành nhiều tệp nhỏ hơn.")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()
    return Table(header, [(r, cells[: len(header)] + [""] * (len(header) - len(cells))) for r, cells in body])


def read_table(filename: str, data: bytes) -> Table:
    """An uploaded .xlsx or .csv file, chosen by its name; SheetError for anything else."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError(f"Tệp quá lớn ({len(data) // 1024} kB, tối đa {MAX_UPLOAD_BYTES // 1024} kB). "
                         "Hãy chỉ giữ các thủ tục cần sửa.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".csv"):
        return read_csv(data)
    raise SheetError("Chỉ nhận tệp Excel .xlsx hoặc .csv (tệp .xls đời cũ: mở bằng Excel rồi lưu lại dạng .xlsx).")
