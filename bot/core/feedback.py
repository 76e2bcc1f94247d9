"""Feedback (phản ánh, kiến nghị) tickets: numbers, what the citizen writes, answers.

Ticket numbers look like `PAKN-20250312-0001`: the day (in Vietnam) the
feedback arrived and its order that day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.clock import to_local
from bot.core.contact import mask_contact, normalize_contact
from bot.core.text import first_match

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


def ticket_day(when: dt.datetime) -> dt.date:
    """The Vietnam day whose numbers a ticket created at `when` (aware) takes."""
    return to_local(when).date()


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
    """The first ticket number written anywhere in a message, canonical, else None."""
    return first_match(_TICKET_RE, text, normalize_ticket)


# --- What the citizen writes -------------------------------------------------

MIN_CONTENT = 5
MAX_CONTENT = 2000
MAX_ABOUT = 300


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
    contact = normalize_contact(text)
    if contact:
        return contact
    raise FeedbackError("Tôi chưa nhận ra số điện thoại hay email. Bạn gõ lại, ví dụ 0912345678, hoặc bấm Bỏ qua.",
                        "bad_contact")


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


MIN_REVEAL_REASON = 10
MAX_REVEAL_REASON = 300


def clean_reveal_reason(text: str | None) -> str:
    """Why a staff member needs a citizen's whole contact, as stored in the audit log; raises FeedbackError."""
    reason = " ".join((text or "").split())
    if len(reason) < MIN_REVEAL_REASON:
        raise FeedbackError(f"Cần ghi lý do xem liên hệ đầy đủ (ít nhất {MIN_REVEAL_REASON} ký tự), "
                            "ví dụ: gọi lại để hỏi thêm về nội dung phản ánh.")
    if len(reason) > MAX_REVEAL_REASON:
        raise FeedbackError(f"Lý do dài quá (tối đa {MAX_REVEAL_REASON} ký tự).")
    return reason
