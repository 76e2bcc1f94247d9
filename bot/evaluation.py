"""Measure NLU intent accuracy and matcher accuracy on held-out data.

Shared by the accuracy gate in tests/ and by `make bench`, so both report
the same figures. Imports Rasa lazily: only what evaluates a model needs it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from bot.core.text import fold, has_diacritics
from bot.settings import PROJECT_ROOT


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[tuple[int, int, str], ...] = ()  # (start, end, entity type), annotated


    @property
    def has_diacritics(self) -> bool:
        return has_diacritics(self.text)


@dataclass(frozen=True)
class IntentScores:
    overall: float
    with_diacritics: float
    without_diacritics: float
    count: int
    count_without: int
    errors: tuple[tuple[str, str, str], ...]  # (text, expected, predicted)

    def line(self, label: str) -> str:
        return (
            f"{label:<34} overall {self.overall:.3f}  with diacritics {self.with_diacritics:.3f}  "
            f"without {self.without_diacritics:.3f}  (n={self.count}, without n={self.count_without})"
        )


def load_examples(path: Path) -> list[Example]:
    """Examples of a Rasa NLU YAML file, entity annotations removed."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(m.get("text"), m.get("intent"),
                tuple((e["start"], e["end"], e["entity"]) for e in m.get("entities") or []))
        for m in data.intent_examples
    ]


def load_training_examples(nlu_dir: Path | None = None) -> list[Example]:
    """Every training example in data/nlu (or `nlu_dir`), file by file."""
    examples: list[Example] = []
    for path in sorted((nlu_dir or PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        examples += load_examples(path)
    return examples


def score(examples: Sequence[Example], predicted: Sequence[str]) -> IntentScores:
    def acc(pairs: list[tuple[Example, str]]) -> float:
        return sum(e.intent == p for e, p in pairs) / len(pairs) if pairs else 0.0

    pairs = list(zip(examples, predicted))
    with_d = [(e, p) for e, p in pairs if e.has_diacritics]
    without_d = [(e, p) for e, p in pairs if not e.has_diacritics]
    errors = tuple((e.text, e.intent, p) for e, p in pairs if e.intent != p)
    return IntentScores(acc(pairs), acc(with_d), acc(without_d), len(pairs), len(without_d), errors)


@dataclass(frozen=True)
class Parse:
    intent: str
    entities: tuple[tuple[int, int, str], ...]  # (start, end, entity type), predicted


def predict(model_path: Path, texts: Iterable[str]) -> list[Parse]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def run() -> list[Parse]:
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            entities = tuple((e["start"], e["end"], e["entity"]) for e in parsed.get("entities") or [])
            out.append(Parse((parsed.get("intent") or {}).get("name") or "", entities))
        return out

    return asyncio.run(run())


def predict_intents(model_path: Path, texts: Iterable[str]) -> list[str]:
    return [p.intent for p in predict(model_path, texts)]


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def entities_with_ask_words(
    examples: Sequence[Example], parses: Sequence[Parse], ask_words: frozenset[str], entity: str = "procedure"
) -> list[tuple[str, str]]:
    """(message, entity text) for each predicted `entity` that includes a word of
    the ask: a word of `ask_words` outside the annotated spans of that entity."""
    found = []
    for example, parse in zip(examples, parses):
        gold = [(s, e) for s, e, name in example.entities if name == entity]
        ask = [
            (m.start(), m.end()) for m in _WORD_RE.finditer(example.text)
            if fold(m.group()) in ask_words and not any(s <= m.start() < e for s, e in gold)
        ]
        for start, end, name in parse.entities:
            if name == entity and any(start < we and ws < end for ws, we in ask):
                found.append((example.text, example.text[start:end]))
    return found


def load_search_queries(path: Path) -> list[tuple[str, str | None]]:
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    return [(str(i["query"]), i.get("code")) for i in items]


@dataclass(frozen=True)
class SearchScores:
    top1: float
    top3: float
    rejected_unknown: float
    count: int

    def line(self, label: str) -> str:
        return (
            f"{label:<34} top-1 {self.top1:.3f}  top-3 {self.top3:.3f}  "
            f"no-match on unknown {self.rejected_unknown:.3f}  (n={self.count})"
        )


def score_search(queries: Sequence[tuple[str, str | None]], ranked: Sequence[Sequence[str]]) -> SearchScores:
    known = [(code, r) for (_, code), r in zip(queries, ranked) if code]
    unknown = [r for (_, code), r in zip(queries, ranked) if not code]
    top1 = sum(bool(r) and r[0] == code for code, r in known) / max(len(known), 1)
    top3 = sum(code in r[:3] for code, r in known) / max(len(known), 1)
    rejected = sum(not r for r in unknown) / max(len(unknown), 1)
    return SearchScores(top1, top3, rejected, len(queries))
