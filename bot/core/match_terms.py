"""How the matcher reads words: generic words, connectors, spellings, the terms of a phrase.

Pure helpers of `bot.core.matching.ProcedureMatcher` over folded tokens and
`bot.core.text.TypedWords` (each word folded, with its marks as typed): a
question's leading connector ("còn … thì sao"), the "thủ tục" prefix, the form
of a typed generic word ("chó" is not "cho"), which tokens belong to a generic
word, and the terms (syllables and pairs) a phrase is indexed by.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from bot.core.text import TypedWords, fold, same_word, text_has_marks

# Words that say "a procedure" but not which one. They weigh `matching.GENERIC_FACTOR` of
# their catalog weight, wherever they occur (a pair of syllables touching one too).
GENERIC_WRITTEN = (
    "thủ tục", "làm", "xin", "cấp", "đăng ký", "giấy", "lần đầu", "việc", "của", "cho", "và", "về", "tại",
    "theo", "đối với", "các", "những", "một", "đề nghị", "thực hiện", "trường hợp", "hoặc", "mới", "được",
    "cần", "muốn", "nào", "thế nào", "ở", "để", "với", "từ", "khi", "bị", "có", "không", "là", "như",
    "rồi", "sao",
)
GENERIC = tuple(fold(g) for g in GENERIC_WRITTEN)
# "đăng kí" and "đăng ký" are one spelling once folded.
SPELLING = {"ki": "ky", "li": "ly", "mi": "my", "si": "sy", "ti": "ty", "hi": "hy"}
# Words that join a follow-up to what was said ("còn … thì sao"), as written: folded, "còn"
# is also "con" (con nuôi) and "vậy" is "vay" (vay vốn); see
# `ProcedureMatcher._question_words`.
CONNECTORS = {fold(c): c for c in ("thế còn", "còn", "vậy", "nhưng", "và")}
BREAK = "|"
_PREFIXES = ("thu tuc ",)


def drop_connector(words: TypedWords, first_kept: bool = False) -> TypedWords:
    """"còn đăng ký kết hôn thì sao": a follow-up's leading connector is not part of the name,
    unless it was typed as another word ("con nuôi", "vay vốn" in a text with marks) or
    `first_kept` says the first word is read as a content word."""
    marked = text_has_marks(words)
    for n in (2, 1):
        written = CONNECTORS.get(" ".join(f for f, _ in words[:n]))
        if (
            written
            and not first_kept
            and len(words) >= n + 2
            and all(same_word(f, w, t, marked, strict=True) for (f, t), w in zip(words[:n], written.split()))
        ):
            words = words[n:]
            break
    # "… thì cần (giấy tờ gì)", "… thì nộp (ở đâu)": the name ends where "thì" begins the ask.
    for i in range(2, len(words)):
        if words[i][0] == "thi" and 1 <= len(words) - i - 1 <= 2:
            return words[:i]
    return words


def word_form(word: str) -> str:
    """A typed word with its tone mark moved to the end ("hoà" and "hòa" are one form) and
    i/y spelled as `SPELLING` does ("kí" is "ký")."""
    letters = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in letters if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in letters if c not in _TONES))
    return SPELLING.get(base, base) + tones


def folded_words(words: TypedWords) -> list[str]:
    return [f for f, _ in words]


def strip_prefix(words: TypedWords) -> TypedWords:
    for prefix in _PREFIXES:
        n = len(prefix.split())
        if len(words) > n and " ".join(folded_words(words[:n])) == prefix.strip():
            return words[n:]
    return words


def index_terms(tokens: Sequence[str]) -> set[str]:
    pairs = {f"{tokens[i]} {tokens[i + 1]}" for i in range(len(tokens) - 1) if BREAK not in tokens[i : i + 2]}
    return (set(tokens) - {BREAK}) | pairs


# A generic word typed with marks the catalog hardly ever gives it ("chó" for "cho", "vé" for
# "về"): below this share of the catalog's uses of the folded syllable, it is another word.
RARE_FORM_SHARE = 0.01
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # the five tone marks, combining

_GENERIC_BY_LENGTH = sorted({len(g.split()) for g in GENERIC}, reverse=True)
_GENERIC_SET = frozenset(GENERIC)
# One-syllable generic words ("cho"; not "đầu" of "lần đầu"), and the forms that are they ("cần" is "can").
GENERIC_WORDS = frozenset(g for g in GENERIC if " " not in g)
GENERIC_FORMS = frozenset(word_form(g) for g in GENERIC_WRITTEN if " " not in g)


def generic_marks(tokens: Sequence[str]) -> list[bool]:
    """For each token, whether it belongs to a GENERIC word."""
    marks = [False] * len(tokens)
    for n in _GENERIC_BY_LENGTH:
        for i in range(len(tokens) - n + 1):
            if " ".join(tokens[i : i + n]) in _GENERIC_SET:
                for j in range(i, i + n):
                    marks[j] = True
    return marks
