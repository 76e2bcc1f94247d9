"""Checking staff input (CSV rows, pushed JSON) field by field, in Vietnamese.

Every problem is named with its column so staff can fix a file in one pass;
nothing here decides what to write (that is `planning`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from bot.core.catalog import NATIONAL_CODE_PATTERN
from bot.core.clock import VN_TZ
from bot.core.contact import normalize_phone
from bot.core.dossiers.codes import CODE_EXAMPLE, normalize_code
from bot.core.dossiers.status import Dossier, DossierStatus, ReturnMethod, parse_status

MAX_NAME = 200
MAX_UNIT = 200
MAX_NOTE = 1000

CSV_FIELDS = ("code", "procedure_code", "applicant_name", "phone", "status",
              "received_at", "due_at", "updated_at", "unit", "note")
OPTIONAL_EXTRA_FIELDS = ("finished_at", "return_method")
ALL_FIELDS = CSV_FIELDS + OPTIONAL_EXTRA_FIELDS
REQUIRED_FOR_NEW = ("code", "procedure_code", "applicant_name", "phone", "status", "received_at", "due_at")
DATE_FIELDS = ("received_at", "due_at", "updated_at", "finished_at")
# Present but empty means "none now"; other empty fields mean "unchanged".
CLEARABLE_FIELDS = ("unit", "note")

FIELD_LABELS = {
    "code": "mã hồ sơ",
    "procedure_code": "mã thủ tục",
    "applicant_name": "tên người nộp",
    "phone": "số điện thoại",
    "status": "trạng thái",
    "received_at": "ngày tiếp nhận",
    "due_at": "ngày hẹn trả",
    "updated_at": "ngày cập nhật",
    "finished_at": "ngày hoàn thành",
    "unit": "đơn vị xử lý",
    "note": "ghi chú",
    "return_method": "cách trả kết quả",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"cột {self.field}: {self.message}"


def parse_datetime(raw: Any) -> dt.datetime | None:
    """ISO 8601 date or date-time as an aware Vietnam time; None if invalid.

    Staff input without an offset is Vietnam time; a date alone is 00:00 that
    Vietnam day (an appointment lasting the whole day); an offset is honoured.
    """
    text = str(raw).strip()
    if not text or len(text) > 40:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0, 0), tzinfo=VN_TZ)
        value = dt.datetime.fromisoformat(text)
        value = value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value.astimezone(VN_TZ)
    except (ValueError, OverflowError):  # OverflowError: an offset pushing 9999-12-31 past the calendar
        return None
    return value.replace(microsecond=0)


def _text_parser(limit: int, label: str):
    def parse(text: str) -> tuple[Any, str | None]:
        text = " ".join(text.split())
        if len(text) > limit:
            return None, f"{label} dài quá: tối đa {limit} ký tự (đang có {len(text)})"
        return text, None
    return parse


def _parse_code(text: str) -> tuple[Any, str | None]:
    code = normalize_code(text)
    return code, None if code else f"mã hồ sơ không đúng dạng (ví dụ {CODE_EXAMPLE})"


def _parse_procedure_code(text: str) -> tuple[Any, str | None]:
    return (text, None) if re.fullmatch(NATIONAL_CODE_PATTERN, text) else (None, "mã thủ tục phải có dạng 1.001193")


def _parse_phone(text: str) -> tuple[Any, str | None]:
    phone = normalize_phone(text)
    return phone, None if phone else "số điện thoại không hợp lệ (cần 10 hoặc 11 chữ số, bắt đầu bằng 0)"


def _parse_status(text: str) -> tuple[Any, str | None]:
    status = parse_status(text)
    if status is None:
        return None, f"trạng thái '{text[:40]}' không có; dùng một trong: " + ", ".join(s.value for s in DossierStatus)
    return status, None


def _parse_date(text: str) -> tuple[Any, str | None]:
    value = parse_datetime(text)
    if value is None:
        return None, f"ngày '{text[:40]}' không đúng dạng ISO 8601 (ví dụ 2025-03-12 hoặc 2025-03-12T08:30)"
    return value, None


def _parse_return_method(text: str) -> tuple[Any, str | None]:
    try:
        return ReturnMethod(text.lower()), None
    except ValueError:
        return None, "cách trả kết quả phải là desk (tại quầy) hoặc post (bưu điện)"


_PARSERS = {
    "code": _parse_code,
    "procedure_code": _parse_procedure_code,
    "applicant_name": _text_parser(MAX_NAME, "tên"),
    "phone": _parse_phone,
    "status": _parse_status,
    "received_at": _parse_date,
    "due_at": _parse_date,
    "updated_at": _parse_date,
    "finished_at": _parse_date,
    "unit": _text_parser(MAX_UNIT, "đơn vị xử lý"),
    "note": _text_parser(MAX_NOTE, "ghi chú"),
    "return_method": _parse_return_method,
}


def parse_fields(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate the fields present in one incoming record (empty values are absent).

    Returns the parsed values and every problem found; unknown keys are errors.
    """
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key in raw:
        if key not in _PARSERS:
            errors.append(FieldError(str(key)[:40], f"không có cột này; các cột hợp lệ: {', '.join(ALL_FIELDS)}"))
    for name, parser in _PARSERS.items():
        value = raw.get(name)
        if isinstance(value, (dict, list, bool)):
            errors.append(FieldError(name, "phải là chữ hoặc số"))
            continue
        if value is None or str(value).strip() == "":
            if name in CLEARABLE_FIELDS and name in raw:
                values[name] = None
            continue
        parsed, problem = parser(str(value).strip())
        if problem:
            errors.append(FieldError(name, problem))
        else:
            values[name] = parsed
    return values, errors


def check_consistency(d: Dossier) -> list[FieldError]:
    """Rules across fields: dates in order."""
    errors = []
    if d.due_at < d.received_at:
        errors.append(FieldError("due_at", "ngày hẹn trả phải sau ngày tiếp nhận"))
    if d.updated_at < d.received_at:
        errors.append(FieldError("updated_at", "ngày cập nhật phải sau ngày tiếp nhận"))
    if d.finished_at is not None and d.finished_at < d.received_at:
        errors.append(FieldError("finished_at", "ngày hoàn thành phải sau ngày tiếp nhận"))
    return errors
