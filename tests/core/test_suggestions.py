"""Suggestions as you type: folded, diacritic-insensitive, tolerant of an unfinished word."""

from __future__ import annotations

import pytest

from bot.core.suggestions import Suggester
from bot.core.text import Lexicon
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def suggester(catalog, guide):
    return Suggester(catalog, guide.matcher, Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml"))


def codes(suggester, text):
    return [s.code for s in suggester.suggest(text)]


@pytest.mark.parametrize("text", ["lam can cuoc", "làm căn cước", "LAM CAN CUOC", "lam can cu", "lam cccd"])
def test_identity_card_comes_first_with_or_without_marks(suggester, text):
    found = codes(suggester, text)
    assert found[0] in ("1.014061", "1.014062", "1.014063")
    assert "1.014061" in found


@pytest.mark.parametrize(
    "text, code",
    [("khai sinh", "1.001193"), ("dang ky ket hon", "1.000894"), ("tam tru", "1.004194"),
     ("doi bang lai", "3.000347"), ("muon lam ho chi", "1.001456")],
)
def test_everyday_words_find_the_procedure_first(suggester, text, code):
    assert codes(suggester, text)[0] == code


def test_an_abbreviation_finds_what_it_stands_for(suggester):
    assert set(codes(suggester, "gplx")[:2]) == {"3.000347", "3.000348"}


def test_the_same_suggestions_with_and_without_diacritics(suggester):
    assert codes(suggester, "đăng ký tạm trú") == codes(suggester, "dang ky tam tru")


@pytest.mark.parametrize("text", ["", "   ", "😀", "?!", "x" * 10_000, "<script>alert(1)</script>"])
def test_odd_input_gives_few_or_no_suggestions(suggester, text):
    assert len(suggester.suggest(text)) <= 6


def test_suggestions_name_each_procedure_once_and_respect_the_limit(suggester):
    found = suggester.suggest("dang ky", limit=4)
    assert len(found) == 4
    assert len({s.code for s in found}) == 4
    assert all(s.name and s.field for s in found)
    assert suggester.suggest("dang ky", limit=0) == []


def test_published_records_are_suggested_with_their_tier(catalog):
    import datetime as dt

    from bot.core.guide import ProcedureGuide
    from bot.core.portal import parse_record
    from bot.core.published import merge_tiers
    from tests.core.portal_records import portal_record

    lexicon = Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")
    bees = parse_record(portal_record(code="9.000102", name="Cấp giấy xác nhận nuôi ong mật"), dt.date(2026, 3, 2))
    guide = ProcedureGuide(merge_tiers(catalog, [bees]), lexicon)
    found = Suggester(guide.records(), guide.matcher, lexicon).suggest("nuoi ong")
    assert (found[0].code, found[0].tier, found[0].name) == ("9.000102", "published", "Cấp giấy xác nhận nuôi ong mật")
    assert Suggester(guide.records(), guide.matcher, lexicon).suggest("khai sinh")[0].tier == "curated"
