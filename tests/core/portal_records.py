"""Small portal-shaped records for tests, written in our own words (never the portal's text).

`portal_record()` is one record as a national-portal export holds it: the page's
sections as strings, tables flattened with their cells run together.
`PORTAL_CODE` is not a real national code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from bot.core.portal_sections import CHANNEL_HEADER, DOCUMENT_HEADER

PORTAL_CODE = "9.000001"
COLLECTED = dt.date(2026, 3, 2)

CHANNELS = (
    CHANNEL_HEADER
    + "Trực tuyến3 Ngày làm việcMiễn phí"
    + "Dịch vụ bưu chính3 Ngày làm việcMiễn phí"
    + "Trực tiếp3 Ngày làm việc50,000 Việt Nam Đồng(Thu một lần khi nhận kết quả.)Nộp tại bộ phận một cửa."
)
DOCUMENTS = (
    "Giấy tờ phải nộp:" + DOCUMENT_HEADER
    + "- Tờ khai xin cấp giấy xác nhận thử nghiệm;Mau-TK1.docx1 bản chính"
    + "- Giấy tờ chứng minh nơi ở hiện tại.0 bản chính,1 bản sao"
    + "Giấy tờ mang theo để đối chiếu:" + DOCUMENT_HEADER
    + "- Thẻ căn cước còn giá trị.1 bản chính"
)
STEPS = "Bước 1: Chuẩn bị hồ sơ theo danh sách.\nBước 2: Nộp hồ sơ và nhận giấy hẹn.\nBước 3: Nhận kết quả đúng hẹn."


def portal_record(code: str = PORTAL_CODE, name: str = "Cấp giấy xác nhận thử nghiệm", **overrides) -> dict:
    record = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": name,
        "detail_url": f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-{code}",
        "so_quyet_dinh": "1/QĐ-TEST",
        "cap_thuc_hien": "Cấp xã",
        "linh_vuc": "Thử nghiệm",
        "co_quan_co_tham_quyen": "Ủy ban nhân dân cấp xã",
        "co_quan_thuc_hien": "Ủy ban nhân dân cấp xã",
        "dia_chi_tiep_nhan": "",
        "trinh_tu_thuc_hien": STEPS,
        "cach_thuc_thuc_hien": CHANNELS,
        "thanh_phan_ho_so": DOCUMENTS,
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnNghị định thử nghiệm1/2025/NĐ-CP",
        "ket_qua_xu_ly": "Giấy xác nhận thử nghiệmMã: KQ.T01.000001Từ khóaKhông có thông tin",
        "raw_text": "(toàn văn trang)",
    }
    record.update(overrides)
    return copy.deepcopy(record)


def write_export(directory: Path, records: list[dict], *, by_code: bool = True) -> Path:
    """One JSON file per record (the reference layout), in `directory`/test/."""
    folder = directory / "test"
    folder.mkdir(parents=True, exist_ok=True)
    for i, record in enumerate(records):
        name = record.get("ma_thu_tuc") if by_code and record.get("ma_thu_tuc") else f"record-{i}"
        (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return directory
