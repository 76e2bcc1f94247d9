"""A curated record as named text fields: the one layout the console's edit form, the Excel/CSV files and the diff share.

Every field of a `bot.core.catalog.Procedure` that staff keep is one `Column`:
a key (the form field and the spreadsheet column, e.g. `le_phi`), the record's
attribute (`fees.text`), a Vietnamese label, and how its value reads as text:

- lists (aliases, steps, legal basis…): one item per line;
- documents: one per line, `name | kind | quantity | notes` (kind and quantity may
  be left out: `ban_chinh`, 1); forms: `name | where to get it | form code`;
- dates: `dd/mm/yyyy` (`yyyy-mm-dd` is read too); yes/no: `có` / `không`;
- choices (level, online level, document kind): the code (`xa`) or its label (`cấp xã`);
- amounts: digits, with `.`, `,` or spaces between thousands allowed.

This module holds the layout and writes a record in it: `to_texts`; `changes`
is the diff staff review (field: old → new) and the audit log stores, and
`version` is the fingerprint an edit form carries so that a stale form is
refused. Reading texts back is `bot.core.record_reading.from_texts` (validated
by the catalog's own model, never a second validator; problems come back as
`Problem`s naming the column, in Vietnamese: `bot.core.record_errors`), and a
spreadsheet of records is `bot.core.record_sheet`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Mapping

from bot.core.catalog import ASPECTS, DOCUMENT_KIND_LABELS, LEVEL_LABELS, ONLINE_LABELS, Procedure

SEPARATOR = " | "
YES, NO = "có", "không"
ASPECT_LABELS = {
    "code": "Mã thủ tục",
    "agency": "Cơ quan thực hiện",
    "where_to_submit": "Nơi nộp",
    "processing_time": "Thời gian giải quyết",
    "fees": "Lệ phí",
    "documents": "Giấy tờ cần nộp",
    "steps": "Các bước",
    "online": "Làm trực tuyến",
    "forms": "Biểu mẫu",
    "legal_basis": "Căn cứ pháp lý",
}


@dataclass(frozen=True)
class Column:
    key: str  # form field and spreadsheet column
    path: str  # the record's attribute, "fees.text"
    label: str  # what staff read
    kind: str  # text | long | lines | date | int | number | bool | choice | documents | forms | aspects
    choices: Mapping[str, str] | None = None
    hint: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("ma_thu_tuc", "code", "Mã thủ tục", "text", hint="Không sửa được: dùng để tìm bản ghi."),
    Column("ten", "name", "Tên thủ tục", "long"),
    Column("linh_vuc", "field", "Lĩnh vực", "text"),
    Column("ten_goi_khac", "aliases", "Tên gọi khác", "lines", hint="Mỗi dòng một tên người dân hay gọi."),
    Column("tu_khoa", "keywords", "Từ khóa", "lines", hint="Mỗi dòng một từ khóa."),
    Column("cap", "level", "Cấp thực hiện", "choice", LEVEL_LABELS),
    Column("co_quan", "agency", "Cơ quan thực hiện", "long"),
    Column("noi_nop", "where_to_submit", "Nơi nộp", "long"),
    Column("thoi_gian", "processing_time.text", "Thời gian giải quyết", "long"),
    Column("so_ngay_lam_viec", "processing_time.working_days", "Số ngày làm việc", "number",
           hint="Để trống nếu không tính được bằng một con số."),
    Column("le_phi", "fees.text", "Lệ phí", "long"),
    Column("so_tien", "fees.amount_vnd", "Số tiền (đồng)", "int", hint="Để trống nếu tùy trường hợp."),
    Column("mien_giam", "fees.exemptions", "Miễn, giảm lệ phí", "long"),
    Column("le_phi_den_ngay", "fees.valid_to", "Mức lệ phí áp dụng đến hết ngày", "date",
           hint="Ngày cuối của mức phí tạm thời; sau ngày này trợ lý không nêu lệ phí nữa."),
    Column("giay_to", "documents", "Giấy tờ cần nộp", "documents",
           hint="Mỗi dòng một giấy tờ: tên | loại | số lượng | ghi chú. Loại: " + ", ".join(DOCUMENT_KIND_LABELS)
           + ". Bỏ trống loại và số lượng thì hiểu là bản chính, 1 bản."),
    Column("cac_buoc", "steps", "Các bước", "lines", hint="Mỗi dòng một bước."),
    Column("truc_tuyen", "online.available", "Làm trực tuyến được", "bool", hint="có hoặc không."),
    Column("muc_truc_tuyen", "online.level", "Mức trực tuyến", "choice", ONLINE_LABELS),
    Column("link_nop_truc_tuyen", "online.portal_url", "Đường dẫn nộp trực tuyến", "text"),
    Column("bieu_mau", "forms", "Biểu mẫu", "forms", hint="Mỗi dòng một biểu mẫu: tên | nơi lấy | mã mẫu."),
    Column("can_cu_phap_ly", "legal_basis", "Căn cứ pháp lý", "lines", hint="Mỗi dòng một văn bản."),
    Column("ghi_chu", "notes", "Ghi chú cho người dân", "long"),
    Column("ma_khac", "other_codes", "Mã thủ tục liên quan", "lines"),
    Column("link_nguon", "source_url", "Trang chính thức (nguồn)", "text"),
    Column("ngay_kiem_tra", "verified_on", "Ngày kiểm tra", "date"),
    Column("hieu_luc_tu", "valid_from", "Hiệu lực từ ngày", "date"),
    Column("hieu_luc_den", "valid_to", "Hiệu lực đến hết ngày", "date", hint="Để trống nếu chưa có ngày hết hiệu lực."),
    Column("chua_kiem_chung", "unverified", "Phần chưa kiểm chứng", "aspects", ASPECT_LABELS,
           hint="Trợ lý không nêu các phần này, chỉ mời người dân hỏi lại cơ quan. Mỗi dòng (hoặc dấu phẩy) một mã: "
                + ", ".join(ASPECTS) + "."),
)
BY_KEY = {c.key: c for c in COLUMNS}
BY_PATH = {c.path: c for c in COLUMNS}
CODE_KEY = "ma_thu_tuc"
KEYS = tuple(c.key for c in COLUMNS)


@dataclass(frozen=True)
class Problem:
    key: str  # the column
    message: str  # Vietnamese

    @property
    def label(self) -> str:
        return BY_KEY[self.key].label if self.key in BY_KEY else self.key


class RecordProblems(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.label}: {p.message}" for p in problems))


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    old: str
    new: str


# --- writing --------------------------------------------------------------------------


def format_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _get(p: Procedure, path: str):
    value = p
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _document_line(d) -> str:
    parts = [d.name, d.kind, str(d.quantity)] + ([d.notes] if d.notes else [])
    return SEPARATOR.join(parts)


def _form_line(f) -> str:
    return SEPARATOR.join([f.name, f.where] + ([f.code] if f.code else []))


def text_of(column: Column, value) -> str:
    kind = column.kind
    if value is None:
        return ""
    if kind == "date":
        return format_date(value)
    if kind in ("int", "number"):
        return _number(value)
    if kind == "bool":
        return YES if value else NO
    if kind in ("lines", "aspects"):
        return "\n".join(value)
    if kind == "documents":
        return "\n".join(_document_line(d) for d in value)
    if kind == "forms":
        return "\n".join(_form_line(f) for f in value)
    return " ".join(str(value).split()) if kind == "text" else str(value).strip()


def to_texts(p: Procedure) -> dict[str, str]:
    """Every column's text for `p`, in column order."""
    return {c.key: text_of(c, _get(p, c.path)) for c in COLUMNS}


def version(p: Procedure) -> str:
    """What an edit form carries: changes whenever anything staff see changes, `verified_on` included."""
    return hashlib.sha256(json.dumps(to_texts(p), ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def changes(old: Procedure, new: Procedure) -> list[FieldChange]:
    """Field by field, in column order: what differs between two records."""
    before, after = to_texts(old), to_texts(new)
    return [FieldChange(c.key, c.label, before[c.key], after[c.key]) for c in COLUMNS if before[c.key] != after[c.key]]

