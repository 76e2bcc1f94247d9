"""`bot.nlu.augment`: variants without marks, with abbreviations and typos; never what exists or is held out."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from bot.core.text import Lexicon, fold
from bot.nlu.augment import abbreviate, abbreviations_for, propose, review_yaml, telex, typo, with_typo, without_marks
from bot.nlu.examples import parse_markup, read_file

FIXTURE = Path(__file__).parent / "fixtures" / "augment.yml"
LEXICON = Lexicon(replacements={"ko": "khong", "k": "khong", "gplx": "giay phep lai xe", "bn": "bao nhieu",
                                "can cuoc cong dan": "the can cuoc"})


def _examples():
    examples, problems = read_file(FIXTURE)
    assert problems == []
    return examples


def test_without_marks_keeps_the_markup():
    assert without_marks("lệ phí [đổi giấy phép lái xe](procedure) là bao nhiêu") == \
        "le phi [doi giay phep lai xe](procedure) la bao nhieu"


def test_abbreviations_come_from_the_lexicons_one_word_entries():
    shortenings = abbreviations_for(LEXICON)
    assert shortenings["khong"] == ["k", "ko"] and "the can cuoc" not in shortenings
    out = abbreviate("lệ phí [đổi giấy phép lái xe](procedure) là bao nhiêu", shortenings, random.Random(0))
    assert out == "le phi [doi gplx](procedure) la bn"
    text, (span,) = parse_markup(out)
    assert text[span.start:span.end] == "doi gplx"


def test_typos_are_realistic():
    rng = random.Random(1)
    assert telex("cần") == "caan" and telex("đổi") == "ddoi" and telex("được") == "dduoc" and telex("thương") == "thuwong" and telex("thắng") == "thawng"
    swapped = typo("thanh", "swap", rng)
    assert sorted(swapped) == sorted("thanh") and swapped != "thanh"
    assert len(typo("giay", "drop", rng)) == 3
    neighbour = typo("khong", "neighbour", rng)
    assert len(neighbour) == 5 and sum(a != b for a, b in zip(neighbour, "khong")) == 1
    assert typo("nao", "drop", rng) == "nao"  # too short to misspell without making another word


def test_one_typo_per_variant_and_markup_kept():
    raw = "làm [hộ chiếu](procedure) có mất tiền không"
    for seed in range(20):
        out, kind = with_typo(raw, random.Random(seed))
        text, (span,) = parse_markup(out)
        assert kind in ("swap", "drop", "neighbour", "telex")
        assert span.entity == "procedure"
        words, plain_words = text.split(), fold(parse_markup(raw)[0]).split()
        assert len(words) == len(plain_words)
        assert sum(a != b for a, b in zip(words, plain_words)) == 1
    assert with_typo("đúng rồi", random.Random(0)) == ("", "")  # a two-word message gets none


def test_proposals_are_new_deterministic_and_never_held_out():
    examples = _examples()
    variants = propose(examples, LEXICON, seed=3)
    assert variants == propose(examples, LEXICON, seed=3)
    raws = [v.raw for v in variants]
    # The spelling without marks of line 6 is already line 7: not proposed again.
    assert "lam [ho chieu](procedure) co mat tien khong" not in raws
    assert "le phi [doi giay phep lai xe](procedure) la bao nhieu" in raws
    assert "dung roi" in raws
    assert {v.kind for v in variants} >= {"no_marks", "abbreviation"}
    assert all(v.intent == v.source.intent for v in variants)
    held = propose(examples, LEXICON, held_out=["Lệ phí đổi giấy phép lái xe là bao nhiêu?"], seed=3)
    assert "le phi [doi giay phep lai xe](procedure) la bao nhieu" not in [v.raw for v in held]
    only = propose(examples, LEXICON, intent="affirm", seed=3)
    assert [v.raw for v in only] == ["dung roi"]
    assert len(propose(examples, LEXICON, seed=3, per_intent=1)) == 2


def test_a_variant_that_would_be_another_intents_question_is_dropped():
    examples = _examples()
    clash = examples + [examples[0].__class__("dung roi", "dung roi", "deny", FIXTURE, 99)]
    assert "dung roi" not in [v.raw for v in propose(clash, LEXICON, seed=3) if v.intent == "affirm"]


def test_review_file_is_rasa_layout_with_a_vietnamese_header():
    variants = propose(_examples(), LEXICON, seed=3)
    text = review_yaml(variants, seed=3)
    assert text.splitlines()[1].startswith("# Câu biến thể do `bot nlu augment` đề xuất: CHƯA phải dữ liệu")
    data = yaml.safe_load(text)
    listed = [line[2:] for block in data["nlu"] for line in block["examples"].splitlines()]
    assert listed == [v.raw for v in sorted(variants, key=lambda v: v.intent)]
    assert f"# {variants[0].raw}  <-  {variants[0].source.raw}  (augment.yml:" in text
