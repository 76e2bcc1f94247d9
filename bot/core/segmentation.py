"""Vietnamese word segmentation with exact character offsets.

underthesea groups syllables into words ("căn cước", "giấy tờ") when the text
has diacritics, but its segmentation breaks down on text typed without them.
So runs of syllables that carry no marks are re-segmented by longest match
against a folded dictionary (underthesea's Viet74K word list plus our own
domain phrases). Each word's `text` is its folded form with syllables joined
by "_" ("can_cuoc"), so a word is one feature whether or not it was typed with
diacritics. Offsets always index the caller's original string.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from bot.core.text import clean, fold, has_diacritics

_SYLLABLE_RE = re.compile(r"\w+", re.UNICODE)
_MAX_WORD_SYLLABLES = 4


@dataclass(frozen=True)
class Word:
    text: str  # folded, syllables joined by "_"
    start: int
    end: int


def _viet74k_path() -> Path | None:
    try:
        import underthesea
    except ImportError:  # pragma: no cover - underthesea is a pinned dependency
        return None
    path = Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt"
    return path if path.exists() else None


class Segmenter:
    """Thread-safe, loads its dictionary and underthesea lazily on first use."""

    def __init__(self, extra_words: Iterable[str] = (), use_underthesea: bool = True,
                 loose_words: Iterable[str] = ()):
        self._extra = list(extra_words)
        # Syllables the general dictionary never joins in text without marks
        # (question words: "can gi" is not one word although "cần gì" is listed).
        self._loose = frozenset(fold(w) for w in loose_words)
        self._use_underthesea = use_underthesea
        self._compounds: set[str] | None = None
        # The domain words (extra_words), folded and as written (lower case).
        self._domain_folded: set[str] = set()
        self._domain_exact: set[str] = set()
        self._lock = threading.Lock()

    def _dictionary(self) -> set[str]:
        with self._lock:
            if self._compounds is None:
                words: set[str] = set()
                path = _viet74k_path()
                lines = path.read_text(encoding="utf-8").splitlines() if path is not None else []
                for phrase in [*lines, *self._extra]:
                    folded = fold(phrase)
                    if " " in folded and len(folded.split()) <= _MAX_WORD_SYLLABLES:
                        words.add(folded)
                words = {w for w in words if not self._loose.intersection(w.split())}
                for phrase in self._extra:
                    parts = clean(phrase).split()
                    if 2 <= len(parts) <= _MAX_WORD_SYLLABLES:
                        self._domain_folded.add(fold(phrase))
                        self._domain_exact.add(_exact_key(parts))
                self._compounds = words
            return self._compounds

    def segment(self, text: str) -> list[Word]:
        """Split `text` into words with offsets into `text` itself."""
        if not text:
            return []
        # NFC keeps offsets only if the text is already NFC; map back otherwise.
        normalized, index_map = _nfc_with_map(text)
        syllables = [(m.start(), m.end()) for m in _SYLLABLE_RE.finditer(normalized)]
        if not syllables:
            return []
        groups = self._group(normalized, syllables)
        words = []
        for group in groups:
            start, end = syllables[group[0]][0], syllables[group[-1]][1]
            folded = "_".join(fold(normalized[syllables[i][0] : syllables[i][1]]) for i in group)
            words.append(Word(folded or normalized[start:end].lower(), index_map[start], index_map[end]))
        return words

    def _group(self, text: str, syllables: list[tuple[int, int]]) -> list[list[int]]:
        """Group syllable indexes into words.

        1. underthesea groups text with marks ("căn cước" in a sentence).
        2. Domain words (extra_words) are placed next, longest first, with marks
           matched exactly and plain syllables by folded form, so a domain word
           is one word however it was typed: underthesea leaves a lone
           "căn cước" as two syllables and "giờ làm việc" as "giờ" + "làm việc".
           A domain word never cuts through a word underthesea made.
        3. The remaining syllables typed without marks are grouped by the folded
           general dictionary; marked ones keep underthesea's grouping.
        A word never spans anything but white space ("căn, cước" stays two).
        """
        groups = self._underthesea_groups(text, syllables) if self._use_underthesea else None
        if groups is None:
            groups = [[i] for i in range(len(syllables))]
        self._dictionary()
        marked = [has_diacritics(text[s:e]) for s, e in syllables]
        surface = [text[s:e] for s, e in syllables]
        folded = [fold(x) for x in surface]
        fixed = [g for g in groups if len(g) > 1 and any(marked[i] for i in g)]
        group_of = {i: g for g in fixed for i in g}

        def joinable(i: int, n: int) -> bool:
            return all(text[syllables[k][1] : syllables[k + 1][0]].isspace() for k in range(i, i + n - 1))

        def is_domain(i: int, n: int) -> bool:
            if any(marked[i : i + n]):
                key_ok = _exact_key(surface[i : i + n]) in self._domain_exact
            else:
                key_ok = " ".join(folded[i : i + n]) in self._domain_folded
            if not key_ok:
                return False
            first, last = group_of.get(i), group_of.get(i + n - 1)
            return (first is None or first[0] == i) and (last is None or last[-1] == i + n - 1)

        domain = dict(_longest(0, len(syllables), lambda i, n: joinable(i, n) and is_domain(i, n)))
        fixed_at = {g[0]: g for g in fixed}
        result: list[list[int]] = []
        run: list[int] = []
        i = 0
        while i < len(syllables):
            if i in domain or i in fixed_at:
                result.extend(self._by_dictionary(run, marked, folded, joinable))
                run = []
                word = list(range(i, i + domain[i])) if i in domain else fixed_at[i]
                result.append(word)
                i = word[-1] + 1
            else:
                run.append(i)
                i += 1
        result.extend(self._by_dictionary(run, marked, folded, joinable))
        return result

    def _underthesea_groups(self, text: str, syllables: list[tuple[int, int]]) -> list[list[int]] | None:
        if not has_diacritics(text):
            return None
        try:
            from underthesea import word_tokenize

            tokens = word_tokenize(text, use_token_normalize=False)
        except Exception:  # noqa: BLE001 - segmentation must never break the pipeline
            return None
        groups: list[list[int]] = []
        cursor = 0
        for token in tokens:
            parts = _SYLLABLE_RE.findall(unicodedata.normalize("NFC", token))
            if not parts:
                continue
            group = []
            for part in parts:
                if cursor >= len(syllables) or text[syllables[cursor][0] : syllables[cursor][1]] != part:
                    return None  # underthesea changed the text; fall back to syllables
                group.append(cursor)
                cursor += 1
            groups.append(group)
        if cursor != len(syllables):
            return None
        return groups

    def _by_dictionary(self, run: list[int], marked: list[bool], folded: list[str], joinable) -> list[list[int]]:
        """Group a run of consecutive loose syllables: those typed without marks
        by the folded general dictionary, longest match first; marked ones stay single."""
        if not run:
            return []
        compounds = self._dictionary()
        start, stop = run[0], run[-1] + 1
        spans = dict(
            _longest(
                start,
                stop,
                lambda i, n: not any(marked[i : i + n]) and joinable(i, n) and " ".join(folded[i : i + n]) in compounds,
            )
        )
        out: list[list[int]] = []
        i = start
        while i < stop:
            n = spans.get(i, 1)
            out.append(list(range(i, i + n)))
            i += n
        return out


def _longest(start: int, stop: int, test) -> list[tuple[int, int]]:
    """Left-to-right longest matches in [start, stop): (first index, length) pairs."""
    spans, i = [], start
    while i < stop:
        for n in range(min(_MAX_WORD_SYLLABLES, stop - i), 1, -1):
            if test(i, n):
                spans.append((i, n))
                i += n
                break
        else:
            i += 1
    return spans


def _exact_key(syllables: Iterable[str]) -> str:
    return " ".join(unicodedata.normalize("NFC", s).lower() for s in syllables)


def _nfc_with_map(text: str) -> tuple[str, list[int]]:
    """NFC-normalize and return, for each position of the result (and its end),
    the matching position in the original text."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index_map: list[int] = []
    # Normalize cluster by cluster: a base character and its combining marks.
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        index_map.extend([i] * len(piece))
        i = j
    index_map.append(len(text))
    return "".join(out), index_map
