"""The Rasa tokenizer component: tokens with exact offsets into the message text.

Rasa and underthesea are pinned dependencies (requirements.lock), so a missing
one, or an import that breaks in the tokenizer module, fails these tests
instead of skipping them.
"""

from __future__ import annotations

import unicodedata

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.text import fold
from bot.nlu import vietnamese_tokenizer as rasa_tokenizer

VietnameseTokenizer = rasa_tokenizer.VietnameseTokenizer
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


def test_underthesea_is_installed_and_segments():
    """Segmentation quietly falls back to syllables without underthesea; here that is a failure."""
    from underthesea import word_tokenize

    assert "căn cước" in word_tokenize("làm căn cước ở đâu")


@pytest.fixture(scope="module")
def tokenizer():
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def _tokens(tokenizer, text):
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Làm căn cước ở đâu?", ["lam", "can_cuoc", "o", "dau"]),
        # Question words stay single words without marks too, as with them (issue 13).
        ("lam can cuoc o dau", ["lam", "can_cuoc", "o", "dau"]),
        (NFD("Làm căn cước ở đâu?"), ["lam", "can_cuoc", "o", "dau"]),
        ("lam căn cước o dau", ["lam", "can_cuoc", "o", "dau"]),
        ("căn cước", ["can_cuoc"]),
        ("can cuoc", ["can_cuoc"]),
        ("đổi bằng lái", ["doi", "bang_lai"]),
        ("doi bang lai", ["doi", "bang_lai"]),
        ("đăng ký kết hôn cần gì", ["dang_ky", "ket_hon", "can", "gi"]),
        ("dang ky ket hon can gi", ["dang_ky", "ket_hon", "can", "gi"]),
        ("làm căn cước hết bao nhiêu tiền", ["lam", "can_cuoc", "het", "bao_nhieu", "tien"]),
        ("lam can cuoc het bao nhieu tien", ["lam", "can_cuoc", "het", "bao_nhieu", "tien"]),
    ],
)
def test_process_yields_folded_words_with_exact_offsets(tokenizer, text, expected):
    tokens = _tokens(tokenizer, text)
    assert [t.text for t in tokens] == expected
    for t in tokens:
        surface = text[t.start : t.end]
        assert "_".join(fold(surface).split()) == t.text, (surface, t.text)
        assert surface == surface.strip()
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("lam cccd bn tien", ["lam", "the_can_cuoc", "bao_nhieu", "tien"]),
        ("làm thẻ căn cước bao nhiêu tiền", ["lam", "the", "can_cuoc", "bao_nhieu", "tien"]),
        ("ket hon lam ntn", ["ket_hon", "lam", "nhu_the_nao"]),
        ("ket hon lam như thế nào", ["ket_hon", "lam", "nhu_the_nao"]),
        ("dc ko", ["duoc", "khong"]),
    ],
)
def test_lexicon_shorthand_is_the_word_it_stands_for(tokenizer, text, expected):
    tokens = _tokens(tokenizer, text)
    assert [t.text for t in tokens] == expected
    assert all(text[t.start : t.end] == text[t.start : t.end].strip() for t in tokens)


@pytest.mark.parametrize("text", ["", "😀👍", "?!"])
def test_text_without_words_gives_one_token_spanning_it(tokenizer, text):
    tokens = _tokens(tokenizer, text)
    assert len(tokens) == 1
    assert (tokens[0].start, tokens[0].end) == (0, len(text))
    assert tokens[0].text == text


def test_tokenize_directly_and_entity_offsets(tokenizer):
    text = "cho hỏi làm căn cước cần giấy tờ gì ạ"
    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    start = text.index("căn cước")
    can_cuoc = [t for t in tokens if t.text == "can_cuoc"]
    assert len(can_cuoc) == 1
    # An entity annotated on "căn cước" lines up with a token boundary.
    assert (can_cuoc[0].start, can_cuoc[0].end) == (start, start + len("căn cước"))


def test_intent_is_one_token_and_training_data_is_tokenized(tokenizer):
    example = Message(data={TEXT: "lệ phí làm căn cước", INTENT: "ask_fee"})
    tokenizer.process_training_data(TrainingData([example]))
    assert [t.text for t in example.get(TOKENS_NAMES[INTENT])] == ["ask_fee"]
    assert [t.text for t in example.get(TOKENS_NAMES[TEXT])] == ["le_phi", "lam", "can_cuoc"]


def test_domain_words_stay_one_token_with_or_without_marks(tokenizer):
    for word in rasa_tokenizer.DOMAIN_WORDS:
        plain = unicodedata.normalize("NFC", fold(word))
        marked_tokens = [t.text for t in _tokens(tokenizer, word)]
        plain_tokens = [t.text for t in _tokens(tokenizer, plain)]
        assert marked_tokens == plain_tokens == ["_".join(plain.split())], (word, marked_tokens, plain_tokens)
