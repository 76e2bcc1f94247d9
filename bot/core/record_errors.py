"""The catalog model's validation errors in Vietnamese, each naming the column of `bot.core.record_fields` it is about."""

from __future__ import annotations

import re
from typing import Mapping

from pydantic import ValidationError

from bot.core.record_fields import BY_PATH, Problem

_TYPE_TEXTS = {
    "value_error.missing": "chưa điền",
    "type_error.none.not_allowed": "chưa điền",
    "value_error.any_str.min_length": "không được để trống",
    "value_error.list.min_items": "cần ít nhất {limit_value} dòng",
    "value_error.number.not_ge": "phải từ {limit_value} trở lên",
    "value_error.number.not_le": "không được quá {limit_value}",
    "value_error.str.regex": "không đúng dạng",
    "value_error.const": "không phải một giá trị được phép",
}
# The catalog's own validators (bot/core/catalog.py) word their errors in English for developers.
_VALUE_TEXTS = (
    (re.compile(r"must be an https:// link"), "phải là đường dẫn bắt đầu bằng https://"),
    (re.compile(r"verification date is in the future"), "ngày kiểm tra không được ở tương lai"),
    (re.compile(r"valid_to is before valid_from"), "ngày hết hiệu lực trước ngày bắt đầu hiệu lực"),
    (re.compile(r"the fee text holds only until (\d{4})-(\d{2})-(\d{2})"),
     "nội dung lệ phí ghi chỉ áp dụng đến hết {2}/{1}/{0}: điền ngày đó (hoặc sớm hơn) vào “Mức lệ phí áp dụng "
     "đến hết ngày”"),
    (re.compile(r"code (\S+) is a LOCAL- placeholder"),
     "mã {0} là mã tạm (LOCAL-): phải đánh dấu “Mã thủ tục” là chưa kiểm chứng"),
)
_LIST_PARTS = {"documents": ("name", "kind", "quantity", "notes"), "forms": ("name", "where", "code")}
_PART_LABELS = {"name": "tên", "kind": "loại", "quantity": "số lượng", "notes": "ghi chú", "where": "nơi lấy",
                "code": "mã mẫu"}


def vietnamese_message(error: Mapping) -> str:
    """One pydantic error of the catalog's model, as staff read it."""
    kind, message = error.get("type", ""), str(error.get("msg", ""))
    if kind == "value_error":
        for pattern, text in _VALUE_TEXTS:
            found = pattern.search(message)
            if found:
                return text.format(*found.groups())
    if kind in _TYPE_TEXTS:
        return _TYPE_TEXTS[kind].format(**(error.get("ctx") or {}))
    return f"không hợp lệ ({message})"


def problems_of(exc: ValidationError) -> list[Problem]:
    """Every error of the catalog's model, as a problem of the column it is about (a list row named)."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        where = ""
        if loc and loc[0] in _LIST_PARTS and len(loc) >= 2 and loc[1].isdigit():
            part = _PART_LABELS.get(loc[2], loc[2]) if len(loc) > 2 else ""
            where = f"dòng {int(loc[1]) + 1}" + (f", phần {part}" if part else "") + ": "
            path = loc[0]
        elif loc and loc[0] in ("processing_time", "fees", "online") and len(loc) > 1:
            path = ".".join(loc[:2])
        else:
            path = loc[0] if loc else ""
        column = BY_PATH.get(path) or BY_PATH.get(path.split(".")[0])
        problems.append(Problem(column.key if column else path, where + vietnamese_message(err)))
    return problems
