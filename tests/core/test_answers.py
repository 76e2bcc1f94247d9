"""Answers: one aspect at a time, short pages, unverified parts never stated."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.core.clock import format_day
from bot.core.answers import ASPECTS, INTENT_TO_ASPECT, MAX_WORDS_PER_MESSAGE, answer, format_vnd, paginate
from tests.core.records import make_procedure

TODAY = dt.date(2024, 6, 1)

# Distinct values per record part, so a test can tell which part a page states.
SENTINELS = {
    "agency": "Ủy ban Kiểmtra Cơquan",
    "where_to_submit": "Phòng Nộphồsơ số 7",
    "processing_time": "Bảy ngày Xửlý",
    "fees": "Lệ phí 123.456 đồng Phíthử",
    "documents": "Giấy Chứngsinh Thửnghiệm",
    "steps": "Bước Điền Tờkhai Thửnghiệm",
    "online": "https://dichvucong.gov.vn/thu-tuc/sentinel-online",
    "forms": "Mẫu Tờkhai TK-99 Thửnghiệm",
}


def _procedure(**overrides):
    values = dict(
        code="1.001193",
        name="Đăng ký khai sinh",
        agency=SENTINELS["agency"],
        where_to_submit=SENTINELS["where_to_submit"],
        processing_time={"text": SENTINELS["processing_time"], "working_days": 7},
        fees={"text": SENTINELS["fees"], "amount_vnd": 123456, "exemptions": "Miễn cho hộ nghèo."},
        documents=[
            {"name": SENTINELS["documents"], "kind": "ban_chinh", "quantity": 1},
            {"name": "Giấy tờ tùy thân", "kind": "xuat_trinh", "quantity": 2, "notes": "Mang bản gốc."},
        ],
        steps=[SENTINELS["steps"], "Nhận kết quả."],
        online={"available": True, "level": "mot_phan", "portal_url": SENTINELS["online"]},
        forms=[{"name": SENTINELS["forms"], "where": "Tại một cửa.", "code": "TK-99"}],
        verified_on=dt.date(2024, 5, 1),
        valid_from=dt.date(2020, 1, 1),
    )
    values.update(overrides)
    code = values.pop("code")
    name = values.pop("name")
    return make_procedure(code, name, **values)


def _text(a) -> str:
    return "\n".join(a.pages)


def _word_count(page: str) -> int:
    return len(page.split())


def test_every_aspect_renders_its_content():
    p = _procedure()
    expected = {
        "documents": [SENTINELS["documents"], "Giấy tờ tùy thân", "2 mang theo để xuất trình", "Mang bản gốc."],
        "fees": [SENTINELS["fees"], "Miễn cho hộ nghèo."],
        "processing_time": [SENTINELS["processing_time"]],
        "location": [SENTINELS["agency"], SENTINELS["where_to_submit"], "cấp xã"],
        "online": [SENTINELS["online"], "một phần"],
        "forms": [SENTINELS["forms"], "Tại một cửa."],
        "steps": ["1. " + SENTINELS["steps"], "2. Nhận kết quả."],
    }
    assert set(expected) == set(ASPECTS)
    for aspect, needles in expected.items():
        a = answer(p, aspect, today=TODAY)
        assert a.procedure_code == "1.001193" and a.aspect == aspect
        assert a.pages, aspect
        text = _text(a)
        for needle in needles:
            assert needle in text, (aspect, needle, text)
        assert aspect not in a.other_aspects
        assert set(a.other_aspects) == set(ASPECTS) - {aspect}


def test_unknown_aspect_is_an_error():
    with pytest.raises(ValueError):
        answer(_procedure(), "weather", today=TODAY)


def test_intents_map_to_aspects():
    assert INTENT_TO_ASPECT["ask_fee"] == "fees"
    assert INTENT_TO_ASPECT["ask_documents"] == "documents"
    assert len(INTENT_TO_ASPECT) == len(ASPECTS)


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_title_names_procedure_code_and_verification_date(aspect):
    a = answer(_procedure(), aspect, today=TODAY)
    first_line = a.pages[0].splitlines()[0]
    assert first_line.startswith("Đăng ký khai sinh")
    assert "1.001193" in first_line
    assert "01/05/2024" in first_line


def test_format_helpers():
    assert format_day(dt.date(2024, 5, 1)) == "01/05/2024"
    assert format_day(dt.date(2025, 12, 31)) == "31/12/2025"
    assert format_vnd(1234567) == "1.234.567 đồng"
    assert format_vnd(0) == "0 đồng"


# Which parts each aspect states, as marked in `unverified`.
ASPECT_PARTS = {
    "documents": ["documents"],
    "fees": ["fees"],
    "processing_time": ["processing_time"],
    "location": ["agency", "where_to_submit"],
    "online": ["online"],
    "forms": ["forms"],
    "steps": ["steps"],
}


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_unverified_aspect_is_not_stated_and_citizen_is_told_to_confirm(aspect):
    for part in ASPECT_PARTS[aspect]:
        p = _procedure(unverified=[part])
        text = _text(answer(p, aspect, today=TODAY))
        assert "hỏi" in text.lower() and "chưa được kiểm chứng" in text, text
        assert SENTINELS[part] not in text, (aspect, part, text)
        if part == "fees":
            assert "123.456" not in text and "123456" not in text
        # Title is still there.
        assert text.startswith("Đăng ký khai sinh")


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_unverified_agency_is_never_named(aspect):
    """Asking the citizen to confirm with "the agency" must not state an agency that
    is itself unverified."""
    p = _procedure(unverified=["agency", "fees", "documents", "processing_time", "steps", "online", "forms"])
    text = _text(answer(p, aspect, today=TODAY))
    assert SENTINELS["agency"] not in text, text
    assert "chưa được kiểm chứng" in text


def test_verified_aspect_is_unaffected_by_other_unverified_parts():
    p = _procedure(unverified=["fees"])
    assert SENTINELS["documents"] in _text(answer(p, "documents", today=TODAY))
    # The agency is verified here: the fee page may send the citizen to it.
    assert SENTINELS["agency"] in _text(answer(p, "fees", today=TODAY))


def test_a_fee_past_its_end_date_is_not_stated_and_is_said_to_be_updated():
    p = _procedure(fees={"text": "Đến hết 31/12/2026 thu 123.456 đồng.", "valid_to": dt.date(2026, 12, 31)})
    assert "123.456" in _text(answer(p, "fees", today=dt.date(2026, 12, 31)))
    text = _text(answer(p, "fees", today=dt.date(2027, 1, 1)))
    assert "123.456" not in text and "đang được cập nhật" in text and "hỏi" in text.lower()
    assert "chưa được kiểm chứng" not in text  # it was checked; it has ended
    assert text.startswith("Đăng ký khai sinh")
    # The other aspects are still answered.
    assert SENTINELS["documents"] in _text(answer(p, "documents", today=dt.date(2027, 1, 1)))


def test_unverified_code_is_not_stated_in_the_title():
    p = make_procedure("LOCAL-KHAI-SINH-X", "Đăng ký khai sinh", unverified=["code"])
    for aspect in ASPECTS:
        text = _text(answer(p, aspect, today=TODAY))
        assert "LOCAL-KHAI-SINH-X" not in text
        assert "chưa xác minh" in text.splitlines()[0]


def _long_procedure():
    rng = random.Random(7)
    vocab = "giấy tờ bản sao chứng thực của cơ quan có thẩm quyền nơi cư trú kèm theo hồ sơ".split()

    def sentence(n):
        return " ".join(rng.choice(vocab) for _ in range(n)).capitalize() + "."

    return _procedure(
        documents=[
            {"name": sentence(12), "kind": "ban_sao_chung_thuc", "quantity": 2, "notes": sentence(25) + " " + sentence(30)}
            for _ in range(12)
        ],
        steps=[sentence(15) for _ in range(10)] + [" ".join(rng.choice(vocab) for _ in range(200))],  # no full stop
        notes=" ".join(sentence(20) for _ in range(6)),
        fees={"text": " ".join(sentence(30) for _ in range(5)), "amount_vnd": 1000},
    )


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_pages_have_at_most_80_words(aspect):
    a = answer(_long_procedure(), aspect, today=TODAY)
    for page in a.pages:
        assert 0 < _word_count(page) <= MAX_WORDS_PER_MESSAGE, page


def test_long_answers_are_split_into_several_pages():
    p = _long_procedure()
    assert len(answer(p, "documents", today=TODAY).pages) > 3
    assert len(answer(p, "steps", today=TODAY).pages) > 3


def test_paginate_never_loses_or_reorders_words():
    rng = random.Random(11)
    vocab = "một hai ba bốn năm sáu bảy tám chín mười.".split() + ["xong;", "hỏi?", "được!"]
    # Rarely a sentence end, so some sentences are longer than a page.
    vocab += "giấy tờ bản sao chứng thực cơ quan nơi cư trú hồ sơ kèm theo".split() * 4
    for _ in range(80):
        lines = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 200))) for _ in range(rng.randint(1, 12))]
        pages = paginate(lines, max_words=80)
        assert " ".join(pages).split() == " ".join(lines).split()
        assert all(_word_count(p) <= 80 for p in pages)
        assert all(p.strip() for p in pages if any(line.strip() for line in lines))


def test_paginate_keeps_short_lines_whole_and_together():
    lines = ["a b c", "d e", "f"]
    assert paginate(lines, max_words=80) == ["a b c\nd e\nf"]
    assert paginate(lines, max_words=5) == ["a b c\nd e", "f"]
    assert paginate([], max_words=80) == []


def test_paginate_cuts_a_sentence_longer_than_a_page():
    words = [f"w{i}" for i in range(200)]
    pages = paginate([" ".join(words)], max_words=80)
    assert [len(p.split()) for p in pages] == [80, 80, 40]
    assert " ".join(pages).split() == words


def test_paginate_cuts_a_long_line_at_sentence_ends():
    line = "Một hai ba. Bốn năm sáu. Bảy tám."
    assert paginate([line], max_words=6) == ["Một hai ba. Bốn năm sáu.", "Bảy tám."]


def test_answer_pages_keep_every_line():
    p = _long_procedure()
    text = _text(answer(p, "documents", today=TODAY))
    for d in p.documents:
        assert " ".join(d.name.split()) in " ".join(text.split())


def test_a_record_past_its_end_date_is_never_answered_from():
    expired = _procedure(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2023, 12, 31))
    current = _procedure(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 1, 1))
    for aspect in ASPECTS:
        text = _text(answer(expired, aspect, today=TODAY))
        assert "đang được cập nhật" in text and "bộ phận một cửa" in text
        # None of the record's facts is stated.
        assert expired.fees.text not in text and expired.documents[0].name not in text
        assert answer(expired, aspect, today=TODAY).other_aspects == ()
        assert "đang được cập nhật" not in _text(answer(current, aspect, today=TODAY))


def test_a_record_not_yet_in_force_carries_a_warning():
    not_yet = _procedure(valid_from=dt.date(2025, 1, 1))
    for aspect in ASPECTS:
        assert "có thể đã thay đổi" in answer(not_yet, aspect, today=TODAY).pages[-1]


def test_last_day_of_validity_is_still_valid():
    p = _procedure(valid_to=TODAY)
    assert "đang được cập nhật" not in _text(answer(p, "fees", today=TODAY))
    assert "đang được cập nhật" in _text(answer(p, "fees", today=TODAY + dt.timedelta(days=1)))


def test_online_variants():
    offline = _procedure(online={"available": False})
    assert "chưa nộp trực tuyến" in _text(answer(offline, "online", today=TODAY))
    unknown_level = _procedure(online={"available": True})
    assert "hỏi bộ phận một cửa" in _text(answer(unknown_level, "online", today=TODAY))
    no_forms = _procedure(forms=[])
    assert "không có mẫu đơn riêng" in _text(answer(no_forms, "forms", today=TODAY))


def test_real_catalog_khai_sinh_answers(guide):
    for aspect in ASPECTS:
        a = guide.answer("1.001193", aspect)
        assert "1.001193" in a.pages[0].splitlines()[0]
        assert all(_word_count(page) <= MAX_WORDS_PER_MESSAGE for page in a.pages)


def test_footer_names_the_source():
    portal = _text(answer(_procedure(), "fees", today=TODAY))
    assert portal.splitlines()[-1].startswith("Nguồn: Cổng Dịch vụ công quốc gia")
    press = _text(answer(_procedure(source_url="https://baochinhphu.vn/bai-viet-1.htm"), "fees", today=TODAY))
    assert "baochinhphu.vn" in press.splitlines()[-1]
    assert "Cổng Dịch vụ công quốc gia" not in press.splitlines()[-1]
