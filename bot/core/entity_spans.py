"""A procedure entity never takes in the words of the ask.

The entity extractor sometimes stretches a `procedure` span over the first word
of the question that follows it ("lam cccd [mat] bao lau", "doi ten cho con
[bao] nhiu tien") or tags a bare ask word ("k", "giy"). The matcher then looks
for a procedure with those words in its name. `trim_span` cuts such a span back
to the procedure, using the lexicon's aspect phrases (data/lexicon/vi.yml
`aspect_words`) found in the message, after its one-word shorthand ("k", "j",
"nhiu", "giy") is read as what it stands for.

Pure: no Rasa here; bot/nlu/procedure_entities.py applies it to parsed messages.
"""

from __future__ import annotations

import re
from typing import Sequence

from bot.core.text import Lexicon, fold

_WORD = re.compile(r"\w+")

# Words that, alone, name no procedure: besides every word of an aspect phrase.
_FUNCTION_WORDS = frozenset(
    "khong co gi a nhe vay roi thi la ma va voi cho hoi oi ha u duoc".split()
)

Span = tuple[int, int]


def _expanded_words(text: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each word, a one-word shorthand read as what it means
    (several words for "bn"; they all keep the offsets of the word typed)."""
    out = []
    for m in _WORD.finditer(text):
        word = fold(m.group())
        meaning = lexicon.replacements.get(word, word) if word else word
        for part in meaning.split() or [word]:
            out.append((m.start(), m.end(), part))
    return out


def ask_spans(text: str, lexicon: Lexicon) -> list[Span]:
    """Character spans of the aspect phrases in `text`, longest phrase first at each word."""
    words = _expanded_words(text, lexicon)
    phrases = lexicon.aspect_words
    longest = max((len(p.split()) for p in phrases), default=0)
    spans: list[Span] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if " ".join(w[2] for w in words[i : i + n]) in phrases:
                spans.append((words[i][0], words[i + n - 1][1]))
                i += n
                break
        else:
            i += 1
    return spans


def ask_words(lexicon: Lexicon) -> frozenset[str]:
    """Folded words that alone name no procedure: the words of every aspect phrase, and
    small function words."""
    return frozenset(w for p in lexicon.aspect_words for w in p.split()) | _FUNCTION_WORDS


def trim_span(text: str, span: Span, asks: Sequence[Span], lexicon: Lexicon) -> Span | None:
    """`span` of a procedure entity in `text` without any aspect phrase running over its
    edges; None when what is left names nothing (only ask or function words)."""
    start, end = span
    for ask_start, ask_end in asks:
        if ask_start >= end or ask_end <= start:
            continue
        if ask_start <= start and ask_end >= end:
            return None  # the entity lies inside the ask
        if ask_start > start and ask_end >= end:
            end = ask_start  # the ask runs over the right edge
        elif ask_start <= start and ask_end < end:
            start = ask_end  # ...or over the left edge
        # an aspect phrase strictly inside the span is part of a name: kept
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    end = _without_lead_in(text, start, end, asks)
    words = [w for _, _, w in _expanded_words(text[start:end], lexicon)]
    if not words or set(words) <= ask_words(lexicon):
        return None
    return start, end


def _without_lead_in(text: str, start: int, end: int, asks: Sequence[Span]) -> int:
    """The end of `start:end` without the small words that lead into an ask right after it:
    "rut bhxh 1 lan [co] mau to khai ko", "tach ho [thi co] mau to khai khong"."""
    next_ask = min((ask_start for ask_start, _ in asks if ask_start >= end), default=None)
    if next_ask is None or text[end:next_ask].strip():
        return end
    words = list(_WORD.finditer(text, start, end))
    while len(words) >= 2 and fold(words[-1].group()) in _FUNCTION_WORDS:
        words.pop()
    return words[-1].end() if words else end
