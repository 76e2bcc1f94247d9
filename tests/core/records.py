"""Small, self-contained catalog records for tests that must not depend on data/.

`raw_record` is what one record looks like in a `data/procedures/*.yml` file;
`make_procedure` validates it into a `Procedure`; `write_catalog` writes field
files into a directory the way the real catalog is laid out.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Iterable

import yaml

from bot.core.catalog import Procedure
from bot.core.text import Lexicon, fold

VERIFIED_ON = dt.date(2024, 5, 1)


def raw_record(code: str = "1.000001", name: str = "Thủ tục thử nghiệm", **overrides) -> dict:
    record = {
        "code": code,
        "name": name,
        "aliases": [f"làm {name.lower()}"],
        "keywords": [],
        "level": "xa",
        "agency": "Ủy ban nhân dân cấp xã",
        "where_to_submit": "Bộ phận một cửa của xã, phường.",
        "processing_time": {"text": "Trong ngày.", "working_days": 1},
        "fees": {"text": "Miễn lệ phí.", "amount_vnd": 0},
        "documents": [
            {"name": "Tờ khai", "kind": "ban_chinh", "quantity": 1},
            {"name": "Giấy tờ tùy thân", "kind": "xuat_trinh", "quantity": 1},
        ],
        "steps": ["Nộp hồ sơ.", "Nhận kết quả."],
        "online": {"available": True, "level": "toan_trinh", "portal_url": "https://dichvucong.gov.vn/p/1"},
        "forms": [{"name": "Tờ khai", "where": "Tại bộ phận một cửa.", "code": "TK-01"}],
        "legal_basis": ["Luật thử nghiệm số 1/2020/QH14"],
        "notes": None,
        "other_codes": [],
        "source_url": "https://dichvucong.gov.vn/p/1",
        "verified_on": VERIFIED_ON,
        "valid_from": dt.date(2020, 1, 1),
        "valid_to": None,
        "unverified": [],
    }
    for key, value in overrides.items():
        record[key] = value
    return copy.deepcopy(record)


def make_procedure(code: str = "1.000001", name: str = "Thủ tục thử nghiệm", field: str = "Thử nghiệm", **overrides) -> Procedure:
    return Procedure(field=field, **raw_record(code, name, **overrides))


def dump_field_file(path: Path, records: Iterable[dict], field: str = "Thử nghiệm") -> Path:
    path.write_text(
        yaml.safe_dump({"field": field, "procedures": list(records)}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


# A miniature catalog for ranking tests: real names and codes, few records, so
# that the expected ranking does not move while data/procedures grows.
MINI = [
    ("1.001193", "Đăng ký khai sinh", ["làm giấy khai sinh", "khai sinh cho con"], ["khai sinh", "giấy khai sinh"]),
    ("1.004884", "Đăng ký lại khai sinh", ["làm lại giấy khai sinh đã mất"], ["khai sinh lại"]),
    ("1.000656", "Đăng ký khai tử", ["làm giấy chứng tử", "khai tử cho người mất"], ["khai tử"]),
    ("1.000894", "Đăng ký kết hôn", ["làm giấy đăng ký kết hôn", "làm giấy kết hôn"], ["kết hôn"]),
    ("1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", ["làm căn cước", "làm thẻ căn cước"], ["căn cước"]),
    ("3.000347", "Đổi giấy phép lái xe", ["đổi bằng lái"], ["giấy phép lái xe"]),
    ("3.000348", "Cấp lại giấy phép lái xe", ["mất bằng lái"], ["giấy phép lái xe"]),
    ("1.004222", "Đăng ký thường trú", ["nhập hộ khẩu"], ["thường trú"]),
    ("1.001456", "Cấp hộ chiếu phổ thông ở trong nước", ["làm hộ chiếu"], ["hộ chiếu", "passport"]),
]


def mini_records() -> list[dict]:
    return [raw_record(code, name, aliases=aliases, keywords=keywords) for code, name, aliases, keywords in MINI]


def mini_procedures() -> list[Procedure]:
    return [Procedure(field="Thử nghiệm", **r) for r in mini_records()]


def mini_lexicon() -> Lexicon:
    """The few abbreviations and fillers the ranking tests rely on, independent of data/lexicon."""
    replacements = {
        "cccd": "the can cuoc",
        "gplx": "giay phep lai xe",
        "bang lai": "giay phep lai xe",
        "so do": "giay chung nhan quyen su dung dat",
        "passport": "ho chieu",
    }
    fillers = ["cho hỏi", "ạ", "thủ tục", "gì", "giấy tờ gì", "thì sao", "lệ phí", "muốn", "tôi", "bao lâu", "mất bao lâu"]
    return Lexicon(replacements=replacements, fillers=frozenset(fold(f) for f in fillers))
