"""Parse one national-portal procedure record (dichvucong.gov.vn export) into a published record.

A portal record is a JSON object whose fields are the page's sections
(`ma_thu_tuc`, `ten_thu_tuc`, `cach_thuc_thuc_hien`, `thanh_phan_ho_so`, ...).
`parse_record` recovers the structure where it can be recovered without
guessing (ways to submit with time and fee, the papers with their quantities,
numbered steps: `bot.core.portal_sections`) and keeps the raw text of every
part it could not read with confidence; `PublishedProcedure` says None for such
a part. Points that the current law has overtaken (sổ hộ khẩu, chứng minh nhân
dân) are flagged.

The import around it: `bot.core.portal_export` reads export files and refuses
unusable records, `bot.core.portal_plan` compares parsed records with the
stored ones. Everything here is pure: no file system, no database.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from bot.core.portal_export import TEXT_FIELDS
from bot.core.portal_sections import (
    clean_text,
    flags_in,
    is_empty,
    one_line,
    parse_channels,
    parse_documents,
    parse_legal_basis,
    parse_results,
    parse_steps,
)
from bot.core.published import Flag, PublishedProcedure


def _levels(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in clean_text(text).split(",") if part.strip())


def parse_record(data: Mapping[str, object], collected_on: dt.date) -> PublishedProcedure:
    """One checked portal record (see `bot.core.portal_export.check_record`) as a published record.

    `collected_on` is used when the record does not carry `ngay_thu_thap`.
    """
    text = {key: clean_text(data.get(key)) for key in TEXT_FIELDS}
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
        name=one_line(text["ten_thu_tuc"]),
        field=one_line(text["linh_vuc"]) or "Khác",
        levels=_levels(text["cap_thuc_hien"]),
        agency=None if is_empty(agency) else one_line(agency),
        where_to_submit=None if is_empty(text["dia_chi_tiep_nhan"]) else one_line(text["dia_chi_tiep_nhan"]),
        channels=channels,
        documents=documents,
        steps=steps,
        legal_basis=parse_legal_basis(text["can_cu_phap_ly"]),
        results=parse_results(text["ket_qua_xu_ly"]),
        source_url=text["detail_url"],
        collected_on=collected_on,
        decision=one_line(text["so_quyet_dinh"]) or None,
        flags=tuple(flags),
        raw=raw,
    )
