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

`to_texts` writes a record in that layout; `from_texts` reads changed texts
over a record and validates the result with the catalog's own model
(`Procedure(**...)`), never a second validator; its errors come back as
`Problem`s naming the column, in Vietnamese. `changes` is the diff staff
review (field: old → new) and the audit log stores, and `version` is the
fingerprint an edit form carries so that a stale form is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from pydantic import ValidationError

from bot.core.catalog import ASPECTS, DOCUMENT_KIND_LABELS, LEVEL_LABELS, ONLINE_LABELS, Procedure
from bot.core.spreadsheet import Table, column_letter
from bot.core.text import fold

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


# --- reading ---------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_GROUPED = re.compile(r"\d{1,3}(?:[., ]\d{3})+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_TRUE = {"co", "x", "1", "true", "yes", "dung"}
_FALSE = {"khong", "0", "false", "no", "sai"}


class _Bad(ValueError):
    """A text that does not read as its column's kind; the message is Vietnamese."""


def _date(text: str) -> dt.date:
    found = _DMY.fullmatch(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    else:
        found = _ISO.fullmatch(text[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", text) else text)
        if not found:
            raise _Bad(f"'{text[:30]}' không phải ngày (viết dạng ngày/tháng/năm, ví dụ 31/12/2026)")
        year, month, day = (int(g) for g in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"ngày '{text[:30]}' không có thật") from None


def _choice(column: Column, text: str) -> str:
    choices = column.choices or {}
    folded = fold(text)
    for code, label in choices.items():
        if folded in (fold(code), fold(label)):
            return code
    raise _Bad(f"'{text[:40]}' không phải một lựa chọn; dùng một trong: " + ", ".join(choices))


def _int(text: str) -> int:
    compact = text.replace(" ", "")
    if _GROUPED.fullmatch(text) or compact.isdigit():
        return int(re.sub(r"\D", "", text))
    raise _Bad(f"'{text[:30]}' không phải số nguyên (ví dụ 50000 hoặc 50.000)")


def _float(text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise _Bad(f"'{text[:30]}' không phải số (ví dụ 5 hoặc 1,5)")
    return float(text.replace(",", "."))


def _bool(text: str) -> bool:
    folded = fold(text)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _Bad(f"'{text[:30]}' không rõ; ghi {YES} hoặc {NO}")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parts(line: str, most: int, n: int) -> list[str]:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) > most:
        raise _Bad(f"dòng {n} có {len(parts)} phần, nhiều nhất {most} phần ngăn bằng dấu |")
    return parts + [""] * (most - len(parts))


def _documents(text: str) -> list[dict]:
    out = []
    kinds = Column("", "", "loại giấy tờ", "choice", DOCUMENT_KIND_LABELS)
    for n, line in enumerate(_lines(text), 1):
        name, kind, quantity, notes = _parts(line, 4, n)
        try:
            out.append({"name": name, "kind": _choice(kinds, kind) if kind else "ban_chinh",
                        "quantity": _int(quantity) if quantity else 1, "notes": notes or None})
        except _Bad as exc:
            raise _Bad(f"dòng {n}: {exc}") from None
    return out


def _forms(text: str) -> list[dict]:
    out = []
    for n, line in enumerate(_lines(text), 1):
        name, where, code = _parts(line, 3, n)
        out.append({"name": name, "where": where, "code": code or None})
    return out


def _aspects(text: str) -> list[str]:
    out = []
    column = BY_KEY["chua_kiem_chung"]
    for item in re.split(r"[,;\n]", text):
        if item.strip():
            code = _choice(column, item.strip())
            if code not in out:
                out.append(code)
    return out


def value_of(column: Column, text: str):
    """The record value a column's text stands for; _Bad when it does not read."""
    text = (text or "").strip()
    kind = column.kind
    if kind in ("lines",):
        return _lines(text)
    if kind == "documents":
        return _documents(text)
    if kind == "forms":
        return _forms(text)
    if kind == "aspects":
        return _aspects(text)
    if not text:
        return None
    if kind == "date":
        return _date(text)
    if kind == "int":
        return _int(text)
    if kind == "number":
        return _float(text)
    if kind == "bool":
        return _bool(text)
    if kind == "choice":
        return _choice(column, text)
    return " ".join(text.split()) if kind == "text" else text


def from_texts(base: Procedure, texts: Mapping[str, str]) -> Procedure:
    """`base` with the given columns' texts read over it, validated by the catalog's model.

    Columns not given keep `base`'s values. The code cannot change. Raises
    RecordProblems naming each bad column (an unknown column is one too).
    """
    raw = json.loads(base.json())
    problems: list[Problem] = []
    for key, text in texts.items():
        column = BY_KEY.get(key)
        if column is None:
            problems.append(Problem(key, f"không có cột '{key[:40]}' (các cột: {', '.join(KEYS)})"))
            continue
        if key == CODE_KEY:
            if " ".join((text or "").split()) != base.code:
                problems.append(Problem(key, "không sửa được mã thủ tục"))
            continue
        try:
            value = value_of(column, text)
        except _Bad as exc:
            problems.append(Problem(key, str(exc)))
            continue
        target = raw
        *parents, last = column.path.split(".")
        for part in parents:
            target = target[part]
        target[last] = value.isoformat() if isinstance(value, dt.date) else value
    try:  # columns that did not read keep their old value here, so every other problem is found too
        record = Procedure(**raw)
    except ValidationError as exc:
        problems += _problems_of(exc)
    if problems:
        raise RecordProblems(problems)
    return record


# --- the catalog's own errors, in Vietnamese ---------------------------------------------

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


def _problems_of(exc: ValidationError) -> list[Problem]:
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


# --- a spreadsheet of curated records ------------------------------------------------------


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
