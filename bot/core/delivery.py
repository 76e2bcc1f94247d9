"""Channel-independent delivery rules: split text to a channel's limit (in
characters, or in words for answer pages), and turn buttons into a numbered
list ("gõ 1, 2 hoặc 3") where a channel cannot show them.

Used by the answers, the kiosk and the Telegram and Zalo adapters; pure and fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


def count_words(text: str) -> int:
    """A size for split_text: words instead of characters."""
    return len(text.split())


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split `text` into pieces of at most `limit`, measured by `size` (characters,
    or count_words), never dropping anything but the white space at the cuts.

    Lines are kept whole and packed together, one per line of a piece. A line
    longer than the limit is cut at sentence ends (. ! ? ;) and its sentences
    packed into pieces of their own; a sentence longer than the limit is cut
    at spaces, and a single word longer than the limit at the limit.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if size(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if size(line) <= limit:
            pieces.append(line)
        else:
            pieces.extend(_pack(_sentences(line, limit, size), " ", limit, size))
    return _pack(pieces, "\n", limit, size)


def _sentences(line: str, limit: int, size: Callable[[str], int]) -> list[str]:
    units: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        if size(sentence) <= limit:
            units.append(sentence)
        else:
            units.extend(_hard_wrap(sentence, limit, size))
    return units


def _pack(units: Sequence[str], joiner: str, limit: int, size: Callable[[str], int]) -> list[str]:
    """Greedily join consecutive units while the result stays within the limit."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if size(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _hard_wrap(text: str, limit: int, size: Callable[[str], int]) -> list[str]:
    words: list[str] = []
    for word in text.split():
        while size(word) > limit:  # a single unbroken run longer than the limit
            words.append(word[:limit])
            word = word[limit:]
        words.append(word)
    return _pack(words, " ", limit, size)


def numbered_options(buttons: Sequence[Button], start: int = 1) -> str:
    """'Gõ số để chọn:' followed by one numbered line per button."""
    if not buttons:
        return ""
    numbers = [str(i) for i in range(start, start + len(buttons))]
    hint = ", ".join(numbers[:-1]) + f" hoặc {numbers[-1]}" if len(numbers) > 1 else numbers[0]
    lines = [f"Gõ {hint} để chọn:"]
    lines += [f"{n}. {b.title}" for n, b in zip(numbers, buttons)]
    return "\n".join(lines)


def choice_from_text(text: str, buttons: Sequence[Button]) -> str | None:
    """The payload of button N when the citizen typed just the number N."""
    cleaned = (text or "").strip().rstrip(".")
    if cleaned.isdigit():
        index = int(cleaned) - 1
        if 0 <= index < len(buttons):
            return buttons[index].payload
    return None
