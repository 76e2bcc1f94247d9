"""What the matcher's scores decide: answer, ask which procedure, or say none fits.

`bot.core.matching.ProcedureMatcher.search` gives a `MatchResult`: the
candidates, best first, each with its score (0-100), the phrase that matched and
how much of the question it explains. The three-way decision sits on the scores
(thresholds calibrated on the development set, `benchmarks/matching.py`;
held-out figures in `make bench`):

- **answer**: the best matched a name or alias (a keyword is only a topic),
  reaches `answer_score`, explains most of the question (`answer_coverage`)
  and leads the next procedure by `answer_margin`;
- **ask**: candidates from `no_match` up, within `ask_margin` of the best, at
  most MAX_CHOICES of them;
- **not found**: nothing reaches `no_match`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Where the three-way decision falls. Scores are 0-100.

    Set on the development set only (`python -m benchmarks.matching --calibrate`).
    """

    no_match: float = 40.0  # below: not offered at all
    answer_score: float = 64.0
    answer_margin: float = 8.0  # lead over the next procedure
    answer_coverage: float = 0.85  # weighted share of the question the best phrase explains
    ask_margin: float = 14.0  # candidates this close to the best are asked about
    # A lead this small is enough when every close follower only adds to the best's
    # words ("Đăng ký lại việc nuôi con nuôi…" after "Đăng ký việc nuôi con nuôi…"):
    # the question named the plain procedure.
    nested_margin: float = 2.0


THRESHOLDS = Thresholds()
NO_MATCH = THRESHOLDS.no_match
MAX_CHOICES = 5
# Candidates within this of the best are "close" (the kiosk, the old callers).
AMBIGUOUS_MARGIN = THRESHOLDS.answer_margin


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float
    matched: str  # the indexed phrase that matched best
    tier: str = "curated"
    covered: float = 0.0  # weighted share of the question the phrase explains
    kind: str = "name"  # of the matched phrase: name | alias | keyword


@dataclass(frozen=True)
class MatchResult:
    candidates: tuple[Candidate, ...]
    thresholds: Thresholds = THRESHOLDS

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def is_confident(self) -> bool:
        """One procedure, clearly: answer it."""
        best, limits = self.best, self.thresholds
        if best is None or best.kind == "keyword":  # a topic word alone names no procedure
            return False
        if best.score < limits.answer_score or best.covered < limits.answer_coverage:
            return False
        second = self.candidates[1].score if len(self.candidates) > 1 else 0.0
        if best.score - second >= limits.answer_margin:
            return True
        if best.score - second < limits.nested_margin:
            return False
        words = set(best.matched.split())
        close = [c for c in self.candidates[1:] if best.score - c.score < limits.answer_margin]
        return all(words < set(c.matched.split()) and c.covered <= best.covered for c in close)

    @property
    def decision(self) -> str:
        """"answer", "ask" or "none"."""
        if self.is_confident:
            return "answer"
        return "ask" if self.candidates else "none"

    def choices(self) -> tuple[Candidate, ...]:
        """The candidates worth asking about: close to the best, at most MAX_CHOICES."""
        return self.close_candidates(self.thresholds.ask_margin)[:MAX_CHOICES]

    def close_candidates(self, margin: float = AMBIGUOUS_MARGIN) -> tuple[Candidate, ...]:
        if not self.candidates:
            return ()
        top = self.candidates[0].score
        return tuple(c for c in self.candidates if top - c.score <= margin)
