"""The committed catalog (data/procedures) against classes of error found in review.

Each test guards one kind of mistake so that it cannot come back in any record.
Tests that compare with the national portal's records use ../shared/reference
when it is present and skip cleanly when it is not.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.core.answers import answer
from bot.core.catalog import Procedure, end_dates_mentioned, procedures_by_code
from tests.conftest import REFERENCE_DIR

PORTAL_DIR = REFERENCE_DIR / "dvcqg"
# The portal's "Cấp thực hiện" words and the catalog's level values.
PORTAL_LEVELS = {"Cấp xã": "xa", "Cấp tỉnh": "tinh", "Cấp bộ": "bo"}


@pytest.fixture(scope="module")
def portal_records() -> dict[str, dict]:
    if not PORTAL_DIR.is_dir():
        pytest.skip(f"reference portal records not present at {PORTAL_DIR}")
    records = {}
    for path in PORTAL_DIR.glob("*/*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["ma_thu_tuc"]] = record
    return records


def test_each_level_is_one_the_portal_gives(catalog, portal_records):
    wrong = []
    for p in catalog:
        record = portal_records.get(p.code)
        if record is None:
            continue
        levels = {PORTAL_LEVELS.get(part.strip()) for part in record["cap_thuc_hien"].split(",")}
        if p.level not in levels:
            wrong.append(f"{p.code}: catalog {p.level}, portal {record['cap_thuc_hien']!r}")
    assert not wrong, wrong


def test_driving_licence_exchange_is_answered_as_a_ministry_level_procedure(catalog):
    p = procedures_by_code(catalog)["3.000347"]
    text = "\n".join(answer(p, "location").pages)
    assert "Cục Cảnh sát giao thông, Bộ Công an (cấp bộ)" in text
    assert "Công an xã" in text  # where the citizen actually goes


def _texts(value, where: str = ""):
    """Every string in a record, with where it sits ("documents.2.notes")."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{where}.{key}" if where else key)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}.{i}")


def test_a_fact_said_to_hold_until_a_day_carries_that_end_date(catalog):
    """Only a fee entry has its own end date (fees.valid_to, checked at load); any other
    text that says "đến hết 31/12/20xx" would be stated after that day."""
    wrong = []
    for p in catalog:
        for where, text in _texts(p.dict(exclude={"fees"})):
            if end_dates_mentioned(text):
                wrong.append(f"{p.code} {where}: {text!r}")
        fee_ends = end_dates_mentioned(f"{p.fees.text} {p.fees.exemptions or ''}")
        if fee_ends and (p.fees.valid_to is None or p.fees.valid_to > min(fee_ends)):
            wrong.append(f"{p.code} fees: ends {min(fee_ends)}, valid_to {p.fees.valid_to}")
    assert not wrong, wrong


# Words with which a fee text admits it is not sure of itself.
DOUBT = re.compile(r"chưa (được )?(xác minh|kiểm chứng)|chưa rõ|không thống nhất|mâu thuẫn", re.IGNORECASE)


def test_a_fee_text_that_admits_doubt_is_not_stated(catalog):
    wrong = [
        p.code
        for p in catalog
        if DOUBT.search(f"{p.fees.text} {p.fees.exemptions or ''}") and p.is_verified("fees")
    ]
    assert not wrong, f"list fees in unverified: {wrong}"


@pytest.mark.parametrize("code", ["3.000347", "3.000348", "1.001456", "1.014063"])
def test_doubtful_fees_found_in_review_are_unverified(catalog, code):
    assert not procedures_by_code(catalog)[code].is_verified("fees")


def test_the_id_card_fee_reduction_is_not_stated_after_it_ends(catalog):
    p: Procedure = procedures_by_code(catalog)["1.014064"]
    until_end = "\n".join(answer(p, "fees", today=dt.date(2026, 12, 31)).pages)
    assert "35.000 đồng" in until_end
    after = "\n".join(answer(p, "fees", today=dt.date(2027, 1, 1)).pages)
    assert "35.000" not in after and "70.000" not in after
    assert "đang được cập nhật" in after


def _identity_papers(p: Procedure) -> list[str]:
    return [f"{d.name} {d.notes or ''}" for d in p.documents if d.name.startswith("Giấy tờ tùy thân")]


def test_civil_status_records_accept_every_valid_photo_id(catalog):
    """The portal's hộ tịch records accept the old thẻ căn cước công dân while it is valid,
    and any photo ID issued by an authority, not only the new thẻ căn cước."""
    records = [p for p in catalog if p.field == "Hộ tịch"]
    assert len(records) >= 13
    for p in records:
        papers = _identity_papers(p)
        assert papers, f"{p.code}: no identity paper listed"
        for text in papers:
            for must in ("thẻ căn cước công dân còn hạn", "căn cước điện tử", "hộ chiếu", "giấy tờ khác có ảnh"):
                assert must in text.lower(), (p.code, must, text)


def test_lost_passport_report_accepts_a_valid_citizen_identity_card(catalog):
    p = procedures_by_code(catalog)["1.010386"]
    shown = [d for d in p.documents if d.kind == "xuat_trinh"]
    assert any("thẻ căn cước công dân còn hạn" in d.name.lower() for d in shown), shown


def test_birth_registration_by_grandparents_needs_no_authorisation(catalog):
    by_code = procedures_by_code(catalog)
    for code in ("1.001193", "2.000528"):
        (letter,) = [d for d in by_code[code].documents if d.name.startswith("Văn bản ủy quyền")]
        assert "Ông, bà" in letter.notes and "không cần ủy quyền" in letter.notes, (code, letter.notes)
        (residence,) = [d for d in by_code[code].documents if d.name == "Giấy tờ chứng minh nơi cư trú"]
        assert residence.kind == "xuat_trinh" and "không tra được" in residence.notes


def test_land_use_change_carries_the_official_name_and_keeps_the_everyday_one(catalog, portal_records):
    p = procedures_by_code(catalog)["1.013949"]
    assert p.name == portal_records["1.013949"]["ten_thu_tuc"]
    assert "chuyển mục đích sử dụng đất phải xin phép của hộ gia đình, cá nhân" in p.aliases
    title = answer(p, "documents").pages[0].splitlines()[0]
    assert title.startswith(p.short_name) and p.short_name.endswith("…")
    assert "hộ gia đình, cá nhân xin chuyển mục đích" in "\n".join(answer(p, "documents").pages)


def test_every_name_is_shown_within_the_word_limit(catalog):
    from bot.core.catalog import MAX_NAME_WORDS

    assert all(len(p.short_name.split()) <= MAX_NAME_WORDS for p in catalog)


def test_readme_states_the_catalog_size(catalog):
    from bot.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"holds (\d+) procedures in (\d+) fields", readme)
    assert stated, "README should say how many procedures and fields the catalog holds"
    assert (int(stated[1]), int(stated[2])) == (len(catalog), len({p.field for p in catalog}))
