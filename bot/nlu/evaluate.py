"""Figures of `bot nlu eval`, computed from predictions (no Rasa here).

Accuracy with and without diacritics comes from `bot.evaluation.score`, the
same figures the accuracy gate and `make bench` print; per-intent precision,
recall, F1 and the confusion matrix come from scikit-learn. The figures are
stored as a small JSON beside each report so the next report shows the change
(and the console shows the figures of a retraining it started), and
`switch_decision` says whether a newly trained model may replace the running
one; the decision is stored in the JSON too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Sequence

from bot.evaluation import Example, score


@dataclass(frozen=True)
class IntentFigures:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int  # held-out examples of this intent


@dataclass(frozen=True)
class SwitchDecision:
    switch: bool
    reason: str  # Vietnamese, for the trainer


@dataclass(frozen=True)
class EvalFigures:
    """What one evaluation measured; what the JSON beside the report holds."""

    model: str
    created: str  # ISO time, Vietnam time
    overall: float
    with_diacritics: float
    without_diacritics: float
    count: int
    count_without: int
    intents: tuple[IntentFigures, ...] = ()
    folds: tuple[float, ...] = ()  # accuracy of each cross-validation fold, when asked for
    decision: SwitchDecision | None = None  # with --switch: whether the new model replaced the running one

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "EvalFigures":
        data = json.loads(text)
        data["intents"] = tuple(IntentFigures(**i) for i in data.get("intents") or ())
        data["folds"] = tuple(data.get("folds") or ())
        data["decision"] = SwitchDecision(**data["decision"]) if data.get("decision") else None
        return cls(**data)


@dataclass(frozen=True)
class Evaluation:
    figures: EvalFigures
    labels: tuple[str, ...]  # rows and columns of the confusion matrix
    confusion: tuple[tuple[int, ...], ...]  # confusion[expected][predicted]
    errors: tuple[tuple[str, str, str], ...]  # (text, expected, predicted)


def evaluate(examples: Sequence[Example], predicted: Sequence[str], model: str, created: str) -> Evaluation:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    if len(examples) != len(predicted):
        raise ValueError(f"{len(examples)} examples but {len(predicted)} predictions")
    scores = score(examples, predicted)
    expected = [e.intent for e in examples]
    labels = sorted(set(expected) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, list(predicted), labels=labels, zero_division=0)
    intents = tuple(
        IntentFigures(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support))
    matrix = confusion_matrix(expected, list(predicted), labels=labels)
    figures = EvalFigures(model, created, scores.overall, scores.with_diacritics, scores.without_diacritics,
                          scores.count, scores.count_without, intents)
    return Evaluation(figures, tuple(labels), tuple(tuple(int(n) for n in row) for row in matrix), scores.errors)


FIGURE_LABELS = {
    "overall": "Độ chính xác chung",
    "with_diacritics": "Câu có dấu",
    "without_diacritics": "Câu không dấu",
}


@dataclass(frozen=True)
class Change:
    label: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def changes(current: EvalFigures, previous: EvalFigures) -> list[Change]:
    """Accuracy figures and each intent's F1, before and after; intents new or gone have 0."""
    result = [Change(label, getattr(previous, key), getattr(current, key)) for key, label in FIGURE_LABELS.items()]
    before = {i.intent: i.f1 for i in previous.intents}
    after = {i.intent: i.f1 for i in current.intents}
    result += [Change(f"F1 {intent}", before.get(intent, 0.0), after.get(intent, 0.0))
               for intent in sorted(before.keys() | after.keys())]
    return result


def switch_decision(candidate: EvalFigures, running: EvalFigures | None) -> SwitchDecision:
    """The new model replaces the running one only when its held-out accuracy, both
    with and without diacritics, is not lower than the running model's."""
    if running is None:
        return SwitchDecision(True, "Chưa có mô hình đang chạy: dùng mô hình mới.")
    lower = [
        f"{FIGURE_LABELS[key].lower()}: {getattr(candidate, key):.1%} thấp hơn {getattr(running, key):.1%}"
        for key in ("with_diacritics", "without_diacritics")
        if getattr(candidate, key) < getattr(running, key)
    ]
    if lower:
        return SwitchDecision(False, "Giữ mô hình đang chạy vì mô hình mới kém hơn trên bộ câu kiểm tra ("
                              + "; ".join(lower) + ").")
    return SwitchDecision(True, "Mô hình mới không kém hơn trên bộ câu kiểm tra (cả câu có dấu và không dấu): "
                                "đã thay mô hình đang chạy.")


def fold_indices(intents: Sequence[str], folds: int) -> list[list[int]]:
    """Indices of the examples in each of `folds` test folds: each intent's examples
    dealt in turn, so every fold has a share of every intent; the same every run."""
    if folds < 2:
        raise ValueError("cần ít nhất 2 phần")
    result: list[list[int]] = [[] for _ in range(folds)]
    by_intent: dict[str, list[int]] = {}
    for index, intent in enumerate(intents):
        by_intent.setdefault(intent, []).append(index)
    turn = 0
    for intent in sorted(by_intent):
        for index in by_intent[intent]:
            result[turn % folds].append(index)
            turn += 1
    return [sorted(fold) for fold in result]

