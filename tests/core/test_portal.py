"""The portal parser on small records of our own: what is read, what is left raw, what is refused."""

from __future__ import annotations

import json

import pytest

from bot.core.portal import parse_record
from bot.core.portal_export import MAX_FILE_BYTES, RawRecord, decode_export, duplicate_problems
from bot.core.portal_plan import plan_import
from bot.core.portal_sections import (
    CHANNEL_HEADER,
    DOCUMENT_HEADER,
    flags_in,
    parse_channels,
    parse_documents,
    parse_results,
    parse_steps,
)
from bot.core.published import PublishedProcedure
from tests.core.portal_records import COLLECTED, PORTAL_CODE, portal_record


def _bytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# --- ways to submit, time, fee ---------------------------------------------------------


def test_channels_with_units_and_fees_are_read():
    channels = parse_channels(portal_record()["cach_thuc_thuc_hien"])
    assert [c.kind for c in channels] == ["truc_tuyen", "buu_chinh", "truc_tiep"]
    assert all(c.time.label == "3 ngày làm việc" for c in channels)
    assert channels[0].fee.free and channels[1].fee.free
    direct = channels[2]
    assert (direct.fee.free, direct.fee.amount_vnd, direct.fee.note) == (False, 50000, "Thu một lần khi nhận kết quả.")
    assert direct.description == "Nộp tại bộ phận một cửa."


def test_a_bare_number_is_kept_but_has_no_label():
    (channel,) = parse_channels(CHANNEL_HEADER + "Trực tiếp1Miễn phí")
    assert channel.time.text == "1" and channel.time.unit is None and channel.time.label is None
    assert channel.fee.free


def test_a_bare_number_glued_to_an_amount_is_split_only_when_one_split_fits():
    # "1" + "400,000": the only split giving a well-formed amount.
    (channel,) = parse_channels(CHANNEL_HEADER + "Trực tuyến1400,000 Việt Nam Đồng")
    assert channel.time.text == "1" and channel.fee.amount_vnd == 400000
    # "120 VNĐ" is 1 + 20 or 12 + 0: neither is read.
    (channel,) = parse_channels(CHANNEL_HEADER + "Trực tuyến120 VNĐ")
    assert channel.time is None and channel.fee is None


def test_free_with_a_note_naming_an_amount_is_not_taken_as_free():
    text = CHANNEL_HEADER + "Trực tiếp5 Ngày làm việcMiễn phí(Mức thu là 30.000 đồng mỗi lần.)"
    (channel,) = parse_channels(text)
    assert channel.time.label == "5 ngày làm việc" and channel.fee is None


def test_free_with_a_note_saying_none_is_free():
    (channel,) = parse_channels(CHANNEL_HEADER + "Trực tiếp2 NgàyMiễn phí(Không có)")
    assert channel.fee.free and channel.time.label == "2 ngày"


def test_missing_time_is_none_and_the_table_must_start_with_a_row():
    (channel,) = parse_channels(CHANNEL_HEADER + "Trực tuyếnKhông có thông tinMiễn phí")
    assert channel.time is None and channel.fee.free
    assert parse_channels(CHANNEL_HEADER + "Nộp ở đâu cũng được") is None
    assert parse_channels("Một đoạn văn không có bảng") is None


# --- papers --------------------------------------------------------------------------------


def test_papers_are_read_with_groups_quantities_and_forms():
    documents = parse_documents(portal_record()["thanh_phan_ho_so"])
    assert [(d.name, d.originals, d.copies, d.has_form) for d in documents] == [
        ("Tờ khai xin cấp giấy xác nhận thử nghiệm", 1, 0, True),
        ("Giấy tờ chứng minh nơi ở hiện tại.", 0, 1, False),
        ("Thẻ căn cước còn giá trị.", 1, 0, False),
    ]
    assert [d.group for d in documents] == ["Giấy tờ phải nộp"] * 2 + ["Giấy tờ mang theo để đối chiếu"]


def test_a_quantity_glued_to_a_date_takes_the_last_digit():
    (doc,) = parse_documents("--" + DOCUMENT_HEADER + "Văn bản ký ngày 01/01/20261 bản chính")
    assert doc.originals == 1 and doc.name == "Văn bản ký ngày 01/01/2026"


def test_papers_left_raw_when_the_table_cannot_be_cut_cleanly():
    assert parse_documents("Không có bảng giấy tờ") is None
    # Text after the last paper: a note that cannot be placed.
    assert parse_documents("--" + DOCUMENT_HEADER + "Tờ khai.1 bản chínhMột lưu ý dài không có số lượng") is None
    # A form file name with no mark before it: where the name ends is a guess.
    assert parse_documents("--" + DOCUMENT_HEADER + "Đơn đề nghị theo mẫumẫu đơn.docx1 bản chính") is None
    # Only notes (no paper to hand in).
    assert parse_documents("--" + DOCUMENT_HEADER + "Lưu ý khi nộp.0 bản chính") is None


def test_papers_naming_overtaken_documents_are_flagged():
    text = "--" + DOCUMENT_HEADER + "Sổ hộ khẩu của gia đình.1 bản chínhGiấy chứng minh nhân dân.1 bản chính"
    documents = parse_documents(text)
    assert [d.flags for d in documents] == [("so_ho_khau",), ("cmnd",)]
    assert flags_in("xuất trình CMND hoặc sổ tạm trú") == ("so_ho_khau", "cmnd")
    assert flags_in("Thẻ căn cước còn giá trị") == ()


# --- steps, results ----------------------------------------------------------------------


def test_numbered_steps_are_read():
    assert parse_steps(portal_record()["trinh_tu_thuc_hien"]) == (
        "Chuẩn bị hồ sơ theo danh sách.", "Nộp hồ sơ và nhận giấy hẹn.", "Nhận kết quả đúng hẹn.",
    )
    assert parse_steps("- Nộp hồ sơ.\n- Nhận kết quả,\nđúng hẹn.") == ("Nộp hồ sơ.", "Nhận kết quả, đúng hẹn.")


def test_steps_left_raw_when_long_or_intricate():
    assert parse_steps("Bước 1: Nộp.\nBước 3: Nhận.") is None  # numbering skips a step
    assert parse_steps("- Nộp hồ sơ.\n+) Trường hợp đặc biệt thì khác.") is None  # sub-cases
    assert parse_steps("\n".join(f"- Việc số {i}." for i in range(20))) is None  # too many
    assert parse_steps("Một đoạn văn tả cách làm.") is None


def test_results_are_the_names_before_each_result_code():
    text = "Giấy xác nhậnMã: KQ.T01.000001Văn bản từ chốiMã: T02-KQ0001Từ khóaKhông có thông tin"
    assert parse_results(text) == ("Giấy xác nhận", "Văn bản từ chối")


# --- one record ---------------------------------------------------------------------------


def test_a_record_is_parsed_with_its_source_and_collection_date():
    p = parse_record(portal_record(), COLLECTED)
    assert (p.code, p.name, p.field, p.levels, p.tier) == (PORTAL_CODE, "Cấp giấy xác nhận thử nghiệm", "Thử nghiệm",
                                                         ("Cấp xã",), "published")
    assert p.source_url.startswith("https://dichvucong.gov.vn/") and p.collected_on == COLLECTED
    assert p.agency == "Ủy ban nhân dân cấp xã" and p.where_to_submit is None
    assert p.legal_basis == ("1/2025/NĐ-CP",) and p.results == ("Giấy xác nhận thử nghiệm",)
    assert p.raw == {} and p.flags == ()


def test_what_is_not_parsed_keeps_its_raw_text():
    p = parse_record(portal_record(trinh_tu_thuc_hien="Một đoạn văn tả cách làm.",
                                   cach_thuc_thuc_hien=CHANNEL_HEADER + "Trực tiếp1Miễn phí"), COLLECTED)
    assert p.steps is None and p.raw["trinh_tu_thuc_hien"] == "Một đoạn văn tả cách làm."
    # The way to submit is read; its time has no unit, so the raw text is kept too.
    assert p.channels[0].kind == "truc_tiep" and "cach_thuc_thuc_hien" in p.raw


def test_the_record_date_wins_over_the_default():
    p = parse_record(portal_record(ngay_thu_thap="2026-01-15"), COLLECTED)
    assert p.collected_on.isoformat() == "2026-01-15"


def test_decomposed_unicode_is_read_like_composed():
    import unicodedata

    record = {k: unicodedata.normalize("NFD", v) for k, v in portal_record().items()}
    assert parse_record(record, COLLECTED) == parse_record(portal_record(), COLLECTED)


def test_stored_form_gives_the_same_record_back():
    p = parse_record(portal_record(), COLLECTED)
    assert PublishedProcedure.from_dict(json.loads(json.dumps(p.to_dict()))) == p


# --- bad input ----------------------------------------------------------------------------


def _problem_text(raw: bytes) -> str:
    records, problems = decode_export("x.json", raw)
    assert records == [] and problems
    return " ".join(str(p) for p in problems)


def test_not_json_names_the_file():
    assert "x.json: không phải JSON hợp lệ" in _problem_text(b"{ not json")


def test_wrong_encoding_is_refused():
    raw = json.dumps(portal_record(), ensure_ascii=False).encode("cp1258", errors="replace")
    assert "không phải văn bản UTF-8" in _problem_text(raw)
    mojibake = portal_record(name="Cấp giấy xác nhận").copy()
    mojibake["ten_thu_tuc"] = "Cấp giấy xác nhận".encode("utf-8").decode("latin-1")
    assert "sai bảng mã" in _problem_text(_bytes(mojibake))


def test_missing_code_or_name_names_the_record():
    records, problems = decode_export("x.json", _bytes([portal_record(), portal_record(code="9.000002", ten_thu_tuc=" ")]))
    assert len(records) == 1 and [str(p) for p in problems] == ["x.json, bản ghi #2 (9.000002): thiếu tên thủ tục ('ten_thu_tuc')."]
    assert "thiếu mã thủ tục" in _problem_text(_bytes(portal_record(ma_thu_tuc="")))
    assert "không đúng dạng mã quốc gia" in _problem_text(_bytes(portal_record(code="ABC")))
    assert "phải là văn bản" in _problem_text(_bytes(portal_record(linh_vuc=["a"])))
    assert "phải là một đối tượng" in _problem_text(_bytes([1]))


def test_an_oversized_file_is_refused_before_parsing():
    assert "tệp quá lớn" in _problem_text(b" " * (MAX_FILE_BYTES + 1))


def test_a_list_file_and_duplicates_across_files():
    records, problems = decode_export("a.json", _bytes([portal_record(), portal_record(code="9.000002")]))
    assert problems == [] and len(records) == 2
    again, _ = decode_export("b.json", _bytes(portal_record()))
    (dup,) = duplicate_problems(records + again)
    assert str(dup) == "b.json, bản ghi #1 (9.000001): mã 9.000001 bị trùng: đã có ở a.json, bản ghi #1 (9.000001)."


# --- import plan --------------------------------------------------------------------------


def _parsed(**overrides) -> PublishedProcedure:
    return parse_record(portal_record(**overrides), COLLECTED)


def test_plan_lists_added_changed_field_by_field_removed_and_unchanged():
    same = _parsed(code="9.000001")
    old = _parsed(code="9.000002")
    gone = _parsed(code="9.000003")
    new_version = _parsed(code="9.000002", co_quan_thuc_hien="Ủy ban nhân dân cấp tỉnh")
    fresh = _parsed(code="9.000004")
    plan = plan_import({p.code: p for p in (same, old, gone)}, [same, new_version, fresh])
    assert [p.code for p in plan.added] == ["9.000004"]
    assert [(c.code, c.fields) for c in plan.changed] == [("9.000002", ("agency",))]
    assert [p.code for p in plan.removed] == ["9.000003"] and plan.unchanged == 1
    kept = plan_import({p.code: p for p in (same, gone)}, [same], keep_missing=True)
    assert kept.removed == [] and kept.writes == 0


def test_plan_counts_flagged_records():
    flagged = _parsed(thanh_phan_ho_so="--" + DOCUMENT_HEADER + "Sổ hộ khẩu.1 bản chính")
    plan = plan_import({}, [flagged, _parsed(code="9.000002")])
    assert plan.counts() == {"added": 2, "changed": 0, "removed": 0, "unchanged": 0, "flagged": 1}


@pytest.mark.parametrize("code", ["1.001193", "2.001263"])
def test_raw_record_labels_carry_the_code(code):
    records, _ = decode_export("a.json", _bytes(portal_record(code=code)))
    assert records == [RawRecord("a.json", f"#1 ({code})", records[0].data)]
