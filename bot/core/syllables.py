"""Is a message made of words at all? Vietnamese syllable shape, for letter soup.

A Vietnamese syllable has a fixed shape: an optional first consonant ("ngh",
"tr", "qu", ...), a vowel group ("a", "uye", "ieu", ...) and an optional last
consonant ("c", "ch", "m", "n", "ng", "nh", "p", "t"). Typed with or without
marks, every Vietnamese word fits it once folded ("nghiêng" -> "nghieng").
Keyboard mashing ("asdf qwer", "xyzzy", "blablabla") does not, and neither do
most English words: those citizens type are listed in data/lexicon/vi.yml
(`other_words`), with the abbreviations ("cccd", "gplx").

`looks_like_letter_soup` is what the NLU guard (bot/nlu/letter_soup.py) asks:
a model trained on Vietnamese may read such text as anything, confidently;
the assistant should say it did not understand instead.
"""

from __future__ import annotations

import re
from collections.abc import Container

from bot.core.text import fold

_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?"
    r"(?:ieu|yeu|oai|oay|oeo|uay|uoi|uou|uya|uye|uyu"
    r"|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye"
    r"|[aeiouy])"
    r"(?:ch|nh|ng|[cmnpt])?"
)
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_HAS_DIGIT_RE = re.compile(r"\d")

# Over this share of unknown words, a message is letter soup. Half, so that one
# unknown word beside one Vietnamese word ("vneid ơi") is still read.
SOUP_SHARE = 0.5


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` (any case, with or without marks) has the shape of one syllable."""
    return _SYLLABLE_RE.fullmatch(fold(word)) is not None


def unknown_words(text: str, known: Container[str] = frozenset()) -> tuple[list[str], int]:
    """The words of `text` that are neither a syllable nor in `known` (folded), and
    how many words were weighed. Single letters and anything with a digit (codes,
    phone numbers) are not weighed: they say nothing either way."""
    weighed, unknown = 0, []
    for token in text.split():
        if _HAS_DIGIT_RE.search(token):
            continue
        for word in _WORD_RE.findall(token):
            folded = fold(word)
            if len(folded) < 2:
                continue
            weighed += 1
            if folded not in known and _SYLLABLE_RE.fullmatch(folded) is None:
                unknown.append(word)
    return unknown, weighed


def looks_like_letter_soup(text: str, known: Container[str] = frozenset()) -> bool:
    """More than half of the weighed words fit no syllable and no known word."""
    unknown, weighed = unknown_words(text, known)
    return weighed > 0 and len(unknown) / weighed > SOUP_SHARE
