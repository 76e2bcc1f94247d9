"""Today's matcher before issue 9 (kept for `make bench` to compare against), unchanged.

Each procedure is indexed by its folded name, aliases and keywords. A query is
folded, its abbreviations expanded, and scored against every indexed phrase by
fuzzy token alignment (rapidfuzz) weighted by how rare each word is in the
catalog, so "lam cccd can gi", "làm căn cước cần gì" and "lam can cuocc" all
land on the same record, and question filler counts for nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from bot.core.text import Lexicon, fold

# Scores are 0-100. Below NO_MATCH nothing is offered; candidates within
# AMBIGUOUS_MARGIN of the best are offered together for the citizen to choose.
NO_MATCH = 60.0
AMBIGUOUS_MARGIN = 6.0
_TOKEN_MIN_SIMILARITY = 78.0
_PREFILTER = 150
_KEYWORD_FACTOR = 0.92
_SHARED_FACTOR = 0.85
_NAME_TIEBREAK = 0.15
# A phrase whose words are mostly missing from the question is a weak match
# however short the question is ("thế lệ phí?" must not match "mất thẻ").
_MIN_PHRASE_COVERAGE = 0.5
_LOW_COVERAGE_FACTOR = 0.7


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float
    matched: str  # the indexed phrase that matched best


@dataclass(frozen=True)
class _Phrase:
    code: str
    text: str
    tokens: tuple[str, ...]
    kind: str  # name | alias | keyword


@dataclass(frozen=True)
class MatchResult:
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def is_confident(self) -> bool:
        """One clear winner above the no-match line."""
        return bool(self.candidates) and not self.close_candidates()[1:]

    def close_candidates(self, margin: float = AMBIGUOUS_MARGIN) -> tuple[Candidate, ...]:
        if not self.candidates:
            return ()
        top = self.candidates[0].score
        return tuple(c for c in self.candidates if top - c.score <= margin)


class ProcedureMatcher:
    """Ranks procedures for free text. Build once per catalog; `search` is thread-safe."""

    def __init__(self, entries: Iterable[tuple[str, str, Sequence[str], Sequence[str]]], lexicon: Lexicon):
        """`entries`: (code, name, aliases, keywords) per procedure."""
        self.lexicon = lexicon
        self._names: dict[str, str] = {}
        phrases: list[_Phrase] = []
        for code, name, aliases, keywords in entries:
            self._names[code] = name
            for kind, texts in (("name", [name]), ("alias", aliases), ("keyword", keywords)):
                for text in texts:
                    tokens = tuple(self._prepare(text).split())
                    if tokens:
                        phrases.append(_Phrase(code, " ".join(tokens), tokens, kind))
        # A phrase listed for several procedures ("khai sinh" as a keyword of
        # five records) says little about which one is meant.
        owners: dict[str, set[str]] = {}
        for p in phrases:
            owners.setdefault(p.text, set()).add(p.code)
        self._shared = {text for text, codes in owners.items() if len(codes) > 1}
        self._phrases = phrases
        self._texts = [p.text for p in phrases]
        df = Counter(tok for p in phrases for tok in set(p.tokens))
        n = max(len(phrases), 1)
        self._idf = {tok: math.log(1 + n / count) for tok, count in df.items()}
        self._default_idf = math.log(1 + n)

    def _prepare(self, text: str) -> str:
        folded = fold(text)
        for prefix in ("thu tuc ", "thủ tục "):
            if folded.startswith(prefix):
                folded = folded[len(prefix):]
        return self.lexicon.expand(folded)

    def _weight(self, token: str) -> float:
        return self._idf.get(token, self._default_idf)

    def prepare_query(self, text: str) -> list[str]:
        expanded = self._prepare(text)
        return self.lexicon.drop_fillers(expanded).split()

    def search(self, text: str, limit: int = 5) -> MatchResult:
        query = self.prepare_query(text)
        if not query or not self._phrases:
            return MatchResult(())
        query_text = " ".join(query)
        shortlist = process.extract(
            query_text, self._texts, scorer=fuzz.token_set_ratio, limit=_PREFILTER, score_cutoff=30
        )
        best: dict[str, tuple[float, str]] = {}
        best_named: dict[str, float] = {}
        for _, _, index in shortlist:
            phrase = self._phrases[index]
            score = self._score(query, phrase)
            if phrase.kind == "keyword":
                score *= _KEYWORD_FACTOR
            if phrase.text in self._shared:
                score *= _SHARED_FACTOR
            else:
                best_named[phrase.code] = max(best_named.get(phrase.code, 0.0), score)
            if score > best.get(phrase.code, (-1.0, ""))[0]:
                best[phrase.code] = (score, phrase.text)
        # Equal best phrases (a shared keyword) are told apart by how well the
        # procedure's own name or aliases match.
        final = {
            code: (min(100.0, (score + _NAME_TIEBREAK * best_named.get(code, 0.0)) / (1 + _NAME_TIEBREAK)), text)
            for code, (score, text) in best.items()
        }
        ranked = sorted(final.items(), key=lambda kv: (-kv[1][0], kv[0]))
        candidates = tuple(
            Candidate(code, self._names[code], round(score, 1), matched)
            for code, (score, matched) in ranked[:limit]
            if score >= NO_MATCH
        )
        return MatchResult(candidates)

    def _score(self, query: Sequence[str], phrase: _Phrase) -> float:
        """Weighted share of the phrase's words found in the query, and vice versa."""
        sims_phrase = [self._token_similarity(tok, query) for tok in phrase.tokens]
        weights_phrase = [self._weight(tok) for tok in phrase.tokens]
        phrase_cov = sum(s * w for s, w in zip(sims_phrase, weights_phrase)) / sum(weights_phrase)
        sims_query = [self._token_similarity(tok, phrase.tokens) for tok in query]
        weights_query = [self._weight(tok) for tok in query]
        query_cov = sum(s * w for s, w in zip(sims_query, weights_query)) / sum(weights_query)
        order = fuzz.ratio(" ".join(t for t in query if t in phrase.tokens), phrase.text) / 100
        kind_bonus = 0.02 if phrase.kind in ("name", "alias") else 0.0
        score = 100 * (0.62 * phrase_cov + 0.30 * query_cov + 0.06 * order + kind_bonus)
        return score if phrase_cov >= _MIN_PHRASE_COVERAGE else score * _LOW_COVERAGE_FACTOR

    @staticmethod
    def _token_similarity(token: str, others: Sequence[str]) -> float:
        if token in others:
            return 1.0
        if len(token) <= 2:
            return 0.0
        best = process.extractOne(token, others, scorer=fuzz.ratio, score_cutoff=_TOKEN_MIN_SIMILARITY)
        return best[1] / 100 * 0.9 if best else 0.0

