"""Answers from a published record: the source and date, the link, only what was read with confidence."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.answers import ASPECTS, answer
from bot.core.catalog import short_name
from bot.core.portal import parse_record
from bot.core.portal_sections import CHANNEL_HEADER, DOCUMENT_HEADER
from bot.core.published import merge_tiers
from bot.core.staleness import stale_records
from tests.core.portal_records import COLLECTED, portal_record
from tests.core.records import make_procedure

SOURCE = "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày 02/03/2026."


def _published(**overrides):
    return parse_record(portal_record(**overrides), COLLECTED)


def _text(a) -> str:
    return "\n".join(a.pages)


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_every_answer_names_the_source_date_code_and_link(aspect):
    p = _published()
    a = answer(p, aspect)
    assert a.pages[0].startswith("Cấp giấy xác nhận thử nghiệm (mã 9.000001).")
    assert SOURCE in a.pages[0]
    assert a.pages[-1].endswith(p.source_url)
    assert "chưa được cán bộ" in a.pages[-1]


def test_parsed_facts_are_stated():
    p = _published()
    assert "Thời hạn giải quyết: 3 ngày làm việc." in _text(answer(p, "processing_time"))
    fees = _text(answer(p, "fees"))
    assert "Trực tuyến: miễn phí" in fees and "Trực tiếp: 50.000 đồng" in fees
    assert "Ghi chú trên Cổng: Thu một lần khi nhận kết quả." in fees
    documents = _text(answer(p, "documents"))
    assert "1. Tờ khai xin cấp giấy xác nhận thử nghiệm: 1 bản chính." in documents
    assert "2. Giấy tờ chứng minh nơi ở hiện tại: 1 bản sao." in documents
    assert "Giấy tờ mang theo để đối chiếu:" in documents
    assert "1. Tờ khai xin cấp giấy xác nhận thử nghiệm." in _text(answer(p, "forms"))
    steps = _text(answer(p, "steps"))
    assert "3. Nhận kết quả đúng hẹn." in steps and "Kết quả: Giấy xác nhận thử nghiệm." in steps
    online = _text(answer(p, "online"))
    assert "trực tuyến, qua bưu chính, trực tiếp" in online
    location = _text(answer(p, "location"))
    assert "Ủy ban nhân dân cấp xã" in location and "Cổng không ghi địa chỉ tiếp nhận" in location


def test_what_was_not_read_is_not_stated():
    p = _published(
        cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp7Miễn phí(Mức thu 20.000 đồng.)",
        thanh_phan_ho_so="Một đoạn văn liệt kê giấy tờ không theo bảng.",
        trinh_tu_thuc_hien="Một đoạn văn dài tả cách làm.",
    )
    time_text = _text(answer(p, "processing_time"))
    assert "7" not in time_text.replace("9.000001", "") and "không ghi rõ thời hạn" in time_text
    fees = _text(answer(p, "fees"))
    assert "miễn phí" not in fees.lower() and "20.000" not in fees and "chưa đọc được chắc chắn lệ phí" in fees
    for aspect, what in (("documents", "danh sách giấy tờ"), ("forms", "mẫu đơn")):
        text = _text(answer(p, aspect))
        assert f"chưa đọc được chắc chắn {what}" in text and "Một đoạn văn" not in text
    assert "không tóm tắt được" in _text(answer(p, "steps"))


def test_flagged_papers_and_steps_are_never_quoted():
    p = _published(
        thanh_phan_ho_so="--" + DOCUMENT_HEADER + "Tờ khai.1 bản chínhBản sao sổ hộ khẩu.0 bản chính,1 bản sao",
        trinh_tu_thuc_hien="Bước 1: Xuất trình chứng minh nhân dân.\nBước 2: Nhận kết quả.",
    )
    documents = _text(answer(p, "documents"))
    assert "1. Tờ khai: 1 bản chính." in documents
    assert "Bản sao sổ hộ khẩu" not in documents and "quy định cũ" in documents
    steps = _text(answer(p, "steps"))
    assert "Xuất trình" not in steps and "không tóm tắt được" in steps


def test_a_long_note_beside_a_fee_is_pointed_to_not_quoted():
    note = " ".join(["chi tiết"] * 40)
    p = _published(cach_thuc_thuc_hien=CHANNEL_HEADER + f"Trực tiếp3 Ngày100,000 VNĐ({note})")
    fees = _text(answer(p, "fees"))
    assert "Lệ phí: 100.000 đồng." in fees and note not in fees and "ghi chú thêm" in fees


def test_a_long_paper_name_is_cut_and_pointed_to_the_link():
    long_name = "Giấy xác nhận của cơ quan có thẩm quyền (" + " ".join(["điều kiện"] * 30) + ")"
    p = _published(thanh_phan_ho_so="--" + DOCUMENT_HEADER + long_name + "1 bản chính")
    documents = _text(answer(p, "documents"))
    assert "1. Giấy xác nhận của cơ quan có thẩm quyền (còn điều kiện, trường hợp riêng: xem đường dẫn)" in documents


def test_a_curated_record_overrides_a_published_one_with_its_code():
    curated = make_procedure(code="9.000001", name="Bản đã biên soạn")
    merged = merge_tiers([curated], [_published(), _published(code="9.000002")])
    assert [(r.code, r.tier) for r in merged] == [("9.000001", "curated"), ("9.000002", "published")]


def test_stale_lists_old_published_and_expired_curated_records():
    today = dt.date(2026, 11, 1)
    fresh = _published(code="9.000002", ngay_thu_thap="2026-10-01")
    old = _published(code="9.000003", ngay_thu_thap="2025-01-01")
    expired = make_procedure(code="9.000004", verified_on=dt.date(2026, 10, 1), valid_from=dt.date(2020, 1, 1),
                             valid_to=dt.date(2026, 6, 30))
    found = stale_records([fresh, old, expired], today, days=180)
    assert [(s.code, s.tier) for s in found] == [("9.000004", "curated"), ("9.000003", "published")]
    assert "hết hiệu lực từ 01/07/2026" in found[0].reason
    assert "lấy từ Cổng ngày 01/01/2025" in found[1].reason


def test_a_very_long_official_name_is_shortened_in_the_title_only():
    name = " ".join(["Cấp phép hoạt động thử nghiệm"] * 20)
    a = answer(_published(name=name), "fees")
    assert a.pages[0].startswith(short_name(name) + " (mã 9.000001).") and short_name(name) != name
    assert SOURCE in a.pages[0]
