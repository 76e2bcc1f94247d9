"""A spreadsheet of curated records: the export (and upload template), its guide sheet, and what an upload would change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from bot.core.catalog import Procedure
from bot.core.record_fields import BY_KEY, CODE_KEY, COLUMNS, KEYS, FieldChange, RecordProblems, changes, to_texts
from bot.core.record_reading import from_texts
from bot.core.spreadsheet import Table, column_letter

def sheet_rows(procedures: Iterable[Procedure]) -> list[list[str]]:
    """The export and the template: a header of column keys, then one row per record."""
    return [list(KEYS)] + [list(to_texts(p).values()) for p in sorted(procedures, key=lambda p: p.code)]


def guide_rows() -> list[list[str]]:
    """The second sheet of the Excel export: what each column holds."""
    return [["cot", "noi_dung", "cach_ghi"]] + [[c.key, c.label, c.hint] for c in COLUMNS]


@dataclass(frozen=True)
class SheetItem:
    row: int
    current: Procedure
    texts: dict[str, str]
    record: Procedure
    changes: list[FieldChange]


def _where(row: int, header: list[str], key: str) -> str:
    index = header.index(key) + 1 if key in header else 0
    return f"Dòng {row}, cột {key}" + (f" ({column_letter(index)})" if index else "")


def plan_sheet(table: Table, curated: Mapping[str, Procedure]) -> tuple[list[SheetItem], list[str]]:
    """What an uploaded table would change, record by record, and every problem found (Vietnamese, with row
    and column). Columns left out keep their values; the code column is required; codes must be curated."""
    header = table.header
    problems: list[str] = []
    unknown = [h for h in header if h not in BY_KEY]
    if unknown:
        problems += [f"Cột {column_letter(header.index(h) + 1)} có tên “{h[:40]}” không phải tên cột nào. Các cột "
                     f"dùng được: {', '.join(KEYS)}." for h in unknown]
    if CODE_KEY not in header:
        problems.append(f"Thiếu cột {CODE_KEY} (mã thủ tục) ở dòng đầu tiên.")
    duplicated = {h for h in header if header.count(h) > 1}
    problems += [f"Cột {h} có hai lần ở dòng đầu tiên." for h in sorted(duplicated)]
    if problems:
        return [], problems
    items, seen = [], {}
    for row, cells in table.rows:
        texts = dict(zip(header, cells))
        code = " ".join(texts[CODE_KEY].split())
        if code in seen:
            problems.append(f"{_where(row, header, CODE_KEY)}: mã {code} đã có ở dòng {seen[code]}.")
            continue
        seen[code] = row
        current = curated.get(code)
        if current is None:
            problems.append(f"{_where(row, header, CODE_KEY)}: “{code[:40]}” không phải mã của thủ tục đã biên soạn "
                            "(tệp chỉ sửa được thủ tục đã có).")
            continue
        try:
            record = from_texts(current, texts)
        except RecordProblems as bad:
            problems += [f"{_where(row, header, p.key)}: {p.message}." for p in bad.problems]
            continue
        items.append(SheetItem(row, current, texts, record, changes(current, record)))
    return items, problems
