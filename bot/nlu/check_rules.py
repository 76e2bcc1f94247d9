"""The rules of `bot nlu check`: one function per kind of finding, and their thresholds.

Each rule takes the examples (`bot.nlu.examples.Example`, with file and line)
and gives `Finding`s (`bot.nlu.check_report`): conflicts between intents,
intents with too few examples, duplicates and near duplicates in one intent,
the share of examples without marks, procedure spans the catalog does not
know. What each one reports, and what it leaves out on purpose, is told in
`bot.nlu.check`; the thresholds are `Limits`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.text import fold, has_diacritics, nfc
from bot.nlu.check_report import ERROR, WARNING, Finding, Location
from bot.nlu.examples import Example


@dataclass(frozen=True)
class Limits:
    """Thresholds of the check; the trainers' guide quotes them."""

    near_ratio: float = 92.0  # 0-100, rapidfuzz ratio of the model's forms
    near_min_words: int = 3  # shorter examples are not compared ("dạ vâng", a code alone)
    typo_distance: int = 2  # one word this close to the other is a typo variant
    min_examples: int = 20  # warning below
    min_examples_error: int = 5  # error below
    plain_share: tuple[float, float] = (0.3, 0.7)  # share of examples without marks
    plain_share_min_examples: int = 20  # intents smaller than this are not judged
    span_score: float = 70.0  # matcher score (0-100) a procedure span must reach


LIMITS = Limits()


def _location(example: Example) -> Location:
    return Location(example.path, example.line, example.raw, example.intent)


def conflicts(examples: Sequence[Example], forms: Sequence[str]) -> list[Finding]:
    groups: dict[str, list[Example]] = defaultdict(list)
    for example, form in zip(examples, forms):
        if form:
            groups[form].append(example)
    found = []
    for group in groups.values():
        intents = sorted({e.intent for e in group})
        if len(intents) > 1:
            found.append(Finding(
                ERROR, "conflict",
                f"Câu này nằm ở các ý định {', '.join(intents)}. Giữ ở một ý định đúng, xóa ở ý định kia.",
                tuple(_location(e) for e in group),
            ))
    return found


def intent_sizes(examples: Sequence[Example], limits: Limits) -> list[Finding]:
    counts = Counter(e.intent for e in examples)
    first = {}
    for e in examples:
        first.setdefault(e.intent, e)
    found = []
    for intent, count in sorted(counts.items()):
        if count < limits.min_examples_error:
            level, need = ERROR, limits.min_examples_error
        elif count < limits.min_examples:
            level, need = WARNING, limits.min_examples
        else:
            continue
        found.append(Finding(
            level, "few_examples",
            f"Ý định {intent} chỉ có {count} câu mẫu; cần ít nhất {need} câu.",
            (Location(first[intent].path, first[intent].line, intent=intent),),
        ))
    return found


_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[\s.?!…]+$")


def written_form(text: str) -> str:
    """Text as written, case, spacing and final punctuation aside (marks kept)."""
    return _END_PUNCTUATION.sub("", _SPACES.sub(" ", nfc(text).lower())).strip()


def _marks(example: Example) -> tuple[tuple[str, str], ...]:
    return tuple((fold(s.text), s.entity) for s in example.entities)


def duplicates(examples: Sequence[Example]) -> list[Finding]:
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for e in examples:
        groups[(e.intent, written_form(e.text))].append(e)
    found = []
    for (intent, _), group in groups.items():
        if len(group) < 2 or all(e.generated for e in group):
            continue
        hint = "Xóa bớt, chỉ giữ một câu."
        if any(e.generated for e in group):
            hint = "Câu đã có trong tệp sinh tự động: xóa câu viết tay."
        if len({_marks(e) for e in group}) > 1:
            hint += " Chú ý: tên thủ tục được đánh dấu khác nhau."
        found.append(Finding(WARNING, "duplicate", hint, tuple(_location(e) for e in group)))
    return found


_DIGITS = re.compile(r"\d+")


def _typo_pair(a: str, b: str, limits: Limits) -> bool:
    """True when two model forms differ only in numbers, or by one word spelt close to the other."""
    if _DIGITS.sub("0", a) == _DIGITS.sub("0", b):
        return True
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    differ = [(x, y) for x, y in zip(wa, wb) if x != y]
    return len(differ) == 1 and OSA.distance(*differ[0]) <= limits.typo_distance


def codes_named(example: Example) -> str:
    """The text with each non-procedure entity (a code) replaced by its entity name: two ways of
    writing a dossier code are format variants, not near duplicates."""
    text = example.text
    for span in sorted(example.entities, key=lambda s: -s.start):
        if span.entity != "procedure":
            text = text[:span.start] + span.entity.replace("_", "") + text[span.end:]
    return text


def near_duplicates(examples: Sequence[Example], forms: Sequence[str], limits: Limits) -> list[Finding]:
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, e in enumerate(examples):
        by_intent[e.intent].append(index)
    found = []
    for intent in sorted(by_intent):
        indexes = by_intent[intent]
        texts = [forms[i] for i in indexes]
        # Only hand-written rows are compared: pairs inside generated files are not reported.
        rows = [k for k, i in enumerate(indexes)
                if not examples[i].generated and len(texts[k].split()) >= limits.near_min_words]
        if not rows:
            continue
        scores = process.cdist([texts[k] for k in rows], texts, scorer=fuzz.ratio,
                               score_cutoff=limits.near_ratio, dtype=np.uint8, workers=1)
        for r, col in zip(*np.nonzero(scores)):
            k = rows[r]
            a, b = indexes[k], indexes[col]
            # Each pair once: hand-written pairs from the lower index, hand-generated from the hand side.
            if col == k or (not examples[b].generated and col < k):
                continue
            if (forms[a] == forms[b] or len(forms[b].split()) < limits.near_min_words
                    or _typo_pair(forms[a], forms[b], limits)):
                continue
            found.append(Finding(
                WARNING, "near_duplicate",
                f"Hai câu gần giống nhau (độ giống {int(scores[r, col])}/100): giữ cả hai chỉ khi chúng khác "
                f"nhau về ý.",
                (_location(examples[a]), _location(examples[b])),
            ))
    return found


def _counts_for_marks(example: Example) -> bool:
    """False for an example whose words outside non-procedure entities (codes) are none."""
    text = example.text
    for span in sorted(example.entities, key=lambda s: -s.start):
        if span.entity != "procedure":
            text = text[:span.start] + text[span.end:]
    return any(ch.isalpha() for ch in text)


def plain_shares(examples: Sequence[Example], limits: Limits) -> list[Finding]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        if _counts_for_marks(e):
            by_intent[e.intent].append(e)
    low, high = limits.plain_share
    found = []
    for intent, group in sorted(by_intent.items()):
        if len(group) < limits.plain_share_min_examples:
            continue
        plain = sum(not has_diacritics(e.text) for e in group)
        share = plain / len(group)
        if low <= share <= high:
            continue
        advice = "thêm câu không dấu" if share < low else "thêm câu có dấu"
        found.append(Finding(
            WARNING, "plain_share",
            f"Ý định {intent}: {plain}/{len(group)} câu không dấu ({share:.0%}), nên trong khoảng "
            f"{low:.0%}–{high:.0%}; {advice}.",
            (Location(group[0].path, group[0].line, intent=intent),),
        ))
    return found


def unknown_procedures(
    examples: Sequence[Example], span_matcher: Callable[[str], tuple[float, str] | None], limits: Limits
) -> list[Finding]:
    by_span: dict[str, list[tuple[Example, str]]] = defaultdict(list)
    for e in examples:
        for span in e.entities:
            if span.entity == "procedure" and span.text.strip():
                by_span[fold(span.text)].append((e, span.text))
    found = []
    for folded in sorted(by_span):
        uses = by_span[folded]
        best = span_matcher(uses[0][1])
        if best is not None and best[0] >= limits.span_score and best[1] != "keyword":
            continue
        score = f"điểm khớp cao nhất {best[0]:.0f}/100" if best else "không khớp thủ tục nào"
        found.append(Finding(
            WARNING, "unknown_procedure",
            f"Tên thủ tục \"{uses[0][1]}\" không khớp tên hay tên gọi khác của thủ tục nào trong danh mục "
            f"({score}, cần {limits.span_score:.0f}). Sửa phần đánh dấu, hoặc thêm tên gọi này vào "
            f"`aliases` của thủ tục.",
            tuple(_location(e) for e, _ in uses),
        ))
    return found
