"""`bot nlu augment`: propose variants of training examples for a trainer to review.

From each hand-written example (generated files are left out: their generator
already writes both spellings) it proposes, as citizens type:

- the example without marks ("làm cccd cần gì" -> "lam cccd can gi");
- common abbreviations of data/lexicon/vi.yml's `abbreviations` ("không" ->
  "ko", "giấy phép lái xe" -> "gplx"), without marks;
- one realistic typo, without marks: two neighbouring letters swapped
  ("thanh" -> "thnah"), a dropped letter ("giay" -> "giy"), a neighbouring key
  on the keyboard ("hon" -> "hin"), or a Telex leftover ("cần" -> "caan",
  "đổi" -> "ddoi").

Entity markup is kept: each piece of text inside or outside a `[...](entity)`
is changed on its own. A variant is dropped when it is already in the training
data (as written, case and spacing aside), when it would be the same question
as an example of another intent, and when, folded, it is a question of a
held-out file (tests/nlu/heldout.yml and the other test sets): they must
never leak into training. The same seed gives the same proposals.

The proposals go to a review file in Rasa's layout with a Vietnamese header;
nothing is ever written to data/nlu.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from bot.core.text import Lexicon, fold, has_diacritics, nfc, strip_diacritics
from bot.nlu.check import model_form, one_word_abbreviations
from bot.nlu.check_rules import written_form
from bot.nlu.examples import Example, plain

_MARKUP = re.compile(r"(\[[^\]]*\](?:\([^)]*\)|\{[^}]*\}))")
_WORD = re.compile(r"\w+", re.UNICODE)

# Neighbouring keys on a QWERTY keyboard (letters only).
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    ch: "".join(
        _ROWS[r2][c2] for r2 in range(max(0, r - 1), min(3, r + 2))
        for c2 in (c - 1, c, c + 1) if 0 <= c2 < len(_ROWS[r2]) and (r2, c2) != (r, c) and abs(r2 - r) + abs(c2 - c) == 1
    )
    for r, row in enumerate(_ROWS) for c, ch in enumerate(row)
}
# Telex keystrokes of a vowel mark that stayed in the text when the input method slipped.
_TELEX = {"\u0302": lambda base: base + base, "\u0306": lambda base: base + "w", "\u031b": lambda base: base + "w"}
TYPO_KINDS = ("swap", "drop", "neighbour", "telex")
# A typo turns a short word into another word ("nao" -> "na") and a short message into
# another message ("dạ phải" -> "da phia"): only words and messages this long get one.
TYPO_MIN_LETTERS = 4
TYPO_MIN_WORDS = 3
# At most this many proposals per intent by default, picked with the seed.
PER_INTENT = 30


@dataclass(frozen=True)
class Variant:
    intent: str
    raw: str  # with entity markup
    kind: str  # no_marks | abbreviation | typo:<kind>
    source: Example


def _pieces(raw: str) -> list[tuple[str, str]]:
    """(text, suffix) pieces: a marked span's text with its `](entity)` suffix and prefix `[`,
    or plain text with an empty suffix."""
    out = []
    for part in _MARKUP.split(raw):
        if not part:
            continue
        if _MARKUP.fullmatch(part):
            close = part.index("]")
            out.append((part[1:close], part[close:]))
        else:
            out.append((part, ""))
    return out


def _join(pieces: Sequence[tuple[str, str]]) -> str:
    text = "".join(f"[{t}{s}" if s else t for t, s in pieces)
    return " ".join(text.split())


def without_marks(raw: str) -> str:
    """The example with every Vietnamese mark removed, markup kept."""
    return _join([(strip_diacritics(t), s) for t, s in _pieces(nfc(raw))])


def abbreviations_for(lexicon: Lexicon) -> dict[str, list[str]]:
    """Folded long form -> the one-word abbreviations citizens type for it."""
    out: dict[str, list[str]] = {}
    for short, long in one_word_abbreviations(lexicon).replacements.items():
        out.setdefault(long, []).append(short)
    return {long: sorted(set(shorts)) for long, shorts in out.items()}


def abbreviate(raw: str, shortenings: dict[str, list[str]], rng: random.Random) -> str:
    """The example without marks, each long form replaced by one of its abbreviations
    (longest first, whole words)."""
    longest_first = sorted(shortenings, key=lambda k: (-len(k.split()), k))
    pieces = []
    for text, suffix in _pieces(nfc(raw)):
        words = fold(text).split() if text.strip() else []
        folded = f" {' '.join(words)} "
        for long in longest_first:
            while f" {long} " in folded:
                folded = folded.replace(f" {long} ", f" {rng.choice(shortenings[long])} ", 1)
        # Keep the spaces around the piece so that markup stays separated from words.
        lead = " " if text[:1].isspace() else ""
        trail = " " if text[-1:].isspace() else ""
        pieces.append((lead + folded.strip() + trail if words else text, suffix))
    return _join(pieces)


def telex(word: str) -> str:
    """A word without marks except one vowel mark written as its Telex keys ("cần" -> "caan")."""
    out = []
    done = False
    for ch in nfc(word):
        if ch in "đĐ" and not done:
            out.append("dd" if ch == "đ" else "DD")
            done = True
            continue
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        mark = next((m for m in parts[1:] if m in _TELEX), None)
        if mark and not done:
            out.append(_TELEX[mark](base))
            done = True
        else:
            out.append(strip_diacritics(ch))
    return "".join(out)


def typo(word: str, kind: str, rng: random.Random) -> str:
    """One typo of `kind` in a word (unchanged when the word is too short for it)."""
    if kind == "telex":
        return telex(word)
    word = strip_diacritics(word)
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < TYPO_MIN_LETTERS:
        return word
    if kind == "swap":
        i = rng.randrange(1, len(word) - 1)
        if word[i] == word[i + 1]:
            return word
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        i = rng.choice(letters[1:])
        return word[:i] + word[i + 1:]
    if kind == "neighbour":
        i = rng.choice(letters[1:])
        near = _NEIGHBOURS.get(word[i].lower())
        return word[:i] + rng.choice(near) + word[i + 1:] if near else word
    raise ValueError(kind)


def with_typo(raw: str, rng: random.Random) -> tuple[str, str]:
    """(variant without marks and with one typo, typo kind), or ("", "") when no word fits."""
    pieces = _pieces(nfc(raw))
    if len(plain(raw).split()) < TYPO_MIN_WORDS:
        return "", ""
    # Words of TYPO_MIN_LETTERS letters or more; a Telex leftover needs a word with a vowel mark or đ.
    candidates = [(p, m) for p, (text, _) in enumerate(pieces) for m in _WORD.finditer(text)
                  if not m.group().isdigit() and (len(m.group()) >= TYPO_MIN_LETTERS
                                                  or telex(m.group()) != strip_diacritics(m.group()))]
    if not candidates:
        return "", ""
    kinds = list(TYPO_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "telex":
            usable = [(p, m) for p, m in candidates if telex(m.group()) != strip_diacritics(m.group())]
        else:
            usable = [(p, m) for p, m in candidates if len(m.group()) >= TYPO_MIN_LETTERS]
        if not usable:
            continue
        p, match = rng.choice(usable)
        changed = typo(match.group(), kind, rng)
        if changed == strip_diacritics(match.group()):
            continue
        text, suffix = pieces[p]
        pieces = [(strip_diacritics(t), s) for t, s in pieces]
        pieces[p] = (strip_diacritics(text[:match.start()]) + changed + strip_diacritics(text[match.end():]), suffix)
        return _join(pieces), kind
    return "", ""


def propose(
    examples: Sequence[Example],
    lexicon: Lexicon,
    held_out: Iterable[str] = (),
    intent: str | None = None,
    seed: int = 0,
    per_intent: int | None = PER_INTENT,
) -> list[Variant]:
    """Variants of the hand-written examples (of `intent` when given), new and safe to train on,
    at most `per_intent` per intent (None: all), in the order of their sources.

    `held_out`: texts of the held-out sets; a variant that, folded, is one of them is dropped."""
    rng = random.Random(seed)
    shortenings = abbreviations_for(lexicon)
    abbreviations = one_word_abbreviations(lexicon)
    written = {written_form(e.text) for e in examples}
    intent_of: dict[str, set[str]] = {}
    for e in examples:
        intent_of.setdefault(model_form(e.text, abbreviations), set()).add(e.intent)
    forbidden = {fold(t) for t in held_out}
    out: list[Variant] = []
    for example in examples:
        if example.generated or (intent and example.intent != intent):
            continue
        proposals = []
        if has_diacritics(example.text):
            proposals.append((without_marks(example.raw), "no_marks"))
        shortened = abbreviate(example.raw, shortenings, rng)
        if shortened != without_marks(example.raw):
            proposals.append((shortened, "abbreviation"))
        misspelt, kind = with_typo(example.raw, rng)
        if misspelt:
            proposals.append((misspelt, f"typo:{kind}"))
        for raw, kind in proposals:
            text = plain(raw)
            key = written_form(text)
            if key in written or fold(text) in forbidden:
                continue
            if intent_of.get(model_form(text, abbreviations), {example.intent}) != {example.intent}:
                continue
            written.add(key)
            out.append(Variant(example.intent, raw, kind, example))
    if per_intent is None:
        return out
    by_intent: dict[str, list[int]] = {}
    for index, v in enumerate(out):
        by_intent.setdefault(v.intent, []).append(index)
    kept = set()
    for indexes in by_intent.values():
        kept.update(rng.sample(indexes, min(per_intent, len(indexes))))
    return [v for index, v in enumerate(out) if index in kept]


HEADER = """\
Câu biến thể do `bot nlu augment` đề xuất: CHƯA phải dữ liệu huấn luyện.
Hãy đọc từng câu trước khi chép. Chỉ chép câu người dân thật sự có thể gõ,
vào đúng ý định trong tệp data/nlu/ tương ứng, rồi chạy `bot nlu check`.
Không chép nguyên cả tệp này. Câu gốc của từng câu được ghi ở cuối tệp."""

_KIND_LABELS = {
    "no_marks": "không dấu",
    "abbreviation": "viết tắt",
    "typo:swap": "gõ nhầm: đảo hai chữ cái",
    "typo:drop": "gõ nhầm: thiếu chữ cái",
    "typo:neighbour": "gõ nhầm: phím bên cạnh",
    "typo:telex": "gõ nhầm: sót phím Telex",
}


def review_yaml(variants: Sequence[Variant], seed: int) -> str:
    """The review file: Rasa's NLU layout, a Vietnamese header, each variant with its source."""
    lines = ['version: "3.1"'] + [f"# {line}" for line in HEADER.splitlines()]
    lines.append(f"# Hạt giống ngẫu nhiên (--seed): {seed}. Số câu đề xuất: {len(variants)}.")
    lines.append("nlu:")
    by_intent: dict[str, list[Variant]] = {}
    for v in variants:
        by_intent.setdefault(v.intent, []).append(v)
    for intent in sorted(by_intent):
        lines += [f"  - intent: {intent}", "    examples: |"]
        for v in by_intent[intent]:
            # A "#" line inside a literal block would be an example: sources go at the end.
            lines.append(f"      - {v.raw}")
    lines.append("")
    lines.append("# Nguồn của từng câu (câu đề xuất <- câu gốc, tệp:dòng, loại biến thể):")
    for v in variants:
        label = _KIND_LABELS.get(v.kind, v.kind)
        lines.append(f"# {v.raw}  <-  {v.source.raw}  ({v.source.path.name}:{v.source.line}, {label})")
    return "\n".join(lines) + "\n"
