"""Turn a catalog record into short Vietnamese answers, one aspect at a time.

A curated record's answer names the procedure and its code and the date the
record was last checked. An aspect the record marks unverified is never
stated: the citizen is asked to confirm it with the agency instead. Nor is a
fact past its own end date (a fee's `valid_to`): the citizen is told it is
being updated. A record past its `valid_to` is not answered from at all.

A published record's answer (national-portal import, `bot.core.published`)
says where the facts come from and when they were collected, states only
what the importer parsed with confidence and never a point the current law
has overtaken, and otherwise sends the citizen to the official page or the
one-stop desk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlparse

from bot.core.clock import format_day, today_local
from bot.core.catalog import DOCUMENT_KIND_LABELS, ONLINE_LABELS, Procedure, short_name
from bot.core.delivery import count_words, split_text
from bot.core.published import CHANNEL_LABELS, PUBLISHED, Channel, PublishedProcedure

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


def _expired(p: Procedure) -> list[str]:
    return [
        "Thông tin về thủ tục này đang được cập nhật theo quy định mới.",
        "Bạn vui lòng hỏi bộ phận một cửa trước khi đi.",
    ]


def answer(p: Procedure | PublishedProcedure, aspect: str, today: dt.date | None = None) -> Answer:
    """Render `aspect` of procedure `p` as pages of at most about 80 words."""
    if aspect not in _RENDERERS:
        raise ValueError(f"unknown aspect {aspect!r}")
    today = today or today_local()
    if getattr(p, "tier", None) == PUBLISHED:
        return _published_answer(p, aspect)
    if p.valid_to is not None and p.valid_to < today:
        # Never answer from a rule past its end date.
        lines = [_title(p), *_expired(p), _footer(p, today)]
        return Answer(p.code, aspect, tuple(paginate(lines)), ())
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


# --- published records (national-portal import) -------------------------------------

PORTAL_SOURCE = "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày {day}."
_SEE_LINK = "Bạn xem tại đường dẫn dưới đây hoặc hỏi bộ phận một cửa."
# A note the portal writes beside a fee is quoted only when it is this short.
_MAX_NOTE_WORDS = 60


def _not_read(what: str) -> list[str]:
    return [f"Trợ lý chưa đọc được chắc chắn {what} trên Cổng.", _SEE_LINK]


# A paper's name longer than this is cut at its first "(", ":" or ";" in a chat answer.
_MAX_PAPER_WORDS = 30


def _paper(name: str) -> str:
    """The paper's name, or its head and a pointer to the details when the portal's text is long."""
    name = name.rstrip(".; ")
    if count_words(name) <= _MAX_PAPER_WORDS:
        return name
    paren = next((m.start() for m in re.finditer(r" \(", name) if not name[m.start() - 1].isdigit()), -1)
    cuts = [i for i in (paren, name.find(":"), name.find(";")) if i > 0]
    head = name[:min(cuts)] if cuts else ""
    if not head or count_words(head) > _MAX_PAPER_WORDS + 10:
        head = " ".join(name.split()[:_MAX_PAPER_WORDS]) + "…"
    return f"{head.rstrip(' ,')} (còn điều kiện, trường hợp riêng: xem đường dẫn)"


def _quantity(originals: int, copies: int) -> str:
    parts = [f"{originals} bản chính" if originals else "", f"{copies} bản sao" if copies else ""]
    return ", ".join(part for part in parts if part)


def _published_documents(p: PublishedProcedure) -> list[str]:
    if p.documents is None:
        return _not_read("danh sách giấy tờ")
    lines = ["Giấy tờ cần nộp:"]
    group, number = None, 0
    for d in p.documents:
        if d.is_note or d.flags:
            continue
        if d.group and d.group != group:
            lines.append(f"{d.group.rstrip(':')}:")
            group = d.group
        number += 1
        lines.append(f"{number}. {_paper(d.name)}: {_quantity(d.originals, d.copies)}.")
    if any(d.flags for d in p.documents):
        lines.append("Cổng còn ghi một số giấy tờ theo quy định cũ (sổ hộ khẩu, chứng minh nhân dân) nên trợ lý "
                     "không nêu ở đây. Bạn hỏi bộ phận một cửa giấy tờ thay thế.")
    if any(d.is_note and not d.flags for d in p.documents):
        lines.append("Cổng còn có lưu ý về giấy tờ: xem tại đường dẫn dưới đây.")
    return lines


def _fee_text(c: Channel) -> str:
    assert c.fee is not None
    return "miễn phí" if c.fee.free else format_vnd(c.fee.amount_vnd or 0)


def _same(values: Sequence) -> bool:
    return len(set(values)) == 1


_NOTE_POINTER = "Cổng có ghi chú thêm về mức thu và các trường hợp miễn, giảm: xem tại đường dẫn dưới đây."


def _fee_note(note: str | None) -> str | None:
    if not note:
        return None
    if count_words(note) <= _MAX_NOTE_WORDS:
        return f"Ghi chú trên Cổng: {note}"
    return _NOTE_POINTER


def _published_fees(p: PublishedProcedure) -> list[str]:
    channels = p.channels or ()
    if not any(c.fee for c in channels):
        return _not_read("lệ phí")
    if all(c.fee for c in channels) and _same([_fee_text(c) for c in channels]):
        notes = [c.fee.note for c in channels]
        # Notes that differ from one way to another are pointed to, not quoted.
        note = _fee_note(notes[0]) if _same(notes) else (_NOTE_POINTER if any(notes) else None)
        return [f"Lệ phí: {_fee_text(channels[0])}."] + ([note] if note else [])
    lines = ["Lệ phí:"]
    for c in channels:
        if c.fee is None:
            lines.append(f"- {CHANNEL_LABELS[c.kind]}: trợ lý chưa đọc được chắc chắn, xem tại đường dẫn.")
            continue
        note = _fee_note(c.fee.note)
        lines.append(f"- {CHANNEL_LABELS[c.kind]}: {_fee_text(c)}." + (f" {note}" if note else ""))
    return lines


def _published_time(p: PublishedProcedure) -> list[str]:
    channels = p.channels or ()
    labels = [(c, c.time.label if c.time else None) for c in channels]
    if not any(label for _, label in labels):
        return ["Cổng không ghi rõ thời hạn giải quyết (hoặc chỉ ghi con số, không có đơn vị).", _SEE_LINK]
    if all(label for _, label in labels) and _same([label for _, label in labels]):
        return [f"Thời hạn giải quyết: {labels[0][1]}."]
    return ["Thời hạn giải quyết:"] + [
        f"- {CHANNEL_LABELS[c.kind]}: {label or 'Cổng không ghi rõ, xem tại đường dẫn'}." for c, label in labels
    ]


def _published_location(p: PublishedProcedure) -> list[str]:
    lines = []
    if p.agency:
        lines.append(f"Cơ quan thực hiện: {p.agency.rstrip('.')}.")
    if p.levels:
        lines.append(f"Cấp thực hiện: {', '.join(p.levels)}.")
    if p.where_to_submit:
        lines.append(f"Nơi tiếp nhận: {p.where_to_submit.rstrip('.')}.")
    else:
        lines.append("Cổng không ghi địa chỉ tiếp nhận. Bạn hỏi bộ phận một cửa nơi mình ở.")
    return lines


def _published_online(p: PublishedProcedure) -> list[str]:
    if p.channels is None:
        return _not_read("cách nộp hồ sơ")
    kinds = [c.kind for c in p.channels]
    lines = ["Theo Cổng, có thể nộp: " + ", ".join(CHANNEL_LABELS[k].lower() for k in kinds) + "."]
    if "truc_tuyen" in kinds:
        lines.append("Nộp trực tuyến từ trang của thủ tục trên Cổng (đường dẫn dưới đây).")
    else:
        lines.append("Cổng không ghi cách nộp trực tuyến cho thủ tục này.")
    return lines


def _published_forms(p: PublishedProcedure) -> list[str]:
    if p.documents is None:
        return _not_read("mẫu đơn, tờ khai")
    with_forms = [d for d in p.documents if d.has_form and not d.flags]
    if not with_forms:
        return ["Cổng không đính kèm mẫu đơn cho thủ tục này. Cán bộ một cửa sẽ hướng dẫn khi bạn nộp."]
    lines = ["Cổng có mẫu cho các giấy tờ sau:"]
    lines += [f"{i}. {_paper(d.name)}." for i, d in enumerate(with_forms, 1)]
    lines.append("Tải mẫu tại đường dẫn dưới đây.")
    return lines


def _published_steps(p: PublishedProcedure) -> list[str]:
    if p.steps is None or p.is_flagged("steps"):
        return ["Các bước làm trên Cổng dài hoặc nhiều trường hợp, trợ lý không tóm tắt được chắc chắn.", _SEE_LINK]
    lines = ["Các bước làm:"] + [f"{i}. {s}" for i, s in enumerate(p.steps, 1)]
    if p.results:
        lines.append("Kết quả: " + "; ".join(p.results) + ".")
    return lines


_PUBLISHED_RENDERERS = {
    "documents": _published_documents,
    "fees": _published_fees,
    "processing_time": _published_time,
    "location": _published_location,
    "online": _published_online,
    "forms": _published_forms,
    "steps": _published_steps,
}


def _published_answer(p: PublishedProcedure, aspect: str) -> Answer:
    # Some official names run to hundreds of words: the title keeps their start (the code is exact).
    lines = [
        f"{short_name(p.name)} (mã {p.code}).",
        PORTAL_SOURCE.format(day=format_day(p.collected_on)),
        *_PUBLISHED_RENDERERS[aspect](p),
        f"Thông tin chưa được cán bộ ở đây kiểm tra lại. Xem đầy đủ: {p.source_url}",
    ]
    others = tuple(a for a in ASPECTS if a != aspect)
    return Answer(p.code, aspect, tuple(paginate(lines)), others)


def paginate(lines: Sequence[str], max_words: int = MAX_WORDS_PER_MESSAGE) -> list[str]:
    """Group lines into messages of at most `max_words` words, never splitting a line
    unless the line alone is longer, in which case it is cut at sentence ends."""
    return split_text("\n".join(lines), max_words, size=count_words)
