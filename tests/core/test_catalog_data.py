"""The committed catalog (data/procedures) against classes of error found in review.

Each test guards one kind of mistake so that it cannot come back in any record.
Tests that compare with the national portal's records use ../shared/reference
when it is present and skip cleanly when it is not.
"""

from __future__ import annotations

import json

import pytest

from bot.core.answers import answer
from bot.core.catalog import procedures_by_code
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
