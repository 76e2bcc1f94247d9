"""Read national-portal export files (dichvucong.gov.vn) into raw records, refusing what is unusable.

One export file holds one record (a JSON object) or many (a list of objects),
UTF-8. `decode_export` turns a file's bytes into `RawRecord`s and says why a
file or a record cannot be imported (`check_record`: missing code, name or
link, wrong types, wrong encoding); `duplicate_problems` finds a code given
twice. Problems are `PortalProblem`s naming the file and the record, in
Vietnamese for the staff who run the import. Pure: no file system, no database.
The records are then parsed by `bot.core.portal.parse_record`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from bot.core.catalog import NATIONAL_CODE_PATTERN

# One export file may hold one record (an object) or many (a list of objects).
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_FIELD_CHARS = 500_000

CODE_RE = re.compile(rf"^{NATIONAL_CODE_PATTERN}$")
# Fields a record must have as non-empty text.
REQUIRED_FIELDS = {"ma_thu_tuc": "mã thủ tục", "ten_thu_tuc": "tên thủ tục", "detail_url": "đường dẫn trang chính thức"}
# Text fields read when present (any other key is ignored).
TEXT_FIELDS = (
    "ma_thu_tuc", "ten_thu_tuc", "detail_url", "so_quyet_dinh", "cap_thuc_hien", "linh_vuc",
    "co_quan_co_tham_quyen", "co_quan_thuc_hien", "dia_chi_tiep_nhan", "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "ket_qua_xu_ly", "ngay_thu_thap",
)
# UTF-8 read as Latin-1 / Windows-1252 and saved again ("ÄÄƒng kÃ½").
_MOJIBAKE_RE = re.compile(r"Ã[\u0080-\u00ff]|Ä[\u0080-\u00bf‘’“”ƒ]|Æ°|áº|á»")


@dataclass(frozen=True)
class PortalProblem:
    """Why a file or a record cannot be imported."""

    file: str
    record: str  # "-" for the whole file, else "#3 (1.000080)"
    message: str

    def __str__(self) -> str:
        where = self.file if self.record == "-" else f"{self.file}, bản ghi {self.record}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RawRecord:
    """One record as read from a file, with where it came from."""

    file: str
    label: str  # "#1 (1.000080)"
    data: Mapping[str, object]


def decode_export(name: str, raw: bytes) -> tuple[list[RawRecord], list[PortalProblem]]:
    """The records in one export file (JSON object or list of objects, UTF-8)."""
    if len(raw) > MAX_FILE_BYTES:
        size = len(raw) / 1024 / 1024
        return [], [PortalProblem(name, "-", f"tệp quá lớn ({size:.0f} MB, tối đa {MAX_FILE_BYTES // 1024 // 1024} MB). "
                                             "Hãy chia tệp xuất thành nhiều tệp nhỏ hơn.")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [PortalProblem(name, "-", f"không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}). "
                                             "Hãy xuất lại tệp với bảng mã UTF-8.")]
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (dòng {line})" if line else ""
        return [], [PortalProblem(name, "-", f"không phải JSON hợp lệ{where}.")]
    items = data if isinstance(data, list) else [data]
    records, problems = [], []
    for i, item in enumerate(items):
        code = item.get("ma_thu_tuc") if isinstance(item, dict) else None
        label = f"#{i + 1} ({code})" if isinstance(code, str) and code.strip() else f"#{i + 1}"
        if not isinstance(item, dict):
            problems.append(PortalProblem(name, label, "bản ghi phải là một đối tượng JSON {...}."))
            continue
        record_problems = check_record(item)
        problems += [PortalProblem(name, label, m) for m in record_problems]
        if not record_problems:
            records.append(RawRecord(name, label, item))
    if not items:
        problems.append(PortalProblem(name, "-", "tệp không có bản ghi nào."))
    return records, problems


def check_record(data: Mapping[str, object]) -> list[str]:
    """What makes a record unusable: missing code, name or link, wrong types, wrong encoding."""
    problems = []
    for key in TEXT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"trường '{key}' phải là văn bản.")
        elif isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            problems.append(f"trường '{key}' dài bất thường ({len(value)} ký tự).")
    for key, label in REQUIRED_FIELDS.items():
        value = data.get(key)
        if isinstance(value, str) and not value.strip() or value is None:
            problems.append(f"thiếu {label} ('{key}').")
    code = data.get("ma_thu_tuc")
    if isinstance(code, str) and code.strip() and not CODE_RE.match(code.strip()):
        problems.append(f"mã thủ tục '{code.strip()[:40]}' không đúng dạng mã quốc gia (ví dụ 1.001193).")
    url = data.get("detail_url")
    if isinstance(url, str) and url.strip() and not url.strip().startswith("https://"):
        problems.append("đường dẫn trang chính thức phải bắt đầu bằng https://.")
    name = data.get("ten_thu_tuc")
    if isinstance(name, str) and _MOJIBAKE_RE.search(name):
        problems.append("tên thủ tục có ký tự lạ: tệp có vẻ đã bị đổi sai bảng mã. Hãy xuất lại với UTF-8.")
    collected = data.get("ngay_thu_thap")
    if isinstance(collected, str) and collected.strip():
        try:
            dt.date.fromisoformat(collected.strip()[:10])
        except ValueError:
            problems.append(f"ngày thu thập '{collected[:20]}' không đúng dạng YYYY-MM-DD.")
    return problems


def duplicate_problems(records: Sequence[RawRecord]) -> list[PortalProblem]:
    """A code given twice (in one file or two) is an error naming both places."""
    seen: dict[str, RawRecord] = {}
    problems = []
    for r in records:
        code = str(r.data["ma_thu_tuc"]).strip()
        if code in seen:
            first = seen[code]
            problems.append(PortalProblem(r.file, r.label, f"mã {code} bị trùng: đã có ở {first.file}, bản ghi {first.label}."))
        else:
            seen[code] = r
    return problems
