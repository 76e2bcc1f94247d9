"""Turn a catalog record into short Vietnamese answers, one aspect at a time.

Every answer names the procedure and its code and ends with the date the record
was last checked. An aspect the record marks unverified is never stated: the
citizen is asked to confirm it with the agency instead. Nor is a fact past its own
end date (a fee's `valid_to`): the citizen is told it is being updated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlparse

from bot.core.clock import format_day, today_local
from bot.core.catalog import DOCUMENT_KIND_LABELS, ONLINE_LABELS, Procedure
from bot.core.delivery import count_words, split_text

# Aspect keys, the intent that asks for each, and the label of its button.
ASPECTS: dict[str, tuple[str, str]] = {
    "documents": ("ask_documents", "Giấy tờ cần mang"),
    "fees": ("ask_fee", "Lệ phí"),
    "processing_time": ("ask_processing_time", "Thời gian giải quyết"),
    "location": ("ask_location", "Nộp ở đâu"),
    "online": ("ask_online", "Làm trực tuyến"),
    "forms": ("ask_form", "Mẫu đơn, tờ khai"),
    "steps": ("ask_procedure", "Các bước làm"),
}
INTENT_TO_ASPECT = {intent: aspect for aspect, (intent, _) in ASPECTS.items()}

# Which record parts an aspect's answer states (for the unverified check).
_ASPECT_PARTS = {
    "documents": ("documents",),
    "fees": ("fees",),
    "processing_time": ("processing_time",),
    "location": ("agency", "where_to_submit"),
    "online": ("online",),
    "forms": ("forms",),
    "steps": ("steps",),
}

MAX_WORDS_PER_MESSAGE = 80


@dataclass(frozen=True)
class Answer:
    """A reply about one aspect: `pages` are sent one at a time ("Xem thêm")."""

    procedure_code: str
    aspect: str
    pages: tuple[str, ...]
    other_aspects: tuple[str, ...]


def format_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _title(p: Procedure) -> str:
    code = "mã chưa xác minh" if not p.is_verified("code") else f"mã {p.code}"
    return f"{p.short_name} ({code}, thông tin kiểm tra ngày {format_day(p.verified_on)})"


def _footer(p: Procedure, today: dt.date) -> str:
    host = urlparse(p.source_url).netloc.lower()
    if host == "dichvucong.gov.vn" or host.endswith(".dichvucong.gov.vn"):
        footer = "Nguồn: Cổng Dịch vụ công quốc gia."
    else:
        footer = f"Nguồn: {host} (chưa phải trang chính thức, hãy hỏi lại cơ quan giải quyết)."
    if not p.is_valid_on(today):
        footer += " Lưu ý: quy định này có thể đã thay đổi, hãy hỏi lại bộ phận một cửa."
    return footer


def _unverified_text(p: Procedure, aspect_label: str) -> list[str]:
    # The agency is named only when it is itself verified.
    ask = f"{p.agency} hoặc bộ phận một cửa" if p.is_verified("agency") else "bộ phận một cửa nơi bạn định nộp hồ sơ"
    return [
        f"Thông tin về {aspect_label.lower()} của thủ tục này chưa được kiểm chứng.",
        f"Bạn vui lòng hỏi trực tiếp {ask} trước khi đi.",
    ]


def _updating_text(p: Procedure, aspect_label: str) -> list[str]:
    # A fact whose end date has passed: not stated, and not called unverified either.
    ask = f"{p.agency} hoặc bộ phận một cửa" if p.is_verified("agency") else "bộ phận một cửa nơi bạn định nộp hồ sơ"
    return [
        f"Thông tin về {aspect_label.lower()} của thủ tục này đang được cập nhật.",
        f"Bạn vui lòng hỏi trực tiếp {ask} trước khi đi.",
    ]


def _documents(p: Procedure) -> list[str]:
    lines = ["Giấy tờ cần chuẩn bị:"]
    for i, d in enumerate(p.documents, 1):
        kind = DOCUMENT_KIND_LABELS[d.kind]
        qty = f"{d.quantity} " if d.quantity > 1 else ""
        line = f"{i}. {d.name} ({qty}{kind})."
        if d.notes:
            line += f" {d.notes}"
        lines.append(line)
    return lines


def _fees(p: Procedure) -> list[str]:
    lines = [p.fees.text]
    if p.fees.exemptions:
        lines.append(p.fees.exemptions)
    return lines


def _processing_time(p: Procedure) -> list[str]:
    return [f"Thời gian giải quyết: {p.processing_time.text}"]


def _location(p: Procedure) -> list[str]:
    return [f"Cơ quan giải quyết: {p.agency} ({p.level_label}).", f"Nơi nộp: {p.where_to_submit}"]


def _online(p: Procedure) -> list[str]:
    if not p.online.available:
        return ["Thủ tục này chưa nộp trực tuyến được. Bạn hỏi bộ phận một cửa cách nộp hồ sơ."]
    if p.online.level:
        lines = [f"Thủ tục này làm {ONLINE_LABELS[p.online.level]}."]
    else:
        lines = [
            "Có thể nộp hồ sơ trực tuyến.",
            "Chưa xác định được có làm trọn trên mạng hay không: hãy hỏi bộ phận một cửa.",
        ]
    if p.online.portal_url:
        lines.append(f"Nộp tại Cổng Dịch vụ công quốc gia: {p.online.portal_url}")
    return lines


def _forms(p: Procedure) -> list[str]:
    if not p.forms:
        return ["Thủ tục này không có mẫu đơn riêng. Cán bộ một cửa sẽ hướng dẫn khi bạn đến nộp."]
    lines = ["Mẫu đơn, tờ khai:"]
    for i, f in enumerate(p.forms, 1):
        lines.append(f"{i}. {f.name}. Lấy ở đâu: {f.where}")
    return lines


def _steps(p: Procedure) -> list[str]:
    lines = ["Các bước làm:"]
    lines += [f"{i}. {s}" for i, s in enumerate(p.steps, 1)]
    if p.notes:
        lines.append(f"Lưu ý: {p.notes}")
    return lines


_RENDERERS = {
    "documents": _documents,
    "fees": _fees,
    "processing_time": _processing_time,
    "location": _location,
    "online": _online,
    "forms": _forms,
    "steps": _steps,
}


def answer(p: Procedure, aspect: str, today: dt.date | None = None) -> Answer:
    """Render `aspect` of procedure `p` as pages of at most about 80 words."""
    if aspect not in _RENDERERS:
        raise ValueError(f"unknown aspect {aspect!r}")
    today = today or today_local()
    parts = _ASPECT_PARTS[aspect]
    if not all(p.is_verified(part) for part in parts):
        body = _unverified_text(p, ASPECTS[aspect][1])
    elif set(parts) & set(p.expired_parts(today)):
        body = _updating_text(p, ASPECTS[aspect][1])
    else:
        body = _RENDERERS[aspect](p)
    lines = [_title(p), *body, _footer(p, today)]
    others = tuple(a for a in ASPECTS if a != aspect)
    return Answer(p.code, aspect, tuple(paginate(lines)), others)


def paginate(lines: Sequence[str], max_words: int = MAX_WORDS_PER_MESSAGE) -> list[str]:
    """Group lines into messages of at most `max_words` words, never splitting a line
    unless the line alone is longer, in which case it is cut at sentence ends."""
    return split_text("\n".join(lines), max_words, size=count_words)
