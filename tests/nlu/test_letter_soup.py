"""Letter soup falls back (bot/nlu/letter_soup.py), and no training example is letter soup."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.core.syllables import looks_like_letter_soup
from bot.core.text import Lexicon
from bot.nlu.examples import read_files
from bot.nlu.letter_soup import LEXICON, LetterSoupGuard
from bot.settings import PROJECT_ROOT

KNOWN = Lexicon.from_file(LEXICON).known_words()


def _classified(text: str, intent: str = "name_procedure") -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.97},
                            "intent_ranking": [{"name": intent, "confidence": 0.97}]})
    LetterSoupGuard(KNOWN).process([message])
    return message


def test_letter_soup_becomes_nlu_fallback_whatever_the_model_guessed():
    message = _classified("asdf qwer zxcv")
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert [i["name"] for i in message.get("intent_ranking")] == ["nlu_fallback", "name_procedure"]


@pytest.mark.parametrize("text", ["lam cccd can gi", "ok", "thanks", "vneid bị lỗi", "alo"])
def test_questions_and_everyday_foreign_words_keep_their_intent(text):
    assert _classified(text).get("intent")["name"] == "name_procedure"


def test_no_training_or_test_example_is_letter_soup():
    """A trainer who adds "zalo oa" as an example must list the words in
    data/lexicon/vi.yml `other_words`, or the guard would throw the example away."""
    paths = [*sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")),
             *(PROJECT_ROOT / "tests" / "nlu" / name for name in ("dev.yml", "heldout.yml", "short_questions.yml"))]
    examples, problems = read_files(paths)
    assert not problems
    assert len(examples) > 10_000
    soup = [f"{e.path.name}:{e.line} {e.text}" for e in examples
            if e.intent != "nlu_fallback" and looks_like_letter_soup(e.text, KNOWN)]
    assert soup == []


@pytest.mark.model
def test_the_trained_model_falls_back_on_letter_soup():
    from bot.evaluation import predict_intents

    model = PROJECT_ROOT / "models" / "tthc.tar.gz"
    soup = ["asdf qwer zxcv", "xyzzy plugh", "blablabla", "dhsjdh ksjd", "qwertyuiop"]
    assert predict_intents(model, soup) == ["nlu_fallback"] * len(soup)
