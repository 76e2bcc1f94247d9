"""Feedback (phản ánh, kiến nghị) tickets and service ratings.

Ticket numbers look like `PAKN-20250312-0001`: the day the feedback arrived and
its order that day. Ratings use the five levels of public service satisfaction
surveys, from 5 (rất hài lòng) down to 1 (rất không hài lòng).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from bot.core.dossiers import mask_phone, normalize_phone
from bot.core.text import fold

# --- Tickets ---------------------------------------------------------------

TICKET_PREFIX = "PAKN"
TICKET_PATTERN = r"(?<![0-9A-Za-z])[Pp][Aa][Kk][Nn][\s\-_.]*\d{8}[\s\-_.]*\d{4}(?![0-9A-Za-z])"
_TICKET_RE = re.compile(TICKET_PATTERN)
MAX_PER_DAY = 9999


class FeedbackError(ValueError):
    """Input a citizen or staff member should fix; the message is Vietnamese.

    `reason` names the problem for adapters that word it themselves (e.g. "too_long").
    """

    def __init__(self, message: str, reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason


def format_ticket(day: dt.date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_PER_DAY:
        raise FeedbackError(f"Đã quá {MAX_PER_DAY} phản ánh trong ngày.")
    return f"{TICKET_PREFIX}-{day.strftime('%Y%m%d')}-{sequence:04d}"


def ticket_prefix(day: dt.date) -> str:
    return f"{TICKET_PREFIX}-{day.strftime('%Y%m%d')}-"


def normalize_ticket(raw: str | None) -> str | None:
    """`pakn 20250312 0001` → `PAKN-20250312-0001`; None when it is not a ticket number."""
    if not raw or len(raw) > 60:
        return None
    compact = re.sub(r"[\s\-_.]", "", raw).upper()
    match = re.fullmatch(r"PAKN(\d{8})(\d{4})", compact)
    if not match:
        return None
    try:
        dt.datetime.strptime(match.group(1), "%Y%m%d")
    except ValueError:
        return None
    return f"{TICKET_PREFIX}-{match.group(1)}-{match.group(2)}"


def find_ticket(text: str | None) -> str | None:
    if not text:
        return None
    match = _TICKET_RE.search(text[:2000])
    return normalize_ticket(match.group(0)) if match else None


# --- What the citizen writes -------------------------------------------------

MIN_CONTENT = 5
MAX_CONTENT = 2000
MAX_ABOUT = 300
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
SKIP_WORDS = frozenset({
    "bo qua", "khong", "khong co", "ko", "k", "khong can", "thoi", "skip", "-", "khong de lai",
    "khong lien quan", "khong co ma",
})


CANCEL_WORDS = frozenset({
    "thoi", "huy", "huy bo", "dung", "dung lai", "thoat", "khong tra nua", "khong gui nua", "thoi khong can",
    "stop", "cancel", "/deny",
})
YES_WORDS = frozenset({"co", "gui", "gui di", "dong y", "ok", "oke", "u", "vang", "da", "dung roi", "yes", "/affirm"})
NO_WORDS = frozenset({"khong", "ko", "k", "huy", "khong gui", "thoi", "no", "/deny"})


def is_cancel(text: str | None) -> bool:
    """"thôi", "hủy"...: the citizen wants to stop what the assistant is asking."""
    raw = (text or "").strip()
    return raw in ("/deny",) or fold(raw)[:40] in CANCEL_WORDS


def yes_or_no(text: str | None, intent: str | None = None) -> bool | None:
    if intent == "affirm" or (text or "").strip() == "/affirm":
        return True
    if intent == "deny" or (text or "").strip() == "/deny":
        return False
    folded = fold(text or "")[:40]
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    return None


def is_skip(text: str | None) -> bool:
    folded = fold(text or "")
    return folded in SKIP_WORDS or (text or "").strip() in ("/skip", "-")


def clean_content(text: str | None) -> str:
    """The feedback text as stored: trimmed, single spaces; raises FeedbackError."""
    content = " ".join((text or "").split())
    if len(content) < MIN_CONTENT:
        raise FeedbackError("Nội dung ngắn quá. Bạn viết rõ hơn một chút giúp tôi.", "too_short")
    if len(content) > MAX_CONTENT:
        raise FeedbackError(f"Nội dung dài quá (tối đa {MAX_CONTENT} ký tự). Bạn viết ngắn gọn lại giúp tôi.", "too_long")
    return content


def clean_about(text: str | None) -> str:
    about = " ".join((text or "").split())
    if len(about) > MAX_ABOUT:
        raise FeedbackError(f"Phần này dài quá (tối đa {MAX_ABOUT} ký tự).", "too_long")
    return about


def clean_contact(text: str | None) -> str:
    """A phone number (digits) or an e-mail address; raises FeedbackError."""
    raw = (text or "").strip()
    phone = normalize_phone(raw)
    if phone:
        return phone
    if _EMAIL_RE.match(raw):
        return raw.lower()
    raise FeedbackError("Tôi chưa nhận ra số điện thoại hay email. Bạn gõ lại, ví dụ 0912345678, hoặc bấm Bỏ qua.",
                        "bad_contact")


def mask_contact(contact: str | None) -> str:
    """Show enough to recognise a contact, never a whole phone number."""
    if not contact:
        return "không để lại"
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:2]}***@{domain}"
    return mask_phone(contact, keep=3)


def summary_text(content: str, about: str | None, contact: str | None, limit: int = 300) -> str:
    """What we read back to the citizen before sending."""
    shown = content if len(content) <= limit else content[:limit].rstrip() + "…"
    lines = [f"Nội dung: {shown}"]
    lines.append(f"Liên quan: {about}" if about else "Liên quan: không ghi")
    lines.append(f"Liên hệ: {mask_contact(contact)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Ticket:
    ticket: str
    sender_id: str
    channel: str
    content: str
    about: str | None
    dossier_code: str | None
    contact: str | None
    status: str  # received | answered
    created_at: dt.datetime
    answer: str | None = None
    answered_at: dt.datetime | None = None

    @property
    def status_label(self) -> str:
        return FEEDBACK_STATUS_LABELS.get(self.status, self.status)


RECEIVED, ANSWERED = "received", "answered"
MAX_ANSWER = 2000
FEEDBACK_STATUS_LABELS = {
    "received": "Đã tiếp nhận, đang chờ trả lời",
    "answered": "Đã trả lời",
}


def clean_answer(text: str | None) -> str:
    answer = " ".join((text or "").split())
    if not answer:
        raise FeedbackError("Nội dung trả lời đang trống.")
    if len(answer) > MAX_ANSWER:
        raise FeedbackError(f"Nội dung trả lời dài quá (tối đa {MAX_ANSWER} ký tự).")
    return answer


def answer_text(ticket: str, answer: str) -> str:
    """The message pushed to the citizen when staff answer."""
    return f"Trả lời phản ánh {ticket}: {answer}"


# --- Satisfaction ---------------------------------------------------------------

LEVELS: dict[int, str] = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
# Longest phrases first, so "rất không hài lòng" is not read as "hài lòng".
_LEVEL_PHRASES = sorted(((fold(label), level) for level, label in LEVELS.items()), key=lambda p: -len(p[0]))
_EXTRA_PHRASES = (("tam duoc", 3), ("on", 3), ("tot", 4), ("rat tot", 5), ("te", 2), ("rat te", 1))


def parse_rating(value: Any) -> int | None:
    """A level from a button value (1–5) or typed words; None when unclear."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and 1 <= int(value) <= 5 else None
    text = fold(str(value))[:200]
    number = re.fullmatch(r"(\d)(?: sao)?", text)
    if number:
        level = int(number.group(1))
        return level if 1 <= level <= 5 else None
    padded = f" {text} "
    for phrase, level in _LEVEL_PHRASES:
        if f" {phrase} " in padded:
            return level
    for phrase, level in sorted(_EXTRA_PHRASES, key=lambda p: -len(p[0])):
        if text == phrase:
            return level
    return None


@dataclass(frozen=True)
class RatingRow:
    level: int
    channel: str
    topic: str


@dataclass(frozen=True)
class Breakdown:
    """Counts per level for one group (a channel, a procedure, or everything)."""

    group: str
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, level: int) -> float:
        return 100.0 * self.counts.get(level, 0) / self.total if self.total else 0.0

    @property
    def satisfied_percent(self) -> float:
        """Share of "rất hài lòng" and "hài lòng", as public service indexes report it."""
        return self.percent(5) + self.percent(4)


def _breakdown(group: str, levels: Iterable[int]) -> Breakdown:
    counts = Counter(levels)
    return Breakdown(group, {level: counts.get(level, 0) for level in LEVELS})


def summarize(rows: Sequence[RatingRow], topic_names: dict[str, str] | None = None
              ) -> tuple[Breakdown, list[Breakdown], list[Breakdown]]:
    """(overall, per channel, per procedure), groups sorted by how many ratings they have."""
    topic_names = topic_names or {}
    overall = _breakdown("Tất cả", (r.level for r in rows))

    def grouped(key) -> list[Breakdown]:
        groups: dict[str, list[int]] = {}
        for r in rows:
            groups.setdefault(key(r), []).append(r.level)
        return sorted((_breakdown(g, levels) for g, levels in groups.items()), key=lambda b: (-b.total, b.group))

    def topic_label(r: RatingRow) -> str:
        name = topic_names.get(r.topic)
        return f"{r.topic} {name}" if name else r.topic

    return overall, grouped(lambda r: r.channel), grouped(topic_label)
