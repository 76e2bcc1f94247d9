"""Vietnamese text normalization: NFC, diacritic folding, clean-up, abbreviations.

Everything here is pure and fast. `fold` is the one canonical comparison form
used by matching, the tokenizer's features and the kiosk suggestions, so a
question typed without diacritics compares equal to one typed with them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import yaml

_SPACE_RE = re.compile(r"\s+")
# Anything that is not a letter, digit or space becomes a space.
_NON_WORD_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with control and zero-width characters removed."""
    return _CONTROL_RE.sub("", unicodedata.normalize("NFC", text or ""))


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks, keeping case and length per letter.

    Every input character maps to exactly one output character, so offsets in the
    folded text are offsets in the original NFC text.
    """
    return nfc(text).translate(_BASE_LETTERS)


class _BaseLetterTable(dict):
    """code point -> its base letter (the first of its NFD), worked out once per character."""

    def __missing__(self, code: int) -> str:
        base = unicodedata.normalize("NFD", chr(code))[0]
        self[code] = base
        return base


_BASE_LETTERS = _BaseLetterTable({code: base for code, base in _FOLD_EXTRA.items()})


def has_diacritics(text: str) -> bool:
    """True when the text carries at least one Vietnamese mark (or đ)."""
    text = nfc(text)
    return strip_diacritics(text) != text


def clean(text: str) -> str:
    """NFC, punctuation to spaces, single spaces, trimmed; case and marks kept."""
    return _SPACE_RE.sub(" ", _NON_WORD_RE.sub(" ", nfc(text))).strip()


def fold(text: str) -> str:
    """Canonical comparison form: lower case, no diacritics, no punctuation."""
    return clean(strip_diacritics(text)).lower()


# A text as words: (folded word, the word as typed in lower case). The typed form is None
# for words the lexicon wrote itself (an expansion), which match any spelling.
TypedWords = list[tuple[str, "str | None"]]


def typed_words(text: str) -> TypedWords:
    """The words of `text`, each folded and as typed, so that rules can tell "hỏng" from
    "hong" (không) or "vay" from "vậy" when the citizen typed the marks."""
    typed, folded = clean(text).lower().split(), fold(text).split()
    if len(typed) == len(folded):  # folding keeps one letter per letter: the words line up
        return list(zip(folded, typed))
    out: TypedWords = []
    for word in typed:
        parts = fold(word).split()
        out += [(f, word if len(parts) == 1 else None) for f in parts]
    return out


def text_has_marks(words: Sequence[tuple[str, "str | None"]]) -> bool:
    return any(typed is not None and typed != folded for folded, typed in words)


def same_word(folded: str, written: str | None, typed: str | None, text_marked: bool, strict: bool) -> bool:
    """Whether a word typed as `typed` is the lexicon's word written as `written` (both fold to `folded`).

    Shorthand written without marks ("hong" for "không") is never a word typed with marks
    ("hỏng"). With `strict` (words the lexicon deletes: fillers, connectors), a word written
    with marks ("vậy") is not a word typed without them in a text that has marks elsewhere
    ("vay vốn"): that citizen types marks."""
    if typed is None or written is None:
        return True
    typed_marked, written_marked = typed != folded, written != folded
    if not written_marked:
        return not typed_marked
    return typed_marked or not (strict and text_marked)


@dataclass(frozen=True)
class Lexicon:
    """Everyday words mapped to what they mean, kept as data that trainers extend.

    `replacements` maps a folded phrase (one or more words) to a folded expansion.
    `fillers` are folded phrases that carry no meaning for finding a procedure.
    `aspect_words` maps a folded phrase to the aspect it asks about ("can gi" ->
    "documents"), for questions the NLU only half understood.
    `other_words` are folded words citizens type that are not Vietnamese
    syllables ("online", "zalo", "kq"); see `known_words`.
    """

    replacements: Mapping[str, str] = field(default_factory=dict)
    fillers: frozenset[str] = frozenset()
    aspect_words: Mapping[str, str] = field(default_factory=dict)
    # folded key or filler -> the ways the file writes it (lower case); absent: any spelling
    written: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_words: frozenset[str] = frozenset()

    @classmethod
    def from_file(cls, path: Path) -> "Lexicon":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        replacements: dict[str, str] = {}
        written: dict[str, tuple[str, ...]] = {}

        def note(phrase: str) -> str:
            key = fold(phrase)
            written[key] = (*written.get(key, ()), clean(phrase).lower())
            return key

        for section in ("abbreviations", "everyday_names"):
            for key, value in (data.get(section) or {}).items():
                replacements[note(str(key))] = fold(str(value))
        fillers = frozenset(note(str(f)) for f in data.get("fillers") or [])
        aspect_words = {
            fold(str(phrase)): str(aspect)
            for aspect, phrases in (data.get("aspect_words") or {}).items()
            for phrase in phrases or []
        }
        other_words = frozenset(fold(str(w)) for w in data.get("other_words") or [])
        return cls(replacements=replacements, fillers=fillers, aspect_words=aspect_words, written=written,
                   other_words=other_words)

    def known_words(self) -> frozenset[str]:
        """Every single folded word the lexicon writes: abbreviations, names, fillers,
        aspect words and `other_words`."""
        phrases = [*self.replacements, *self.fillers, *self.aspect_words, *self.other_words]
        return frozenset(word for phrase in phrases for word in phrase.split())

    def expand(self, folded: str) -> str:
        """Replace known abbreviations and everyday names in already-folded text."""
        return _replace_phrases(folded, self.replacements)

    def drop_fillers(self, folded: str) -> str:
        """Remove filler phrases from already-folded text."""
        return _replace_phrases(folded, {f: "" for f in self.fillers})

    def expand_words(self, words: TypedWords, one_word_only: bool = False) -> TypedWords:
        """`expand` on typed words: shorthand written without marks does not replace a word
        typed with marks ("căn cước bị hỏng" keeps "hỏng"). `one_word_only`: only the
        one-word keys (abbreviations such as "TNHH")."""
        mapping, lengths = self._one_word_replacements if one_word_only else self._replacements
        return _replace_words(words, mapping, lengths, self.written, strict=False)

    def drop_filler_words(self, words: TypedWords, keep: Iterable[int] = ()) -> TypedWords:
        """`drop_fillers` on typed words; a filler typed differently from how the file writes
        it ("vay" in "vay vốn ngân hàng" is not "vậy") stays, and so do the words at `keep`."""
        mapping, lengths = self._filler_removals
        return _replace_words(words, mapping, lengths, self.written, strict=True, keep=frozenset(keep))

    def find_aspect(self, folded: str) -> tuple[str | None, str]:
        """The aspect the first aspect phrase of already-folded, expanded text asks
        about (longest phrase first), and the text without any aspect phrase."""
        marked = _replace_phrases(folded, {p: f"\x00{a}" for p, a in self.aspect_words.items()})
        words = marked.split()
        aspects = [w[1:] for w in words if w.startswith("\x00")]
        rest = " ".join(w for w in words if not w.startswith("\x00"))
        return (aspects[0] if aspects else None), rest

    # Each mapping with its phrase lengths, longest first (worked out once, not per question).
    @cached_property
    def _replacements(self) -> tuple[Mapping[str, str], list[int]]:
        return self.replacements, _by_length(self.replacements)

    @cached_property
    def _one_word_replacements(self) -> tuple[Mapping[str, str], list[int]]:
        return {k: v for k, v in self.replacements.items() if " " not in k}, [1]

    @cached_property
    def _filler_removals(self) -> tuple[Mapping[str, str], list[int]]:
        removals = {f: "" for f in self.fillers}
        return removals, _by_length(removals)


def _replace_phrases(folded: str, mapping: Mapping[str, str]) -> str:
    if not mapping or not folded:
        return folded
    words = folded.split()
    by_len = _by_length(mapping)
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in by_len:
            if i + n <= len(words):
                phrase = " ".join(words[i : i + n])
                if phrase in mapping:
                    if mapping[phrase]:
                        out.append(mapping[phrase])
                    i += n
                    break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _replace_words(words: TypedWords, mapping: Mapping[str, str], by_len: Sequence[int],
                   written: Mapping[str, tuple[str, ...]], strict: bool, keep: frozenset[int] = frozenset()) -> TypedWords:
    """`_replace_phrases` on typed words: a phrase is replaced only where `same_word` accepts
    every word of it for one of the ways the lexicon writes it."""
    if not mapping or not words:
        return list(words)
    marked = text_has_marks(words)
    out: TypedWords = []
    i = 0
    while i < len(words):
        for n in by_len:
            span = words[i : i + n]
            if len(span) < n or (keep and any(j in keep for j in range(i, i + n))):
                continue
            phrase = span[0][0] if n == 1 else " ".join(f for f, _ in span)
            if phrase in mapping and _written_as(span, written.get(phrase), marked, strict):
                out += [(w, None) for w in mapping[phrase].split()]
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _written_as(span: TypedWords, forms: tuple[str, ...] | None, text_marked: bool, strict: bool) -> bool:
    if not forms:
        return True
    for form in forms:
        parts = form.split()
        if len(parts) == len(span) and all(
            same_word(f, w, t, text_marked, strict) for (f, t), w in zip(span, parts)
        ):
            return True
    return False


def _by_length(mapping: Mapping[str, str]) -> list[int]:
    return sorted({len(k.split()) for k in mapping}, reverse=True)


def normalize_query(text: str, lexicon: Lexicon | None = None) -> str:
    """Fold a citizen's message and expand its abbreviations for matching."""
    folded = fold(text)
    return lexicon.expand(folded) if lexicon else folded


def truncate(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters without splitting a word where possible."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut or text[:limit]


def join_nonempty(parts: Iterable[str], sep: str = "\n") -> str:
    return sep.join(p for p in parts if p)


def first_match(pattern: re.Pattern[str], text: str | None, read: Callable[[str], str | None]) -> str | None:
    """What `read` makes of the first match of `pattern` in a message (its first 2,000 characters), else None."""
    if not text:
        return None
    match = pattern.search(text[:2000])
    return read(match.group(0)) if match else None
