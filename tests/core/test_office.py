"""The deployment file: validation, opening hours, summaries."""

from __future__ import annotations

import pytest
import yaml

from bot.core.office import DeploymentError, format_opening, load_office, parse_office
from bot.settings import PROJECT_ROOT
from tests.core.times import utc, vn

GOOD = {
    "example": False,
    "office": {"name": "Bộ phận Một cửa", "address": "số 1 đường A", "desk": "quầy 2", "hotline": "1022"},
    "working_hours": {
        "monday": ["07:30-11:30", "13:30-17:00"], "tuesday": ["07:30-11:30", "13:30-17:00"],
        "wednesday": ["07:30-11:30", "13:30-17:00"], "thursday": ["07:30-11:30", "13:30-17:00"],
        "friday": ["07:30-11:30", "13:30-17:00"], "saturday": ["07:30-11:30"], "sunday": [],
    },
    "holidays": ["2025-09-02"],
}


def test_the_shipped_deployment_file_is_valid_and_marked_as_an_example():
    office = load_office(PROJECT_ROOT / "data" / "deployment.yml")
    assert office.example is True
    assert office.hotline == "1022"


def test_open_and_closed_times():
    office = parse_office(GOOD)
    assert office.is_open(vn(2025, 3, 17, 8, 0))
    assert not office.is_open(vn(2025, 3, 17, 12, 0))
    assert not office.is_open(vn(2025, 3, 17, 17, 0))
    assert not office.is_open(vn(2025, 3, 16, 9, 0)), "Sunday"
    assert not office.is_open(vn(2025, 9, 2, 9, 0)), "a holiday"


def test_next_opening():
    office = parse_office(GOOD)
    noon = vn(2025, 3, 17, 12, 0)  # a Monday
    assert office.next_opening(noon) == vn(2025, 3, 17, 13, 30)
    saturday_noon = vn(2025, 3, 22, 12, 0)
    opening = office.next_opening(saturday_noon)
    assert opening == vn(2025, 3, 24, 7, 30)
    assert format_opening(opening, saturday_noon) == "7h30 Thứ Hai (24/03/2025)"
    assert format_opening(vn(2025, 3, 17, 13, 30), noon) == "13h30 hôm nay"


def test_hours_follow_the_vietnam_clock_whatever_the_time_zone_of_now():
    office = parse_office(GOOD)
    assert office.is_open(utc(2025, 3, 17, 1, 0)), "08:00 on Monday in Vietnam"
    assert not office.is_open(utc(2025, 3, 17, 10, 0)), "17:00 in Vietnam"
    sunday_evening_utc = utc(2025, 3, 16, 23, 0)  # 06:00 on Monday in Vietnam
    opening = office.next_opening(sunday_evening_utc)
    assert opening == vn(2025, 3, 17, 7, 30)
    assert format_opening(opening, sunday_evening_utc) == "7h30 hôm nay"


def test_hours_summary_groups_days():
    assert parse_office(GOOD).hours_summary() == (
        "Thứ Hai đến Thứ Sáu: 7h30–11h30, 13h30–17h00. Thứ Bảy: 7h30–11h30. Chủ nhật: nghỉ.")


@pytest.mark.parametrize("change, expected", [
    ({"working_hours": {**GOOD["working_hours"], "monday": ["7:30-25:00"]}}, "working_hours.monday"),
    ({"working_hours": {**GOOD["working_hours"], "monday": ["17:00-07:30"]}}, "kết thúc phải sau"),
    ({"working_hours": {**GOOD["working_hours"], "thu_hai": []}}, "working_hours.thu_hai"),
    ({"office": {**GOOD["office"], "hotline": ""}}, "office.hotline"),
    ({"office": {**GOOD["office"], "hotline": "gọi anh Nam"}}, "office.hotline"),
    ({"holidays": ["02/09/2025"]}, "holidays"),
    ({"colour": "blue"}, "colour"),
])
def test_problems_are_named(change, expected):
    with pytest.raises(DeploymentError) as error:
        parse_office({**GOOD, **change})
    assert expected in str(error.value)


def test_missing_or_broken_files(tmp_path):
    with pytest.raises(DeploymentError, match="không tìm thấy"):
        load_office(tmp_path / "none.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("office: [", encoding="utf-8")
    with pytest.raises(DeploymentError, match="không đọc được"):
        load_office(broken)
    ok = tmp_path / "ok.yml"
    ok.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    assert load_office(ok).desk == "quầy 2"
