"""The next step for a half-understood question (bot/core/unclear.py), on the real catalog and lexicon."""

from __future__ import annotations

import pytest

from bot.core.text import Lexicon
from bot.core.unclear import AskProcedure, OfferAspects, Rephrase, decide, names_nothing, procedure_entity
from bot.settings import PROJECT_ROOT

KET_HON, CAN_CUOC, KHAI_SINH, TAM_TRU = "1.000894", "1.014061", "1.001193", "1.004194"
POPULAR = (CAN_CUOC, KHAI_SINH, KET_HON, "1.004222", TAM_TRU)


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")


@pytest.fixture(scope="module")
def unclear(guide, lexicon):
    def run(text, entity=None, **kw):
        entities = [{"entity": "procedure", "value": entity}] if entity else []
        return decide(text, entities, guide, lexicon, **{"popular": POPULAR, **kw})

    return run


@pytest.mark.parametrize("text, code, aspect", [
    ("dang ky ket hon can gi", KET_HON, "documents"),
    ("đăng ký kết hôn cần gì", KET_HON, "documents"),
    ("dang ky tam tru can gi", TAM_TRU, "documents"),
    ("xac nhan tinh trang hon nhan can gi", "1.004873", "documents"),
    ("lam cccd het bao nhieu tien", CAN_CUOC, "fees"),
    ("dang ky khai sinh mat bao lau", KHAI_SINH, "processing_time"),
    ("ket hon", KET_HON, None),  # close candidates; the most asked one is meant
    ("khai sinh", KHAI_SINH, None),
])
def test_a_recognised_procedure_offers_its_aspects(unclear, text, code, aspect):
    assert unclear(text) == OfferAspects(code, aspect)


def test_the_entity_names_the_procedure(unclear):
    assert unclear("cai nay thi sao", entity="đăng ký kết hôn") == OfferAspects(KET_HON, None)


def test_an_aspect_word_tagged_as_a_procedure_is_not_one(unclear):
    assert unclear("lam cccd can gi", entity="can gi") == OfferAspects(CAN_CUOC, "documents")
    assert unclear("can gi", entity="can gi") == AskProcedure("documents", POPULAR)


@pytest.mark.parametrize("text, aspect", [
    ("can gi", "documents"),
    ("can giay to gi", "documents"),
    ("het bao nhieu tien", "fees"),
    ("bn tien", "fees"),
    ("mat bao lau", "processing_time"),
    ("nop o dau", "location"),
    ("lam online duoc khong", "online"),
    ("mau to khai", "forms"),
])
def test_an_aspect_without_a_procedure_asks_which_among_the_most_asked(unclear, text, aspect):
    assert unclear(text) == AskProcedure(aspect, POPULAR)


def test_the_procedure_under_discussion_comes_first_and_unknown_codes_are_left_out(unclear):
    decision = unclear("het bao nhieu tien", current_code="2.000815", popular=(CAN_CUOC, "9.999999", CAN_CUOC))
    assert decision == AskProcedure("fees", ("2.000815", CAN_CUOC))


def test_close_candidates_that_are_not_most_asked_are_offered_to_choose(unclear):
    decision = unclear("gplx")
    assert isinstance(decision, AskProcedure) and decision.aspect is None
    assert set(decision.codes) == {"3.000347", "3.000348"}


@pytest.mark.parametrize("text", ["asdkj", "thoi tiet hom nay", "xin chao ban", "", "   "])
def test_nothing_recognised_asks_to_rephrase(unclear, text):
    assert unclear(text) == Rephrase()


def test_procedure_entity_is_the_first_nonblank_procedure():
    entities = [{"entity": "rating", "value": 5}, {"entity": "procedure", "value": " "},
                {"entity": "procedure", "value": "ket hon"}]
    assert procedure_entity(entities) == "ket hon"
    assert procedure_entity(None) is None


def test_aspect_words_are_found_longest_first_and_removed(lexicon):
    assert lexicon.find_aspect("dang ky ket hon can gi") == ("documents", "dang ky ket hon")
    assert lexicon.find_aspect("mat bao nhieu ngay") == ("processing_time", "")
    assert lexicon.find_aspect("ket hon") == (None, "ket hon")
    assert Lexicon().find_aspect("can gi") == (None, "can gi")


@pytest.mark.parametrize("text, expected", [
    ("can gi", True), ("het bao nhieu tien a", True), ("cho hoi mat bao lau", True), ("", True),
    ("ket hon can gi", False), ("xin visa di my can gi", False),
])
def test_a_message_of_aspect_words_and_filler_names_nothing(lexicon, text, expected):
    assert names_nothing(text, lexicon) is expected


def test_a_lone_weak_match_that_is_most_asked_is_offered_as_a_choice_not_named(unclear):
    # "nhập khẩu" is also everyday speech for registering residence, so Đăng ký
    # thường trú (1.004222, most asked) is the one weak candidate: never the answer.
    text = "cap giay phep nhap khau thuoc"
    assert unclear(text, text) == AskProcedure(None, ("1.004222",))
