"""Word segmentation: exact offsets into the caller's text, one token per word
whether or not the citizen typed diacritics."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.segmentation import Segmenter, Word
from bot.core.text import fold

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

SENTENCES = [
    "Làm căn cước cần giấy tờ gì?",  # diacritics
    "lam can cuoc can giay to gi",  # none
    NFD("Làm căn cước ở đâu ạ?"),  # decomposed marks
    "lam căn cước o dau nhé, 😀 cảm ơn!!",  # mixed
    "Đăng ký khai sinh cho con😀ạ",  # emoji glued to words
    "  \t CCCD   hết hạn  \n",  # spaces
    NFD("ĐỔI BẰNG LÁI") + " rồi " + "làm tờ khai",  # NFD then NFC in one string
    "mẫu CT01, số 2/2024",  # digits and punctuation
    "hộ\u200bkinh doanh",  # zero-width space
    "😀👍🎉",
    "",
    "?!...",
]


def _check_offsets(text: str, words: list[Word]) -> None:
    previous_end = 0
    for w in words:
        assert 0 <= previous_end <= w.start < w.end <= len(text), (text, w)
        surface = text[w.start : w.end]
        # The slice is the word itself: same folded syllables, nothing around it.
        assert surface == surface.strip()
        assert "_".join(fold(surface).split()) == w.text, (text, surface, w)
        previous_end = w.end
    # No letter or digit is left outside a word.
    covered = set()
    for w in words:
        covered.update(range(w.start, w.end))
    for i, ch in enumerate(text):
        if ch.isalnum():
            assert i in covered, (text, i, ch)


@pytest.mark.parametrize("text", SENTENCES)
def test_offsets_are_exact(segmenter, text):
    _check_offsets(text, segmenter.segment(text))


@pytest.fixture(scope="module")
def plain_segmenter() -> Segmenter:
    return Segmenter(extra_words=["căn cước"], use_underthesea=False)


@pytest.mark.parametrize("text", SENTENCES)
def test_offsets_are_exact_without_underthesea(plain_segmenter, text):
    _check_offsets(text, plain_segmenter.segment(text))


def test_without_underthesea_domain_words_still_join(plain_segmenter):
    assert [w.text for w in plain_segmenter.segment("làm căn cước")] == ["lam", "can_cuoc"]
    assert [w.text for w in plain_segmenter.segment("lam can cuoc")] == ["lam", "can_cuoc"]


def test_emoji_only_and_empty_give_no_words(segmenter):
    assert segmenter.segment("") == []
    assert segmenter.segment("😀👍🎉") == []
    assert segmenter.segment(" ?! ... ") == []


def test_nfd_offsets_point_into_the_nfd_string(segmenter):
    text = NFD("Làm căn cước ở đâu")
    words = segmenter.segment(text)
    assert [w.text for w in words] == ["lam", "can_cuoc", "o", "dau"]
    surfaces = [unicodedata.normalize("NFC", text[w.start : w.end]) for w in words]
    assert surfaces == ["Làm", "căn cước", "ở", "đâu"]
    # The combining marks of the last letter belong to the word.
    assert words[-1].end == len(text)


@pytest.mark.parametrize(
    "text",
    ["căn cước", "CĂN CƯỚC", "can cuoc", "CAN CUOC", NFD("căn cước"), "Căn Cước"],
)
def test_multi_syllable_word_is_one_token(segmenter, text):
    words = segmenter.segment(text)
    assert [w.text for w in words] == ["can_cuoc"]
    assert (words[0].start, words[0].end) == (0, len(text))


@pytest.mark.parametrize(
    "marked,plain",
    [
        ("làm căn cước", "lam can cuoc"),
        ("cách cấp căn cước", "cach cap can cuoc"),
        ("thẻ căn cước của tôi", "the can cuoc cua toi"),
        ("đổi bằng lái", "doi bang lai"),
        ("mở hộ kinh doanh", "mo ho kinh doanh"),
        ("tải tờ khai", "tai to khai"),
    ],
)
def test_domain_word_is_the_same_token_with_or_without_marks(segmenter, marked, plain):
    with_marks = [w.text for w in segmenter.segment(marked)]
    without = [w.text for w in segmenter.segment(plain)]
    domain = {"can_cuoc", "bang_lai", "ho_kinh_doanh", "to_khai"}
    assert domain & set(with_marks), with_marks
    assert domain & set(with_marks) == domain & set(without), (with_marks, without)


def test_underthesea_groups_words_in_marked_text(segmenter):
    words = [w.text for w in segmenter.segment("Đăng ký khai sinh cho con cần giấy tờ gì")]
    assert "dang_ky" in words and "khai_sinh" in words and "giay_to" in words


def test_plain_text_is_grouped_by_the_folded_dictionary(segmenter):
    words = [w.text for w in segmenter.segment("dang ky khai sinh cho con")]
    assert words[:2] == ["dang_ky", "khai_sinh"]


def test_words_never_span_punctuation_or_emoji(segmenter):
    words = segmenter.segment("căn, cước 😀 khai😀sinh")
    assert "can_cuoc" not in [w.text for w in words]
    assert "khai_sinh" not in [w.text for w in words]


def test_long_input_is_segmented_quickly(segmenter):
    import time

    text = "làm căn cước cần giấy tờ gì " * 300
    start = time.perf_counter()
    words = segmenter.segment(text)
    assert time.perf_counter() - start < 5
    assert [w.text for w in words].count("can_cuoc") == 300
    _check_offsets(text, words)


def test_loose_words_are_never_glued_by_the_general_dictionary():
    glued = Segmenter(use_underthesea=False)
    loose = Segmenter(use_underthesea=False, loose_words=["cần", "gì"])
    assert [w.text for w in glued.segment("ket hon can gi")][-1] == "can_gi"
    assert [w.text for w in loose.segment("ket hon can gi")][-2:] == ["can", "gi"]
    # Domain words still join whatever the loose words are.
    loose_domain = Segmenter(extra_words=["căn cước"], use_underthesea=False, loose_words=["can"])
    assert [w.text for w in loose_domain.segment("lam can cuoc")] == ["lam", "can_cuoc"]
