"""Service ratings: the five levels of public service satisfaction surveys, and their counts.

From 5 (rất hài lòng) down to 1 (rất không hài lòng); reports give the share of
satisfied citizens per channel and per procedure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from bot.core.text import fold

LEVELS: dict[int, str] = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
# Longest phrases first, so "rất không hài lòng" is not read as "hài lòng".
_LEVEL_PHRASES = sorted(((fold(label), level) for level, label in LEVELS.items()), key=lambda p: -len(p[0]))
_EXTRA_PHRASES = (("tam duoc", 3), ("on", 3), ("tot", 4), ("rat tot", 5), ("te", 2), ("rat te", 1))


def parse_rating(value: Any) -> int | None:
    """A level from a button value (1–5) or typed words; None when unclear."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and 1 <= int(value) <= 5 else None
    text = fold(str(value))[:200]
    number = re.fullmatch(r"(\d)(?: sao)?", text)
    if number:
        level = int(number.group(1))
        return level if 1 <= level <= 5 else None
    padded = f" {text} "
    for phrase, level in _LEVEL_PHRASES:
        if f" {phrase} " in padded:
            return level
    for phrase, level in sorted(_EXTRA_PHRASES, key=lambda p: -len(p[0])):
        if text == phrase:
            return level
    return None


def percent(part: float, whole: float) -> float:
    """`part` as a percentage of `whole`; 0 when the whole is empty."""
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class RatingEntry:
    """One stored rating: its level, the channel it came from and its topic (a procedure code)."""

    level: int
    channel: str
    topic: str


@dataclass(frozen=True)
class Breakdown:
    """Counts per level for one group (a channel, a procedure, or everything)."""

    group: str
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, level: int) -> float:
        return percent(self.counts.get(level, 0), self.total)

    @property
    def satisfied_percent(self) -> float:
        """Share of "rất hài lòng" and "hài lòng", as public service indexes report it."""
        return self.percent(5) + self.percent(4)


def _breakdown(group: str, levels: Iterable[int]) -> Breakdown:
    counts = Counter(levels)
    return Breakdown(group, {level: counts.get(level, 0) for level in LEVELS})


def summarize(rows: Sequence[RatingEntry], topic_names: dict[str, str] | None = None
              ) -> tuple[Breakdown, list[Breakdown], list[Breakdown]]:
    """(overall, per channel, per procedure), groups sorted by how many ratings they have."""
    topic_names = topic_names or {}
    overall = _breakdown("Tất cả", (r.level for r in rows))

    def grouped(key) -> list[Breakdown]:
        groups: dict[str, list[int]] = {}
        for r in rows:
            groups.setdefault(key(r), []).append(r.level)
        return sorted((_breakdown(g, levels) for g, levels in groups.items()), key=lambda b: (-b.total, b.group))

    def topic_label(r: RatingEntry) -> str:
        name = topic_names.get(r.topic)
        return f"{r.topic} {name}" if name else r.topic

    return overall, grouped(lambda r: r.channel), grouped(topic_label)
