"""Channel-independent delivery rules: split text to a channel's limit, and turn
buttons into a numbered list ("gõ 1, 2 hoặc 3") where a channel cannot show them.

Used by the Telegram and Zalo adapters; pure and fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, at line ends first,
    then sentence ends, then spaces; never drops a character except the separators."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        joiner = "\n" if unit.startswith("\n") else " "
        unit = unit.lstrip("\n")
        candidate = f"{current}{joiner}{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _units(text: str, limit: int) -> list[str]:
    """Lines (marked with a leading newline after the first), cut into sentences or
    words when a line alone is longer than the limit."""
    units: list[str] = []
    for i, line in enumerate(text.split("\n")):
        line = line.strip()
        if not line:
            continue
        parts = [line] if len(line) <= limit else _SENTENCE_END.split(line)
        out: list[str] = []
        for part in parts:
            if len(part) <= limit:
                out.append(part)
            else:
                out.extend(_hard_wrap(part, limit))
        if i > 0 and out:
            out[0] = "\n" + out[0]
        units.extend(out)
    return units


def _hard_wrap(text: str, limit: int) -> list[str]:
    words, out, current = text.split(), [], ""
    for word in words:
        while len(word) > limit:  # a single unbroken run longer than the limit
            if current:
                out.append(current)
                current = ""
            out.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    return out


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
