"""The audit log: who changed what, when, from which value to which, and why.

Every change a person makes through the staff console or `bot staff` is one or
more `Change`s, written in the same transaction as the change itself
(`bot.db.audit_store.record`), so there is never a change without its entry
or an entry without its change. Passwords and their hashes never appear in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from bot.core.clock import format_day_time
from bot.core.spreadsheet import safe_row

# Action keys and what staff read for them.
ACTION_LABELS = {
    "account_add": "Thêm tài khoản",
    "account_disable": "Khóa tài khoản",
    "account_enable": "Mở lại tài khoản",
    "password_change": "Đổi mật khẩu",
    "procedure_verify": "Đánh dấu đã kiểm tra",
    "procedure_edit": "Sửa thủ tục",
    "dossier_create": "Thêm hồ sơ",
    "dossier_update": "Cập nhật hồ sơ",
    "dossier_apology": "Gửi thư xin lỗi hồ sơ trễ hạn",
    "feedback_answer": "Trả lời phản ánh",
    "contact_reveal": "Xem liên hệ đầy đủ",
    "nlu_add": "Thêm câu mẫu huấn luyện",
    "nlu_retrain": "Huấn luyện lại mô hình",
}

MAX_VALUE_CHARS = 4000  # an old or new value longer than this is stored cut, with a mark
CUT_MARK = " …(cắt bớt)"


@dataclass(frozen=True)
class Change:
    """What one entry says, before it is stored."""

    action: str
    object: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    object: str
    field: str | None
    old: str | None
    new: str | None
    reason: str | None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def bounded(value: str | None) -> str | None:
    if value is None or len(value) <= MAX_VALUE_CHARS:
        return value
    return value[: MAX_VALUE_CHARS - len(CUT_MARK)] + CUT_MARK


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: by person, by Vietnam days (both ends included)."""

    actor: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


CSV_HEADER = ("thoi_gian", "nguoi_thuc_hien", "viec", "doi_tuong", "truong", "gia_tri_cu", "gia_tri_moi", "ly_do")


def csv_rows(entries: Iterable[AuditEntry]) -> list[Sequence[object]]:
    """The export: a header, then one row per entry, every cell safe to open in a spreadsheet."""
    rows: list[Sequence[object]] = [CSV_HEADER]
    for e in entries:
        rows.append(safe_row((format_day_time(e.at), e.actor, e.action_label, e.object, e.field, e.old, e.new,
                              e.reason)))
    return rows
