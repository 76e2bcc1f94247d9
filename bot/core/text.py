"""Vietnamese text normalization: NFC, diacritic folding, clean-up, abbreviations.

Everything here is pure and fast. `fold` is the one canonical comparison form
used by matching, the tokenizer's features and the kiosk suggestions, so a
question typed without diacritics compares equal to one typed with them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

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
    return "".join(unicodedata.normalize("NFD", ch)[0] for ch in nfc(text).translate(_FOLD_EXTRA))


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


@dataclass(frozen=True)
class Lexicon:
    """Everyday words mapped to what they mean, kept as data that trainers extend.

    `replacements` maps a folded phrase (one or more words) to a folded expansion.
    `fillers` are folded phrases that carry no meaning for finding a procedure.
    `aspect_words` maps a folded phrase to the aspect it asks about ("can gi" ->
    "documents"), for questions the NLU only half understood.
    """

    replacements: Mapping[str, str] = field(default_factory=dict)
    fillers: frozenset[str] = frozenset()
    aspect_words: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> "Lexicon":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        replacements: dict[str, str] = {}
        for section in ("abbreviations", "everyday_names"):
            for key, value in (data.get(section) or {}).items():
                replacements[fold(str(key))] = fold(str(value))
        fillers = frozenset(fold(str(f)) for f in data.get("fillers") or [])
        aspect_words = {
            fold(str(phrase)): str(aspect)
            for aspect, phrases in (data.get("aspect_words") or {}).items()
            for phrase in phrases or []
        }
        return cls(replacements=replacements, fillers=fillers, aspect_words=aspect_words)

    def expand(self, folded: str) -> str:
        """Replace known abbreviations and everyday names in already-folded text."""
        return _replace_phrases(folded, self.replacements)

    def drop_fillers(self, folded: str) -> str:
        """Remove filler phrases from already-folded text."""
        return _replace_phrases(folded, {f: "" for f in self.fillers})

    def find_aspect(self, folded: str) -> tuple[str | None, str]:
        """The aspect the first aspect phrase of already-folded, expanded text asks
        about (longest phrase first), and the text without any aspect phrase."""
        marked = _replace_phrases(folded, {p: f"\x00{a}" for p, a in self.aspect_words.items()})
        words = marked.split()
        aspects = [w[1:] for w in words if w.startswith("\x00")]
        rest = " ".join(w for w in words if not w.startswith("\x00"))
        return (aspects[0] if aspects else None), rest


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
