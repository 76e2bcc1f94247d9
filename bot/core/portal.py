"""Parse national-portal procedure records (dichvucong.gov.vn exports) into published records.

A portal record is a JSON object whose fields are the page's sections
(`ma_thu_tuc`, `ten_thu_tuc`, `cach_thuc_thuc_hien`, `thanh_phan_ho_so`, ...).
Several of them are page tables flattened into one string, the cells run
together with no separator:

    "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việcMiễn phí..."

`parse_record` recovers the structure where it can be recovered without
guessing (ways to submit with time and fee, the papers with their quantities,
numbered steps) and keeps the raw text of every part it could not read with
confidence; `PublishedProcedure` says None for such a part. A time written as a
bare number ("1", the unit left out) is kept but never stated. Points that the
current law has overtaken (sổ hộ khẩu, chứng minh nhân dân) are flagged.

`decode_export` turns the bytes of one export file into raw records, and
`plan_import` compares parsed records with the stored ones. Everything here is
pure: no file system, no database. Problems are `PortalProblem`s naming the
file and the record, in Vietnamese for the staff who run the import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from bot.core.catalog import NATIONAL_CODE_PATTERN
from bot.core.published import (
    Channel,
    Flag,
    ProcessingTime,
    PublishedDocument,
    PublishedFee,
    PublishedProcedure,
    changed_fields,
)
from bot.core.text import fold

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


# --- reading export files ------------------------------------------------------


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


# --- text helpers ----------------------------------------------------------------


def _clean(text: object) -> str:
    """NBSP and tabs to spaces, runs of spaces collapsed, per line; no empty lines."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\t", " ").replace("\r", "")
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> int:
    return len(text.split())


_NO_INFO = "Không có thông tin"


def _empty(text: str) -> bool:
    return not text or fold(text).strip(" .:-") in ("", "khong co thong tin", "khong", "khong co")


# --- flags ---------------------------------------------------------------------

# Matched on NFC text with its marks (folding whole pages is slow), and on folded
# short texts typed without marks.
_FLAG_PATTERNS = {  # no leading \b: table cells run together ("Số lượngSổ hộ khẩu")
    "so_ho_khau": re.compile(r"sổ\s+(?:hộ\s+khẩu|tạm\s+trú)\b|\bso (?:ho khau|tam tru)\b", re.IGNORECASE),
    "cmnd": re.compile(r"chứng\s+minh\s+nhân\s+dân\b|\bchung minh nhan dan\b|cmnd\b", re.IGNORECASE),
}


def flags_in(text: str) -> tuple[str, ...]:
    """Which overtaken papers a text mentions (FLAG_LABELS keys)."""
    text = unicodedata.normalize("NFC", text)
    return tuple(code for code, pattern in _FLAG_PATTERNS.items() if pattern.search(text))


# --- ways to submit, time, fee ---------------------------------------------------

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_KINDS = {"Trực tuyến": "truc_tuyen", "Trực tiếp": "truc_tiep", "Dịch vụ bưu chính": "buu_chinh"}
# A row starts with a way to submit directly followed by its time cell.
_ROW_START = re.compile(r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)(?=\d|Không)")
_UNITS = {
    "ngày làm việc": "ngay_lam_viec",
    "giờ làm việc": "gio_lam_viec",
    "ngày": "ngay",
    "giờ": "gio",
    "tháng": "thang",
    "năm": "nam",
}
_TIME_WITH_UNIT = re.compile(r"(\d+(?:[.,]\d+)?) ?(Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng|Năm)\.?", re.IGNORECASE)
_AMOUNT = re.compile(r"((?:[1-9]\d{0,2}(?:,\d{3})+)|[1-9]\d*|0) ?(Việt Nam Đồng|VNĐ|Đồng)")
_FREE = "Miễn phí"
# Notes beside "Miễn phí" that only confirm it.
_NONE_NOTES = {"khong", "khong co", "khong thu", "khong thu le phi", "khong thu phi", "mien phi", "mien le phi",
               "khong co phi", "khong co le phi", "khong phai nop le phi", "khong mat phi"}
# Words that, beside "Miễn phí", suggest a fee after all (the portal's fee cell defaults to free).
_FEE_WORDS = re.compile(r"\bphí\b|\bđồng\b|\bvnđ\b|\d[\d.]*\s*đ\b|mức thu|hội đồng nhân dân", re.IGNORECASE)


def _fee_cell(text: str) -> tuple[str, int | None, int] | None:
    """("free" | "amount", amount, length) for a fee cell at the start of `text`."""
    if text.startswith(_FREE):
        return "free", None, len(_FREE)
    m = _AMOUNT.match(text)
    if m:
        return "amount", int(m.group(1).replace(",", "")), m.end()
    if text.startswith(_NO_INFO):
        return "none", None, len(_NO_INFO)
    return None


def _balanced_note(text: str) -> tuple[str | None, int]:
    """A "(...)" note at the start of `text`, nested parentheses included."""
    if not text.startswith("("):
        return None, 0
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[1:i].strip(), i + 1
    return None, 0  # unbalanced: not a note we can delimit


def _time_and_fee(cell: str) -> tuple[ProcessingTime | None, tuple | None, int]:
    """Split the run-together time and fee cells at the start of a row.

    A time with a unit ends where the unit ends. A bare number glued to an
    amount ("1400,000 Việt Nam Đồng") is split only if exactly one split gives
    a well-formed amount; otherwise neither is read.
    """
    if cell.startswith(_NO_INFO):
        return None, _fee_cell(cell[len(_NO_INFO):]), len(_NO_INFO)
    m = _TIME_WITH_UNIT.match(cell)
    if m:
        amount = float(m.group(1).replace(",", "."))
        unit = _UNITS[m.group(2).lower()]
        time = ProcessingTime(text=_one_line(m.group(0)).rstrip("."), amount=amount, unit=unit)
        return time, _fee_cell(cell[m.end():].lstrip()), m.end()
    digits = re.match(r"\d+", cell)
    if not digits:
        return None, None, 0
    splits = []
    for k in range(1, len(digits.group(0)) + 1):
        fee = _fee_cell(cell[k:])
        if fee is not None and not (fee[0] == "amount" and cell[k] == "0" and fee[1] != 0):
            splits.append((k, fee))
    if len(splits) != 1:
        return None, None, 0
    k, fee = splits[0]
    return ProcessingTime(text=cell[:k], amount=float(cell[:k]), unit=None), fee, k


def _confident_fee(kind: str, amount: int | None, note: str | None, description: str) -> PublishedFee | None:
    if kind == "amount":
        if not amount:
            return None
        return PublishedFee(free=False, amount_vnd=amount, note=note or None)
    if kind == "free":
        note_folded = fold(note or "").strip(" .;:()")
        if note and note_folded not in _NONE_NOTES:
            return None  # "Miễn phí(Lệ phí ...: 135.000 đồng)": the cell says free, the note says otherwise
        if _FEE_WORDS.search(description):
            return None
        return PublishedFee(free=True)
    return None


def parse_channels(text: str) -> tuple[Channel, ...] | None:
    """The table of ways to submit; None unless every row's way to submit is read."""
    text = _clean(text)
    if not text.startswith(CHANNEL_HEADER):
        return None
    body = text[len(CHANNEL_HEADER):]
    starts = list(_ROW_START.finditer(body))
    if not starts or starts[0].start() != 0:
        return None
    channels = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        cell = body[m.end():end]
        time, fee, used = _time_and_fee(cell)
        rest = cell[used:]
        published_fee = None
        if fee is not None:
            kind, amount, length = fee
            rest = rest.lstrip()[length:]
            note, note_len = _balanced_note(rest)
            rest = rest[note_len:]
            published_fee = _confident_fee(kind, amount, note, rest)
        description = _one_line(rest) or None
        channels.append(Channel(kind=_CHANNEL_KINDS[m.group(1)], time=time, fee=published_fee, description=description))
    return tuple(channels)


# --- papers ----------------------------------------------------------------------

DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The quantity cell, glued to the text before it: "...;1 bản chính" or "0 bản chính,1 bản sao".
# After a digit ("...ngày 01/01/20261 bản chính") the quantity is the last digit only.
_QUANTITY = re.compile(r"(?:(?<=[^\d\s])(\d{1,2})|(?<=\d)(\d)) bản chính(?:,(\d{1,2}) bản sao)?(?=\S|$)")
_FORM_FILE = re.compile(r"\.(?:docx?|pdf|xlsx?|rtf|odt|zip|rar)$", re.IGNORECASE)
_MAX_DOCUMENT_WORDS = 150


def _split_form(name: str) -> tuple[str, bool] | None:
    """Cut the attached form's file name off the end of a paper's name; None if the cut is unclear.

    The file name is glued to the name's closing ";" or "." ("...2021;Mus08.docx",
    "...con nuôi;1.nxin.doc"): the earliest such mark leaving a short file name wins.
    """
    if not _FORM_FILE.search(name):
        return name, False
    stem = _FORM_FILE.sub("", name)
    for m in re.finditer(r";(?! )|\.(?=\d{1,2}\.[^\d\s])|\.(?=[^\d\s])", stem):
        if m.start() > 0 and _words(stem[m.end():]) <= 12:
            return stem[:m.start()].strip(), True
    return None


def _group_title(text: str) -> str | None:
    title = _one_line(text).strip(" -:*")
    return title or None


def parse_documents(text: str) -> tuple[PublishedDocument, ...] | None:
    """The papers table(s); None unless every row is read whole."""
    text = _clean(text)
    parts = text.split(DOCUMENT_HEADER)
    if len(parts) < 2:
        return None
    group = _group_title(parts[0])
    documents: list[PublishedDocument] = []
    for index, part in enumerate(parts[1:], 1):
        last = index == len(parts) - 1
        position = 0
        for m in _QUANTITY.finditer(part):
            row = _one_line(part[position:m.start()]).lstrip(" .,;-+*•")
            position = m.end()
            split = _split_form(row)
            if split is None or not split[0] or _words(split[0]) > _MAX_DOCUMENT_WORDS:
                return None
            name, has_form = split
            originals, copies = int(m.group(1) or m.group(2)), int(m.group(3) or 0)
            documents.append(PublishedDocument(
                name=name.rstrip(" ;,"), originals=originals, copies=copies, has_form=has_form,
                group=group, flags=flags_in(name),
            ))
        tail = part[position:]
        if last:
            if tail.strip(" .-"):
                return None  # text after the last paper: a note we cannot place
        else:
            group = _group_title(tail)
            if group and _words(group) > 40:
                return None
    if not any(not d.is_note for d in documents):
        return None
    return tuple(documents)


# --- steps -----------------------------------------------------------------------

_STEP_MARK = re.compile(r"(?im)^\s*-?\s*bước\s*(\d+)\s*[:.\-–)]?\s*")
_BULLET = re.compile(r"^(?:-|\d{1,2}[.)])\s+")
_MAX_STEPS = 12
_MAX_STEP_WORDS = 80
_MAX_STEPS_WORDS = 320


def parse_steps(text: str) -> tuple[str, ...] | None:
    """Numbered steps ("Bước 1: ...") or top-level "- " items; None if long or unclear."""
    text = _clean(text)
    if not text:
        return None
    marks = list(_STEP_MARK.finditer(text))
    steps: list[str] = []
    if marks:
        numbers = [int(m.group(1)) for m in marks]
        if numbers != list(range(1, len(numbers) + 1)) or text[:marks[0].start()].strip():
            return None
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            steps.append(_one_line(text[m.end():end]))
    else:
        lines = text.split("\n")
        if not _BULLET.match(lines[0]):
            return None
        for line in lines:
            if _BULLET.match(line):
                steps.append(_BULLET.sub("", line))
            elif line.startswith("+"):
                return None  # sub-cases: too intricate to state as steps
            else:
                steps[-1] += " " + line
    steps = [s.strip() for s in steps if s.strip()]
    if not steps or len(steps) > _MAX_STEPS:
        return None
    if any(_words(s) > _MAX_STEP_WORDS for s in steps) or sum(_words(s) for s in steps) > _MAX_STEPS_WORDS:
        return None
    return tuple(steps)


# --- legal basis, results --------------------------------------------------------

# "120/2025/NĐ-CP", "59/2020/QH14", "66.7/2025/NQ-CP"; the next row's name is glued
# after the number, so the issuer part stops before a capitalised word.
_DOC_NUMBER = re.compile(
    r"\d{1,4}(?:\.\d{1,2})?/\d{4}/[A-ZĐ]{1,8}(?:-[A-ZĐ][A-Za-zĐđ]*?)*?\d{0,2}"
    r"(?=[A-ZĐ][a-zà-ỹđ]|THÔNG|NGHỊ|LUẬT|QUYẾT|PHÁP|[^A-Za-zĐđ0-9\-]|$)"
)


def parse_legal_basis(text: str) -> tuple[str, ...]:
    """The document numbers cited, in order, once each (best effort; never stated to citizens)."""
    seen: dict[str, None] = {}
    for m in _DOC_NUMBER.finditer(_clean(text)):
        seen.setdefault(m.group(0), None)
    return tuple(seen)


_RESULT_CODE = re.compile(r"Mã: ?(?:[A-Z]+\d*[.\-])*KQ(?:[.\-]?[A-Z]*\d+)+")


def parse_results(text: str) -> tuple[str, ...]:
    """What the citizen receives: the names before each result code."""
    text = _clean(text).split("Từ khóa")[0]
    names = [_one_line(n).strip(" ;.") for n in _RESULT_CODE.split(text)]
    return tuple(n for n in names if n and not _empty(n) and _words(n) <= 60)


# --- one record --------------------------------------------------------------------


def _levels(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _clean(text).split(",") if part.strip())


def parse_record(data: Mapping[str, object], collected_on: dt.date) -> PublishedProcedure:
    """One checked portal record (see `check_record`) as a published record.

    `collected_on` is used when the record does not carry `ngay_thu_thap`.
    """
    text = {key: _clean(data.get(key)) for key in TEXT_FIELDS}
    if text["ngay_thu_thap"]:
        collected_on = dt.date.fromisoformat(text["ngay_thu_thap"][:10])
    raw: dict[str, str] = {}
    flags: list[Flag] = []

    channels = parse_channels(text["cach_thuc_thuc_hien"])
    if channels is None or any(c.time is None or c.time.label is None or c.fee is None for c in channels):
        if text["cach_thuc_thuc_hien"]:
            raw["cach_thuc_thuc_hien"] = text["cach_thuc_thuc_hien"]
    documents = parse_documents(text["thanh_phan_ho_so"])
    if documents is None and text["thanh_phan_ho_so"]:
        raw["thanh_phan_ho_so"] = text["thanh_phan_ho_so"]
    steps = parse_steps(text["trinh_tu_thuc_hien"])
    if steps is None and text["trinh_tu_thuc_hien"]:
        raw["trinh_tu_thuc_hien"] = text["trinh_tu_thuc_hien"]

    for part, source in (("documents", "thanh_phan_ho_so"), ("steps", "trinh_tu_thuc_hien"),
                         ("channels", "cach_thuc_thuc_hien")):
        flags += [Flag(code, part) for code in flags_in(text[source])]

    agency = text["co_quan_thuc_hien"] or text["co_quan_co_tham_quyen"]
    return PublishedProcedure(
        code=text["ma_thu_tuc"],
        name=_one_line(text["ten_thu_tuc"]),
        field=_one_line(text["linh_vuc"]) or "Khác",
        levels=_levels(text["cap_thuc_hien"]),
        agency=None if _empty(agency) else _one_line(agency),
        where_to_submit=None if _empty(text["dia_chi_tiep_nhan"]) else _one_line(text["dia_chi_tiep_nhan"]),
        channels=channels,
        documents=documents,
        steps=steps,
        legal_basis=parse_legal_basis(text["can_cu_phap_ly"]),
        results=parse_results(text["ket_qua_xu_ly"]),
        source_url=text["detail_url"],
        collected_on=collected_on,
        decision=_one_line(text["so_quyet_dinh"]) or None,
        flags=tuple(flags),
        raw=raw,
    )


# --- what an import changes ----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    code: str
    name: str
    fields: tuple[str, ...]  # FIELD_LABELS keys


@dataclass
class ImportPlan:
    """What storing `incoming` would do to the stored published records."""

    added: list[PublishedProcedure] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[PublishedProcedure] = field(default_factory=list)
    unchanged: int = 0
    incoming: list[PublishedProcedure] = field(default_factory=list)

    @property
    def flagged(self) -> list[PublishedProcedure]:
        return [p for p in self.incoming if p.flags]

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                "unchanged": self.unchanged, "flagged": len(self.flagged)}


def plan_import(stored: Mapping[str, PublishedProcedure], incoming: Iterable[PublishedProcedure],
                *, keep_missing: bool = False) -> ImportPlan:
    """Added, changed (field by field), removed (unless keep_missing) and unchanged records."""
    plan = ImportPlan(incoming=sorted(incoming, key=lambda p: p.code))
    seen = set()
    for p in plan.incoming:
        seen.add(p.code)
        before = stored.get(p.code)
        if before is None:
            plan.added.append(p)
            continue
        fields = changed_fields(before, p)
        if fields:
            plan.changed.append(Change(p.code, p.name, tuple(fields)))
        else:
            plan.unchanged += 1
    if not keep_missing:
        plan.removed = [stored[c] for c in sorted(stored) if c not in seen]
    return plan
