"""The printable document checklist of one procedure, as plain data.

The kiosk prints it and shows a QR code to `source_url`. Like the chat answers,
it never states a part of the record marked unverified, or a fee past its own
end date: that part is replaced by a sentence asking the citizen to confirm it
with the agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from bot.core.clock import format_day, today_local
from bot.core.catalog import DOCUMENT_KIND_LABELS, Procedure


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    kind: str  # the Vietnamese label: "bản chính", "bản sao có chứng thực", ...
    quantity: int
    notes: str | None


@dataclass(frozen=True)
class Checklist:
    code: str | None  # None when the national code is not verified
    name: str
    agency: str | None
    where_to_submit: str | None
    documents: tuple[ChecklistItem, ...]
    fees: str | None
    processing_time: str | None
    unverified: tuple[str, ...]  # one sentence per part left out
    source_url: str
    verified_on: str  # dd/mm/yyyy
    outdated: bool  # the rule may have changed since valid_to

    def to_dict(self) -> dict:
        return asdict(self)


def _confirm(what: str, agency: str) -> str:
    return f"{what} chưa được kiểm chứng: bạn hỏi lại {agency} hoặc bộ phận một cửa trước khi đi."


def checklist(p: Procedure, today: dt.date | None = None) -> Checklist:
    today = today or today_local()
    unverified: list[str] = []
    agency_ok = p.is_verified("agency")
    agency_for_confirm = p.agency if agency_ok else "cơ quan giải quyết"

    documents: tuple[ChecklistItem, ...] = ()
    if p.is_verified("documents"):
        documents = tuple(
            ChecklistItem(d.name, DOCUMENT_KIND_LABELS[d.kind], d.quantity, d.notes) for d in p.documents
        )
    else:
        unverified.append(_confirm("Danh sách giấy tờ", agency_for_confirm))

    fees = p.fees.text if p.is_verified("fees") and "fees" not in p.expired_parts(today) else None
    if not p.is_verified("fees"):
        unverified.append(_confirm("Lệ phí", agency_for_confirm))
    elif fees is None:
        unverified.append(f"Lệ phí đang được cập nhật: bạn hỏi lại {agency_for_confirm} hoặc bộ phận một cửa trước khi đi.")
    elif p.fees.exemptions:
        fees = f"{fees} {p.fees.exemptions}"

    processing_time = p.processing_time.text if p.is_verified("processing_time") else None
    if processing_time is None:
        unverified.append(_confirm("Thời gian giải quyết", agency_for_confirm))

    where = p.where_to_submit if p.is_verified("where_to_submit") else None
    if where is None or not agency_ok:
        unverified.append(_confirm("Nơi nộp hồ sơ", agency_for_confirm))

    return Checklist(
        code=p.code if p.is_verified("code") else None,
        name=p.name,
        agency=p.agency if agency_ok else None,
        where_to_submit=where,
        documents=documents,
        fees=fees,
        processing_time=processing_time,
        unverified=tuple(unverified),
        source_url=p.source_url,
        verified_on=format_day(p.verified_on),
        outdated=not p.is_valid_on(today),
    )
