"""Reading a batch of dossiers that staff bring as a file: CSV (UTF-8) or Excel (.xlsx).

`read_batch(raw, filename)` turns the bytes into `Incoming` records named by
their row ("Dòng 5", the same row number Excel or a text editor shows) and the
problems of rows that are not records. A file that cannot be used at all (not
UTF-8, an old .xls, a broken .xlsx, a wrong header, a formula cell) raises
`BatchError` with a Vietnamese sentence naming the row and column. Planning and
writing are `planning` and the store: this module only reads.

Both `bot dossiers import` and the staff console's upload read files here, so a
file accepted by one is accepted by the other.

Excel details: the first sheet is read; row 1 is the header. A formula cell is
refused (its value is whatever Excel last computed, maybe never); dates typed as
Excel dates are read as Vietnam times; a phone number Excel stored as a number
(so without its leading 0) gets the 0 back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from bot.core.dossiers.planning import Incoming, Plan
from bot.core.dossiers.validation import ALL_FIELDS, CSV_FIELDS

MAX_XLSX_UNPACKED_BYTES = 60 * 1024 * 1024  # a small .xlsx that unpacks to more is not a dossier list
MAX_ROWS = 20000
MAX_COLUMNS = 40
MAX_ERRORS_SHOWN = 50
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class BatchError(ValueError):
    """The file cannot be used at all; the message (Vietnamese) says why and where."""


@dataclass
class Batch:
    """What a file holds: the records, the problems of rows that are not records, the column letters."""

    records: list[Incoming] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # field name → column letter (A, B, ...)

    def plan_errors(self, plan: Plan) -> list[str]:
        """The plan's errors as sentences: "Dòng 3, cột status (E): ..."."""
        out = []
        for where, e in plan.errors:
            letter = self.letters.get(e.field)
            out.append(f"{where}, cột {e.field}{f' ({letter})' if letter else ''}: {e.message}")
        return out


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_header(header: Sequence[str]) -> None:
    missing = [f for f in CSV_FIELDS if f not in header]
    unknown = [h for h in header if h not in ALL_FIELDS]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or repeated:
        parts = []
        if missing:
            parts.append(f"thiếu cột {', '.join(missing)}")
        if unknown:
            parts.append(f"cột không dùng được: {', '.join(u[:40] for u in unknown[:10])}")
        if repeated:
            parts.append(f"cột lặp lại: {', '.join(repeated)}")
        raise BatchError(f"Dòng 1 (tiêu đề): {'; '.join(parts)}. Tiêu đề cần là: {','.join(CSV_FIELDS)}")


def _collect(rows: Iterator[tuple[int, list[str]]], name: str) -> Batch:
    """Header checks, then one record per non-empty row."""
    first = next(rows, None)
    if first is None or not any(h.strip() for h in first[1]):
        raise BatchError(f"Tệp {name} trống. Dòng đầu phải là: {','.join(CSV_FIELDS)}")
    header = [h.strip() for h in first[1]]
    while header and not header[-1]:  # Excel often keeps empty cells after the last column
        header.pop()
    _check_header(header)
    batch = Batch(letters={h: column_letter(i) for i, h in enumerate(header)})
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(batch.records) >= MAX_ROWS:
            raise BatchError(f"Tệp có hơn {MAX_ROWS} dòng hồ sơ. Hãy chia thành nhiều tệp nhỏ hơn.")
        extra = cells[len(header):]
        if len(cells) != len(header) and (len(cells) < len(header) or any(c.strip() for c in extra)):
            batch.problems.append(f"Dòng {line}: có {len(cells)} ô, cần {len(header)} ô như tiêu đề.")
            continue
        batch.records.append(Incoming(f"Dòng {line}", dict(zip(header, cells[:len(header)]))))
    if not batch.records and not batch.problems:
        raise BatchError(f"Tệp {name} không có dòng hồ sơ nào.")
    return batch


# --- CSV ----------------------------------------------------------------------


def read_csv_bytes(raw: bytes, name: str) -> Batch:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BatchError(f"Tệp {name} là \"Unicode Text\" (UTF-16). Khi lưu từ Excel, chọn \"CSV UTF-8\".")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise BatchError(f"Tệp {name} không phải UTF-8 (lỗi ở dòng {line}). "
                         "Khi lưu từ Excel, chọn \"CSV UTF-8\".") from None
    if "\x00" in text:
        raise BatchError(f"Tệp {name} có ký tự lạ (NUL): không phải tệp CSV văn bản.")
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error:
            problems.append(f"Dòng {reader.line_num}: không đọc được: một ô dài quá {csv.field_size_limit()} ký tự "
                            "hoặc thiếu dấu ngoặc kép đóng. Các dòng sau đó chưa được đọc.")

    try:
        batch = _collect(rows(), name)
    except BatchError:
        if problems:
            raise BatchError(problems[0]) from None
        raise
    batch.problems.extend(problems)
    return batch


# --- Excel ----------------------------------------------------------------------

_DIGITS = re.compile(r"\d{9,10}")


def _cell_text(value: object, column: str, line: int, letter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        number = int(value) if float(value).is_integer() else value
        text = str(number)
        if column == "phone" and _DIGITS.fullmatch(text):
            return "0" + text  # Excel dropped the leading 0 of a phone typed as a number
        return text
    if isinstance(value, dt.time):
        raise BatchError(f"Dòng {line}, cột {column} ({letter}): ô chỉ có giờ, không có ngày.")
    return str(value)


def read_xlsx_bytes(raw: bytes, name: str) -> Batch:
    from openpyxl import load_workbook  # imported on use: nothing heavy at import time

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BatchError(f"Tệp {name} không mở được: tệp Excel bị hỏng hoặc không phải .xlsx.") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise BatchError(f"Tệp {name} quá lớn khi giải nén. Hãy chia thành nhiều tệp nhỏ hơn.")
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise BatchError(f"Tệp {name} không mở được: tệp Excel bị hỏng hoặc không phải .xlsx.") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise BatchError(f"Tệp {name} không có trang tính nào.")
        header: list[str] = []

        def rows() -> Iterator[tuple[int, list[str]]]:
            for line, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                texts = []
                for index, cell in enumerate(cells):
                    letter = column_letter(index)
                    column = header[index] if index < len(header) else letter
                    if getattr(cell, "data_type", None) == "f":
                        raise BatchError(f"Dòng {line}, cột {column} ({letter}): ô có công thức. "
                                         "Hãy chép rồi dán giá trị (Dán đặc biệt → Giá trị), lưu lại rồi tải lên.")
                    texts.append(_cell_text(cell.value, column, line, letter) if line > 1 else
                                 ("" if cell.value is None else str(cell.value)))
                if line == 1:
                    header.extend(t.strip() for t in texts)
                else:
                    texts += [""] * (len(header) - len(texts))  # Excel leaves trailing empty cells out
                yield line, texts

        return _collect(rows(), name)
    except BatchError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet inside a valid zip
        raise BatchError(f"Tệp {name} không đọc được: nội dung trang tính bị hỏng.") from None
    finally:
        book.close()


def read_batch(raw: bytes, name: str) -> Batch:
    """The records in a CSV or .xlsx file (told apart by their content, not only the name)."""
    lowered = name.lower()
    if raw.startswith(XLS_MAGIC) or lowered.endswith(".xls"):
        raise BatchError(f"Tệp {name} là dạng Excel cũ (.xls). Hãy lưu lại dạng .xlsx hoặc \"CSV UTF-8\".")
    if raw.startswith(XLSX_MAGIC) or lowered.endswith((".xlsx", ".xlsm")):
        return read_xlsx_bytes(raw, name)
    if not lowered.endswith((".csv", ".txt")) and lowered:
        raise BatchError(f"Tệp {name} không phải CSV hay Excel (.xlsx).")
    return read_csv_bytes(raw, name)


def line_number(problem: str) -> int:
    match = re.match(r"Dòng (\d+)", problem)
    return int(match.group(1)) if match else 0


def sorted_problems(problems: Iterable[str]) -> list[str]:
    return sorted(problems, key=line_number)
