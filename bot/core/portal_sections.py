"""Parse the sections of a national-portal page, several of them tables flattened into one string.

The cells of a page table run together with no separator:

    "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việcMiễn phí..."

Each parser recovers what can be recovered without guessing and says None
otherwise: `parse_channels` (ways to submit with time and fee), `parse_documents`
(the papers with their quantities), `parse_steps` (numbered steps). A time
written as a bare number ("1", the unit left out) is kept but never stated.
`parse_legal_basis` and `parse_results` are best effort; `flags_in` finds the
papers the current law has overtaken (sổ hộ khẩu, chứng minh nhân dân).
`bot.core.portal.parse_record` puts the sections together.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.published import Channel, ProcessingTime, PublishedDocument, PublishedFee
from bot.core.text import fold

# --- text helpers ----------------------------------------------------------------


def clean_text(text: object) -> str:
    """NBSP and tabs to spaces, runs of spaces collapsed, per line; no empty lines."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\t", " ").replace("\r", "")
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """All whitespace runs, newlines included, as one space."""
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> int:
    return len(text.split())


_NO_INFO = "Không có thông tin"


def is_empty(text: str) -> bool:
    """True for a cell that says nothing ("Không có thông tin", "Không")."""
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
        time = ProcessingTime(text=one_line(m.group(0)).rstrip("."), amount=amount, unit=unit)
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
    text = clean_text(text)
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
        description = one_line(rest) or None
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
    title = one_line(text).strip(" -:*")
    return title or None


def parse_documents(text: str) -> tuple[PublishedDocument, ...] | None:
    """The papers table(s); None unless every row is read whole."""
    text = clean_text(text)
    parts = text.split(DOCUMENT_HEADER)
    if len(parts) < 2:
        return None
    group = _group_title(parts[0])
    documents: list[PublishedDocument] = []
    for index, part in enumerate(parts[1:], 1):
        last = index == len(parts) - 1
        position = 0
        for m in _QUANTITY.finditer(part):
            row = one_line(part[position:m.start()]).lstrip(" .,;-+*•")
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
    text = clean_text(text)
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
            steps.append(one_line(text[m.end():end]))
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
    for m in _DOC_NUMBER.finditer(clean_text(text)):
        seen.setdefault(m.group(0), None)
    return tuple(seen)


_RESULT_CODE = re.compile(r"Mã: ?(?:[A-Z]+\d*[.\-])*KQ(?:[.\-]?[A-Z]*\d+)+")


def parse_results(text: str) -> tuple[str, ...]:
    """What the citizen receives: the names before each result code."""
    text = clean_text(text).split("Từ khóa")[0]
    names = [one_line(n).strip(" ;.") for n in _RESULT_CODE.split(text)]
    return tuple(n for n in names if n and not is_empty(n) and _words(n) <= 60)
