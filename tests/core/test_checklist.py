"""The printable checklist states only verified parts of a record."""

from __future__ import annotations

import datetime as dt

from bot.core.checklist import checklist


def by_code(catalog, code):
    return next(p for p in catalog if p.code == code)


def test_checklist_lists_every_document_with_its_kind(catalog):
    p = by_code(catalog, "1.001193")
    c = checklist(p, today=dt.date(2026, 1, 1))
    assert c.code == "1.001193" and c.name == "Đăng ký khai sinh"
    assert [d.name for d in c.documents] == [d.name for d in p.documents]
    assert c.documents[1].kind == "bản chính" and c.documents[1].notes
    assert c.source_url == p.source_url and c.unverified == ()
    assert c.fees.startswith("Miễn lệ phí") and c.processing_time


def test_unverified_parts_are_replaced_by_a_request_to_confirm(catalog):
    p = by_code(catalog, "2.000986")  # documents, fees, time unverified
    c = checklist(p)
    assert c.documents == () and c.fees is None and c.processing_time is None
    assert len(c.unverified) == 3
    assert all("chưa được kiểm chứng" in note for note in c.unverified)


def test_unverified_code_and_outdated_rule_are_flagged(catalog):
    p = by_code(catalog, "1.001193").copy(update={"unverified": ["code"], "valid_to": dt.date(2026, 1, 31)})
    c = checklist(p, today=dt.date(2026, 3, 1))
    assert c.code is None and c.outdated
    assert c.to_dict()["documents"][0]["name"] == p.documents[0].name


def test_a_fee_past_its_end_date_is_left_out_and_said_to_be_updated(catalog):
    p = by_code(catalog, "1.014064")  # 50% reduction until 31/12/2026
    assert "35.000" in checklist(p, today=dt.date(2026, 12, 31)).fees
    c = checklist(p, today=dt.date(2027, 1, 1))
    assert c.fees is None
    assert [note for note in c.unverified if "Lệ phí" in note] == [
        f"Lệ phí đang được cập nhật: bạn hỏi lại {p.agency} hoặc bộ phận một cửa trước khi đi."
    ]
