"""Text normalization: NFC, diacritic folding, clean-up, abbreviations and fillers."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
import yaml

from bot.core.catalog import load_catalog
from bot.core.text import (
    Lexicon,
    clean,
    fold,
    has_diacritics,
    nfc,
    normalize_query,
    strip_diacritics,
    truncate,
)
from bot.settings import PROJECT_ROOT

LEXICON_FILE = PROJECT_ROOT / "data" / "lexicon" / "vi.yml"

# The 12 Vietnamese vowel letters (as base + vowel mark) and what they fold to.
VOWELS = {
    "a": "a", "a\u0306": "a", "a\u0302": "a",  # a ă â
    "e": "e", "e\u0302": "e",  # e ê
    "i": "i",
    "o": "o", "o\u0302": "o", "o\u031b": "o",  # o ô ơ
    "u": "u", "u\u031b": "u",  # u ư
    "y": "y",
}
# No tone, huyền, sắc, hỏi, ngã, nặng.
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
TONED_VOWELS = [
    (unicodedata.normalize("NFC", base + tone), folded, bool(base[1:] or tone))
    for (base, folded), tone in itertools.product(VOWELS.items(), TONES)
]


def test_all_72_toned_vowels_are_generated_as_single_letters():
    letters = {v for v, _, _ in TONED_VOWELS}
    assert len(letters) == 72
    assert all(len(v) == 1 for v in letters), [v for v in letters if len(v) != 1]


@pytest.mark.parametrize("vowel,expected,marked", TONED_VOWELS)
def test_every_vowel_with_every_tone_folds_to_its_base(vowel, expected, marked):
    for letter, base in ((vowel, expected), (vowel.upper(), expected.upper())):
        assert strip_diacritics(letter) == base
        assert fold(letter) == expected
        assert has_diacritics(letter) is marked
        # The same letter typed decomposed (NFD) folds the same way.
        decomposed = unicodedata.normalize("NFD", letter)
        assert strip_diacritics(decomposed) == base
        assert has_diacritics(decomposed) is marked


def test_d_with_stroke_folds_in_both_cases():
    assert fold("đ") == "d"
    assert fold("Đ") == "d"
    assert strip_diacritics("Đăng ký đất đai") == "Dang ky dat dai"
    assert fold("ĐĂNG KÝ ĐẤT ĐAI") == "dang ky dat dai"
    assert has_diacritics("d") is False
    assert has_diacritics("đ") is True
    assert has_diacritics("Đ") is True


def test_nfc_and_nfd_input_are_the_same_text():
    sentence = "Đăng ký khai sinh cho con ở phường nào ạ?"
    decomposed = unicodedata.normalize("NFD", sentence)
    assert decomposed != sentence and len(decomposed) > len(sentence)
    assert nfc(decomposed) == sentence
    assert clean(decomposed) == clean(sentence)
    assert fold(decomposed) == fold(sentence) == "dang ky khai sinh cho con o phuong nao a"


def test_nfc_removes_control_and_zero_width_characters():
    assert nfc("\ufeffkhai\u200b sinh\u0000") == "khai sinh"
    assert nfc(None) == ""  # type: ignore[arg-type]
    assert nfc("") == ""


def test_strip_diacritics_keeps_one_character_per_letter():
    sentence = "Cấp lại thẻ căn cước, giấy phép lái xe; đổi sổ đỏ!"
    stripped = strip_diacritics(sentence)
    assert len(stripped) == len(sentence)
    assert stripped == "Cap lai the can cuoc, giay phep lai xe; doi so do!"
    # Offsets carry over: the same slice means the same word.
    start = sentence.index("căn cước")
    assert stripped[start : start + len("căn cước")] == "can cuoc"
    # Decomposed input: one output character per NFC character, not per code point.
    assert len(strip_diacritics(unicodedata.normalize("NFD", sentence))) == len(sentence)


def test_has_diacritics_on_sentences():
    assert has_diacritics("lam can cuoc o dau") is False
    assert has_diacritics("lam can cuoc o đau") is True
    assert has_diacritics("làm CCCD") is True
    assert has_diacritics("") is False
    assert has_diacritics("123 ?!") is False


@pytest.mark.parametrize(
    "raw,cleaned,folded",
    [
        ("  Làm   CCCD,  cần gì?!\n\t", "Làm CCCD cần gì", "lam cccd can gi"),
        ("sổ-đỏ/sổ_hồng", "sổ đỏ sổ hồng", "so do so hong"),
        ("«Đăng ký» (khai sinh)...", "Đăng ký khai sinh", "dang ky khai sinh"),
        ("mẫu CT01 số 2", "mẫu CT01 số 2", "mau ct01 so 2"),
        ("!!! ??? ...", "", ""),
        ("😀 khai sinh 👍", "khai sinh", "khai sinh"),
        ("", "", ""),
    ],
)
def test_punctuation_and_whitespace_cleanup(raw, cleaned, folded):
    assert clean(raw) == cleaned
    assert fold(raw) == folded


def test_fold_is_idempotent():
    for text in ("Đăng ký KHAI SINH!", "căn  cước", unicodedata.normalize("NFD", "Ước mơ")):
        assert fold(fold(text)) == fold(text)


def test_truncate_does_not_split_words():
    assert truncate("đăng ký khai sinh", 100) == "đăng ký khai sinh"
    assert truncate("đăng ký khai sinh", 10) == "đăng ký"
    assert truncate("abcdefghij", 4) == "abcd"


# --- Lexicon -----------------------------------------------------------------


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_file(LEXICON_FILE)


def test_real_lexicon_loads_with_folded_keys(lexicon):
    assert lexicon.replacements and lexicon.fillers
    for key, value in lexicon.replacements.items():
        assert key == fold(key) and key, key
        assert value == fold(value) and value, (key, value)
    for filler in lexicon.fillers:
        assert filler == fold(filler) and filler


def test_abbreviation_expands(lexicon):
    assert lexicon.expand("cccd") == "the can cuoc"
    assert lexicon.expand("lam cccd o dau") == "lam the can cuoc o dau"
    assert normalize_query("Làm CCCD ở đâu?", lexicon) == "lam the can cuoc o dau"
    assert normalize_query("đổi GPLX", lexicon) == "doi giay phep lai xe"


def test_multi_word_everyday_name_expands(lexicon):
    assert lexicon.expand("lam so do") == "lam giay chung nhan quyen su dung dat"
    assert normalize_query("Làm SỔ ĐỎ mất bao lâu", lexicon) == "lam giay chung nhan quyen su dung dat mat bao lau"
    # Words are matched whole: "so do" inside other words is left alone.
    assert lexicon.expand("so dong") == "so dong"


def test_longest_phrase_wins(lexicon):
    # "the cccd" is its own entry: no doubled "the the".
    assert lexicon.expand("lam the cccd") == "lam the can cuoc"
    # "sao y ban chinh" is longer than "sao y".
    assert lexicon.expand("sao y ban chinh") == "chung thuc ban sao tu ban chinh"
    assert lexicon.expand("sao y") == "chung thuc ban sao"


def test_expansion_does_not_rescan_its_output():
    lex = Lexicon(replacements={"a": "b", "b": "c"})
    assert lex.expand("a b") == "b c"


def test_fillers_are_removed(lexicon):
    assert lexicon.drop_fillers("cho hoi lam khai sinh a") == "lam khai sinh"
    assert lexicon.drop_fillers("cho em hoi dang ky ket hon o dau") == "dang ky ket hon"
    assert lexicon.drop_fillers("cho hoi a") == ""
    # Not a filler on its own: kept.
    assert lexicon.drop_fillers("khai sinh") == "khai sinh"


def test_inline_lexicon_fillers_and_empty_input():
    lex = Lexicon(replacements={}, fillers=frozenset({"cho hoi", "a"}))
    assert lex.drop_fillers("cho hoi thu tuc a") == "thu tuc"
    assert lex.drop_fillers("") == ""
    assert Lexicon().expand("cccd") == "cccd"


def test_no_filler_collides_with_a_different_word_of_a_catalog_name(lexicon):
    """A filler is matched after folding, so "cần" (a filler) would also delete "căn"
    from "căn cước". No filler may fold to the same letters as a different word
    (other marks) of a procedure name or alias."""
    catalog = load_catalog(PROJECT_ROOT / "data" / "procedures")
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    originals = {fold(f): clean(str(f)).lower() for f in raw.get("fillers") or []}
    collisions = []
    for p in catalog:
        for phrase in [p.name, *p.aliases]:
            words = clean(phrase).lower().split()
            folded = [fold(w) for w in words]
            for filler, original in originals.items():
                n = len(filler.split())
                for i in range(len(folded) - n + 1):
                    if " ".join(folded[i : i + n]) == filler and " ".join(words[i : i + n]) != original:
                        collisions.append(f"filler '{original}' deletes '{' '.join(words[i:i + n])}' of {p.code} '{phrase}'")
    assert not collisions, "\n".join(sorted(set(collisions)))


def test_typed_words_keep_what_was_typed():
    from bot.core.text import typed_words

    assert typed_words("Vay VỐN, ngân-hàng") == [("vay", "vay"), ("von", "vốn"), ("ngan", "ngân"), ("hang", "hàng")]
    assert typed_words("") == []


@pytest.mark.parametrize("typed, text_marked, strict, same", [
    ("vậy", True, True, True),
    ("vay", False, True, True),  # a text without marks: could be "vậy"
    ("vay", True, True, False),  # "vay vốn ngân hàng": this citizen types marks
    ("vay", True, False, True),  # only fillers and connectors are strict
    (None, True, True, True),  # the lexicon's own output
])
def test_same_word_for_a_word_written_with_marks(typed, text_marked, strict, same):
    from bot.core.text import same_word

    assert same_word("vay", "vậy", typed, text_marked, strict) is same


def test_shorthand_written_without_marks_never_matches_a_marked_word(lexicon):
    from bot.core.text import same_word, typed_words

    assert same_word("hong", "hong", "hỏng", True, False) is False
    assert same_word("hong", "hong", "hong", False, False) is True
    assert lexicon.expand_words(typed_words("thẻ bị hỏng")) == [("the", "thẻ"), ("bi", "bị"), ("hong", "hỏng")]
    assert [f for f, _ in lexicon.expand_words(typed_words("the bi hong"))] == ["the", "bi", "khong"]
    # Everyday names written with marks still match words typed without them.
    assert " ".join(f for f, _ in lexicon.expand_words(typed_words("làm so do"))) == lexicon.expand("lam so do")


def test_filler_typed_as_another_word_stays(lexicon):
    from bot.core.text import typed_words

    assert [f for f, _ in lexicon.drop_filler_words(typed_words("vay vốn ngân hàng ạ"))] == ["vay", "von", "ngan", "hang"]
    assert [f for f, _ in lexicon.drop_filler_words(typed_words("vậy vốn ngân hàng ạ"))] == ["von", "ngan", "hang"]
    assert [f for f, _ in lexicon.drop_filler_words(typed_words("vay von ngan hang a"))] == ["von", "ngan", "hang"]
    kept = lexicon.drop_filler_words(typed_words("vay von ngan hang a"), keep=[0])
    assert [f for f, _ in kept] == ["vay", "von", "ngan", "hang"]
