"""Dossier rules: codes, statuses, lateness, validation of staff input, what citizens read.

A dossier (hồ sơ) is what a citizen handed in at the one-stop desk. Its code is
printed on the receipt (giấy tiếp nhận và hẹn trả kết quả), e.g.
`000.00.12.H12-250312-0042`: agency code, receipt date YYMMDD, sequence.

Times here are naive local time in Vietnam (UTC+7, no daylight saving): what
staff type and what citizens read. Nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

from bot.core.clock import VN_TZ, format_day
from bot.core.text import strip_diacritics

# --- Codes -----------------------------------------------------------------

_SEP = r"[\s.\-_/]*"
# The same pattern is the `dossier_code` regex in data/nlu/dossiers.yml.
CODE_PATTERN = (
    r"(?<![0-9A-Za-z])\d{3}" + _SEP + r"\d{2}" + _SEP + r"\d{2}" + _SEP + r"[A-Za-z]\d{2}"
    + _SEP + r"\d{6}" + _SEP + r"\d{4}(?![0-9A-Za-z])"
)
_CODE_RE = re.compile(CODE_PATTERN)
_COMPACT_RE = re.compile(r"^(\d{3})(\d{2})(\d{2})([A-Z]\d{2})(\d{6})(\d{4})$")
CODE_EXAMPLE = "000.00.12.H12-250312-0042"
MAX_CODE_INPUT = 100


def normalize_code(raw: str | None) -> str | None:
    """The canonical code (`000.00.12.H12-250312-0042`) for a typed one, else None.

    Accepts lower case, spaces, and missing or different punctuation.
    """
    if not raw or len(raw) > MAX_CODE_INPUT:
        return None
    compact = re.sub(r"[\s.\-_/]", "", raw).upper()
    match = _COMPACT_RE.match(compact)
    if not match:
        return None
    agency1, agency2, agency3, agency4, day, seq = match.groups()
    return f"{agency1}.{agency2}.{agency3}.{agency4}-{day}-{seq}"


def find_code(text: str | None) -> str | None:
    """The first dossier code written anywhere in a message, canonical, else None."""
    if not text:
        return None
    match = _CODE_RE.search(text[:2000])
    return normalize_code(match.group(0)) if match else None


# --- Phones ----------------------------------------------------------------

_PHONE_RE = re.compile(r"^0\d{8,10}$")


def normalize_phone(raw: str | None) -> str | None:
    """Digits only, +84/84 prefix turned into 0; None when it is not a phone number."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not re.fullmatch(r"\+?[\d\s.\-()]{9,20}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE_RE.match(digits) else None


def mask_phone(phone: str | None, keep: int = 3) -> str:
    """`0912345678` → `*******678`: a stored phone is never shown whole."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) <= keep:
        return "*" * len(digits)
    return "*" * (len(digits) - keep) + digits[-keep:]


_FOUR_DIGITS_PHRASE = re.compile(r"\b(?:4|bon)\s*(?:chu\s*)?so(?:\s*cuoi)?\b")


def last4_from_text(text: str | None) -> str | None:
    """The four digits a citizen typed ("1234", "4 số cuối là 12 34"), or the last
    four of a whole phone number; None otherwise."""
    if not text:
        return None
    text = _FOUR_DIGITS_PHRASE.sub(" ", strip_diacritics(text[:200]).lower())
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return digits
    if 9 <= len(digits) <= 12 and normalize_phone(text.strip()):
        return digits[-4:]
    return None


def phone_matches(stored_phone: str, last4: str | None) -> bool:
    """Whether `last4` are the last four digits of the stored phone (constant time)."""
    if not last4 or len(last4) != 4 or not last4.isdigit():
        return False
    return hmac.compare_digest(stored_phone[-4:].encode(), last4.encode())


# --- Statuses --------------------------------------------------------------


class DossierStatus(str, Enum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEED_SUPPLEMENT = "need_supplement"
    NEED_PAYMENT = "need_payment"
    REJECTED = "rejected"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.PROCESSING: "Đang xử lý",
    DossierStatus.NEED_SUPPLEMENT: "Cần bổ sung",
    DossierStatus.NEED_PAYMENT: "Chờ nộp phí",
    DossierStatus.REJECTED: "Từ chối",
    DossierStatus.RESULT_READY: "Đã có kết quả",
    DossierStatus.RETURNED: "Đã trả kết quả",
    DossierStatus.WITHDRAWN: "Đã rút",
}
# The citizen has (or had) the result: never late.
DONE_STATUSES = frozenset({DossierStatus.RESULT_READY, DossierStatus.RETURNED})
# Handling has ended, one way or another.
FINISHED_STATUSES = DONE_STATUSES | {DossierStatus.REJECTED, DossierStatus.WITHDRAWN}


def parse_status(raw: Any) -> DossierStatus | None:
    try:
        return DossierStatus(str(raw).strip().lower())
    except ValueError:
        return None


class ReturnMethod(str, Enum):
    DESK = "desk"
    POST = "post"


# --- The record ------------------------------------------------------------

MAX_NAME = 200
MAX_UNIT = 200
MAX_NOTE = 1000
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_code: str
    applicant_name: str
    phone: str
    status: DossierStatus
    received_at: dt.datetime
    due_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None = None
    unit: str | None = None
    note: str | None = None
    return_method: ReturnMethod = ReturnMethod.DESK
    # The appointment that passed before the dossier was done, when a new one was set.
    missed_due_at: dt.datetime | None = None

    def is_late(self, now: dt.datetime) -> bool:
        return is_late(self, now)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _end_of_appointment(due: dt.datetime) -> dt.datetime:
    """A date-only appointment (00:00) lasts the whole day."""
    if due.time() == dt.time(0, 0):
        return due + dt.timedelta(days=1)
    return due


def is_past(due: dt.datetime, now: dt.datetime) -> bool:
    return now >= _end_of_appointment(due)


def is_late(d: Dossier, now: dt.datetime) -> bool:
    """Past the appointment and neither result_ready nor returned.

    A rejected or withdrawn dossier that ended before its appointment is not late.
    A dossier given a new appointment after missing one stays late.
    """
    if d.status in DONE_STATUSES:
        return False
    if d.status in FINISHED_STATUSES and d.finished_at is not None and not is_past(d.due_at, d.finished_at):
        return False
    return d.missed_due_at is not None or is_past(d.due_at, now)


def new_appointment(d: Dossier) -> dt.datetime | None:
    """The new appointment date of a late dossier, when the agency has set one."""
    if d.missed_due_at is not None and d.due_at > d.missed_due_at:
        return d.due_at
    return None


# --- Validating staff input (CSV rows, pushed JSON) -------------------------

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
    """ISO 8601 date or date-time; an offset is converted to Vietnam time. None if invalid."""
    text = str(raw).strip()
    if not text or len(text) > 40:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0, 0))
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(VN_TZ).replace(tzinfo=None)
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
    return (text, None) if PROCEDURE_CODE_RE.match(text) else (None, "mã thủ tục phải có dạng 1.001193")


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


# --- Planning an import or a push ------------------------------------------

CREATE, UPDATE, UNCHANGED, STALE = "create", "update", "unchanged", "stale"
_COMPARED = ("procedure_code", "applicant_name", "phone", "status", "received_at", "due_at",
             "finished_at", "unit", "note", "return_method", "missed_due_at")


@dataclass(frozen=True)
class Incoming:
    """One record from a file line or a pushed object; `where` names it in errors."""

    where: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    kind: str
    where: str
    before: Dossier | None
    after: Dossier

    @property
    def status_changed(self) -> bool:
        return self.before is None or self.before.status != self.after.status


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[str, FieldError]] = field(default_factory=list)
    notifications: int = 0  # messages queued for subscribers when the plan was written

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.kind in (CREATE, UPDATE)]


def _missed_due(before: Dossier, after_due: dt.datetime, when: dt.datetime) -> dt.datetime | None:
    """Keep the missed appointment when a new one is set after the old one passed."""
    if before.missed_due_at is not None:
        return before.missed_due_at
    if after_due != before.due_at and before.status not in DONE_STATUSES and is_past(before.due_at, when):
        return before.due_at
    return None


def merge(before: Dossier | None, values: Mapping[str, Any], now: dt.datetime) -> Dossier:
    """The dossier after applying validated `values` (all required ones when new)."""
    updated_at = values.get("updated_at") or now
    if before is None:
        status = values["status"]
        finished = values.get("finished_at")
        if finished is None and status in FINISHED_STATUSES:
            finished = updated_at
        return Dossier(
            code=values["code"], procedure_code=values["procedure_code"],
            applicant_name=values["applicant_name"], phone=values["phone"], status=status,
            received_at=values["received_at"], due_at=values["due_at"], updated_at=updated_at,
            finished_at=finished, unit=values.get("unit"), note=values.get("note"),
            return_method=values.get("return_method", ReturnMethod.DESK),
        )
    changes = {k: v for k, v in values.items() if k not in ("code", "updated_at")}
    after = replace(before, **changes, updated_at=updated_at)
    if "finished_at" not in values:
        if after.status in FINISHED_STATUSES and before.status not in FINISHED_STATUSES:
            after = replace(after, finished_at=updated_at)
        elif after.status not in FINISHED_STATUSES:
            after = replace(after, finished_at=None)
    after = replace(after, missed_due_at=_missed_due(before, after.due_at, updated_at))
    return after


def _same(a: Dossier, b: Dossier) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in _COMPARED)


def plan_changes(existing: Mapping[str, Dossier], incoming: Sequence[Incoming], now: dt.datetime,
                 complete: bool = True) -> Plan:
    """Decide, for each incoming record, create / update / unchanged / stale, or why not.

    Pure: `existing` maps canonical code → stored dossier. With `complete` (CSV
    files) every record carries every required field; without (pushes) a known
    dossier may be sent with only the fields that changed. Duplicate codes in one
    batch are errors. A record whose updated_at is older than the stored one is
    stale and skipped, so pushes that arrive out of order never undo newer data.
    """
    plan = Plan()
    seen: dict[str, str] = {}
    for item in incoming:
        values, errors = parse_fields(item.fields)
        code = values.get("code")
        if "code" not in values and not any(e.field == "code" for e in errors):
            errors.append(FieldError("code", "thiếu mã hồ sơ"))
        if code is not None:
            if code in seen:
                errors.append(FieldError("code", f"mã {code} trùng với {seen[code][:1].lower()}{seen[code][1:]}"))
            else:
                seen[code] = item.where
        before = existing.get(code) if code else None
        if code is not None and (complete or before is None):
            for name in REQUIRED_FOR_NEW:
                if name not in values and not any(e.field == name for e in errors):
                    errors.append(FieldError(name, f"thiếu {FIELD_LABELS[name]}"))
        if errors:
            plan.errors.extend((item.where, e) for e in errors)
            continue
        if before is not None and values.get("updated_at") and values["updated_at"] < before.updated_at:
            plan.changes.append(Change(STALE, item.where, before, before))
            continue
        after = merge(before, values, now)
        problems = check_consistency(after)
        if problems:
            plan.errors.extend((item.where, e) for e in problems)
            continue
        if before is not None and _same(before, after):
            plan.changes.append(Change(UNCHANGED, item.where, before, before))
            continue
        plan.changes.append(Change(CREATE if before is None else UPDATE, item.where, before, after))
    return plan


def changed_fields(change: Change) -> list[str]:
    if change.before is None:
        return ["mới"]
    return [f for f in _COMPARED if getattr(change.before, f) != getattr(change.after, f)]


# --- What the citizen reads -------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where results are collected: from the deployment file."""

    desk: str
    address: str


DEFAULT_PLACE = Place(desk="bộ phận một cửa", address="nơi bạn đã nộp hồ sơ")
WHAT_TO_BRING = ("giấy tiếp nhận hồ sơ và hẹn trả kết quả, và thẻ căn cước. "
                 "Người nhận thay mang thêm giấy ủy quyền")


def next_step(d: Dossier, place: Place = DEFAULT_PLACE) -> str:
    """What the citizen should do now, in plain words."""
    s = d.status
    if s is DossierStatus.RECEIVED:
        return "Hồ sơ đang chờ chuyển đến nơi xử lý. Bạn chưa cần làm gì thêm."
    if s is DossierStatus.PROCESSING:
        where = f" tại {d.unit}" if d.unit else ""
        return f"Hồ sơ đang được xử lý{where}. Bạn chưa cần làm gì, chờ đến ngày hẹn trả."
    if s is DossierStatus.NEED_SUPPLEMENT:
        if d.note:
            return f"Bạn cần bổ sung: {d.note}. Mang giấy tờ bổ sung đến {place.desk}."
        return f"Bạn cần bổ sung giấy tờ. Hãy hỏi {place.desk} xem cần bổ sung gì."
    if s is DossierStatus.NEED_PAYMENT:
        detail = f" ({d.note})" if d.note else ""
        return f"Bạn cần nộp phí, lệ phí{detail}. Nộp tại {place.desk} hoặc trên Cổng Dịch vụ công."
    if s is DossierStatus.REJECTED:
        reason = f" Lý do: {d.note}." if d.note else ""
        return (f"Hồ sơ không được giải quyết.{reason} Cần hỏi thêm, bạn đến {place.desk} "
                "hoặc gửi phản ánh.")
    if s is DossierStatus.RESULT_READY:
        if d.return_method is ReturnMethod.POST:
            return "Kết quả sẽ được gửi qua bưu điện đến địa chỉ bạn đã đăng ký."
        return (f"Bạn đến nhận kết quả tại {place.desk}, {place.address}, trong giờ làm việc. "
                f"Mang theo {WHAT_TO_BRING}.")
    if s is DossierStatus.RETURNED:
        return "Kết quả đã được trả. Bạn không cần làm gì thêm."
    return "Hồ sơ đã được rút theo yêu cầu. Muốn làm lại, bạn nộp hồ sơ mới."


@dataclass(frozen=True)
class StatusReport:
    """The pieces of a lookup answer; the wording around them is in domain.yml."""

    code: str
    procedure: str
    status: str
    received: str
    due: str
    next_step: str
    late: bool
    missed_due: str | None
    new_due: str | None


def status_report(d: Dossier, procedure_name: str | None, now: dt.datetime,
                  place: Place = DEFAULT_PLACE) -> StatusReport:
    procedure = f"{procedure_name} (mã {d.procedure_code})" if procedure_name else f"thủ tục mã {d.procedure_code}"
    late = is_late(d, now)
    new_due = new_appointment(d) if late else None
    return StatusReport(
        code=d.code,
        procedure=procedure,
        status=d.status_label,
        received=format_day(d.received_at),
        due=format_day(d.due_at),
        next_step=next_step(d, place),
        late=late,
        missed_due=format_day(d.missed_due_at or d.due_at) if late else None,
        new_due=format_day(new_due) if new_due else None,
    )


def notification_text(d: Dossier, procedure_name: str | None, place: Place = DEFAULT_PLACE) -> str:
    """The message pushed to a subscribed citizen when the status changes."""
    name = procedure_name or f"thủ tục mã {d.procedure_code}"
    return (f"Hồ sơ {d.code} ({name}) vừa chuyển sang: {d.status_label}. "
            f"{next_step(d, place)}")


def is_open(d: Dossier) -> bool:
    return d.status not in FINISHED_STATUSES


def demo_dossiers(today: dt.date, procedure_codes: Iterable[str]) -> list[Dossier]:
    """A small demo set: every status, some late. Names and phones are made up."""
    codes = list(procedure_codes) or ["1.001193"]

    def at(days: int, hour: int = 8) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 0))

    def code(days_ago: int, seq: int) -> str:
        return f"000.00.00.H99-{(today - dt.timedelta(days=days_ago)).strftime('%y%m%d')}-{seq:04d}"

    rows = [
        # (days since received, seq, status, due in days, note, unit, phone, name, return, missed)
        (2, 1, DossierStatus.PROCESSING, 3, None, "Phòng Tư pháp", "0900000101", "Nguyễn Văn An", ReturnMethod.DESK, None),
        (12, 2, DossierStatus.PROCESSING, -2, None, None, "0900000202", "Trần Thị Bình", ReturnMethod.DESK, None),
        (1, 3, DossierStatus.RECEIVED, 5, None, None, "0900000303", "Lê Văn Cường", ReturnMethod.DESK, None),
        (6, 4, DossierStatus.NEED_SUPPLEMENT, 4, "bản sao giấy khai sinh có chứng thực", None,
         "0900000404", "Phạm Thị Dung", ReturnMethod.DESK, None),
        (4, 5, DossierStatus.NEED_PAYMENT, 3, "30.000 đồng", None, "0900000505", "Hoàng Văn Em",
         ReturnMethod.DESK, None),
        (9, 6, DossierStatus.REJECTED, 1, "hồ sơ không thuộc thẩm quyền giải quyết của xã", None, "0900000606",
         "Vũ Thị Giang", ReturnMethod.DESK, None),
        (7, 7, DossierStatus.RESULT_READY, 0, None, None, "0900000707", "Đặng Văn Hùng", ReturnMethod.DESK, None),
        (15, 8, DossierStatus.RETURNED, -5, None, None, "0900000808", "Bùi Thị Lan", ReturnMethod.POST, None),
        (3, 9, DossierStatus.WITHDRAWN, 4, "rút theo đề nghị của người nộp", None, "0900000909", "Đỗ Văn Minh",
         ReturnMethod.DESK, None),
        (20, 10, DossierStatus.PROCESSING, 3, None, None, "0900001010", "Ngô Thị Nga",
         ReturnMethod.DESK, -4),
    ]
    out = []
    for i, (ago, seq, status, due, note, unit, phone, name, ret, missed) in enumerate(rows):
        received = at(-ago)
        updated = min(at(0, 7), max(received, at(-1)))
        out.append(Dossier(
            code=code(ago, seq), procedure_code=codes[i % len(codes)], applicant_name=f"{name} (mẫu)",
            phone=phone, status=status, received_at=received,
            due_at=dt.datetime.combine(today + dt.timedelta(days=due), dt.time(0, 0)),
            updated_at=updated, finished_at=updated if status in FINISHED_STATUSES else None,
            unit=unit, note=note, return_method=ret,
            missed_due_at=dt.datetime.combine(today + dt.timedelta(days=missed), dt.time(0, 0)) if missed else None,
        ))
    return out
