"""The text layout of a curated record: every catalog record round-trips, bad texts name their column in
Vietnamese, the catalog's own validators are the only rules, and the diff lists what changed."""

from __future__ import annotations

import pytest

from bot.core.record_fields import COLUMNS, KEYS, RecordProblems, changes, to_texts, version
from bot.core.record_reading import from_texts
from tests.core.records import make_procedure


def test_every_catalog_record_reads_back_from_its_own_texts(catalog):
    for p in catalog:
        again = from_texts(p, to_texts(p))
        assert again == p, p.code
        assert version(again) == version(p)


def test_texts_read_over_a_record_and_keep_the_other_fields():
    p = make_procedure()
    q = from_texts(p, {"so_tien": "1.500.000", "so_ngay_lam_viec": "1,5", "truc_tuyen": "không",
                       "cap": "cấp tỉnh", "giay_to": "Đơn | ban_sao_chung_thuc | 2 | Có chữ ký\nẢnh",
                       "bieu_mau": "Tờ khai | Bộ phận một cửa", "hieu_luc_den": "2030-12-31",
                       "chua_kiem_chung": "fees, Biểu mẫu"})
    assert (q.fees.amount_vnd, q.processing_time.working_days, q.online.available, q.level) == (
        1500000, 1.5, False, "tinh")
    assert [(d.name, d.kind, d.quantity, d.notes) for d in q.documents] == [
        ("Đơn", "ban_sao_chung_thuc", 2, "Có chữ ký"), ("Ảnh", "ban_chinh", 1, None)]
    assert [(f.name, f.where, f.code) for f in q.forms] == [("Tờ khai", "Bộ phận một cửa", None)]
    assert q.valid_to.isoformat() == "2030-12-31" and q.unverified == ["fees", "forms"]
    assert q.name == p.name and q.steps == p.steps
    assert [c.key for c in changes(p, q)] == ["cap", "so_ngay_lam_viec", "so_tien", "giay_to", "truc_tuyen",
                                              "bieu_mau", "hieu_luc_den", "chua_kiem_chung"]
    assert version(q) != version(p)


@pytest.mark.parametrize("texts, key, words", [
    ({"so_tien": "năm chục"}, "so_tien", "không phải số nguyên"),
    ({"le_phi": "  "}, "le_phi", "chưa điền"),
    ({"cac_buoc": ""}, "cac_buoc", "cần ít nhất 1 dòng"),
    ({"link_nguon": "http://dichvucong.gov.vn"}, "link_nguon", "https://"),
    ({"ngay_kiem_tra": "01/01/2999"}, "ngay_kiem_tra", "tương lai"),
    ({"ngay_kiem_tra": "31/02/2026"}, "ngay_kiem_tra", "không có thật"),
    ({"hieu_luc_den": "01/01/2000"}, "hieu_luc_den", "trước ngày bắt đầu"),
    ({"giay_to": "Đơn | bản sao | 0"}, "giay_to", "dòng 1, phần số lượng: phải từ 1"),
    ({"giay_to": "Đơn | giấy | 1"}, "giay_to", "dòng 1: 'giấy' không phải một lựa chọn"),
    ({"giay_to": "a | b | 1 | c | d"}, "giay_to", "dòng 1 có 5 phần"),
    ({"le_phi": "Giảm một nửa đến hết 31/12/2026."}, "le_phi_den_ngay", "đến hết 31/12/2026"),
    ({"truc_tuyen": "có lẽ"}, "truc_tuyen", "ghi có hoặc không"),
    ({"ma_thu_tuc": "1.999999"}, "ma_thu_tuc", "không sửa được"),
    ({"cot_la": "x"}, "cot_la", "không có cột"),
])
def test_bad_texts_name_their_column_in_vietnamese(texts, key, words):
    with pytest.raises(RecordProblems) as bad:
        from_texts(make_procedure(), texts)
    assert [p.key for p in bad.value.problems] == [key]
    assert words in bad.value.problems[0].message


def test_a_local_code_must_stay_unverified():
    p = make_procedure(code="LOCAL-THU", unverified=["code"])
    with pytest.raises(RecordProblems) as bad:
        from_texts(p, {"chua_kiem_chung": ""})
    assert "mã tạm" in bad.value.problems[0].message


def test_columns_are_unique_and_cover_every_field_of_the_record():
    assert len(set(KEYS)) == len(KEYS)
    tops = {c.path.split(".")[0] for c in COLUMNS}
    assert tops == set(make_procedure().__fields__)
