"""Suggestions while a citizen types: procedures whose name fits the words so far.

Everything is compared in folded form (`text.fold`), so "lam can cu" suggests
"Cấp thẻ căn cước ...". Two sources are merged:

- prefix matching on names and aliases, for a word still being typed: every
  finished word must appear in the phrase and the last word must begin one;
- the procedure matcher (`ProcedureMatcher`), for typos and abbreviations.

A confident matcher result comes first, then prefix hits, then the other
matcher candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from bot.core.catalog import Procedure
from bot.core.matching import ProcedureMatcher
from bot.core.published import CURATED, tier_of
from bot.core.text import Lexicon, fold

# A search box needs no more; longer input is cut before matching.
MAX_QUERY_CHARS = 120
DEFAULT_LIMIT = 6


@dataclass(frozen=True)
class Suggestion:
    """A procedure offered under the kiosk's search box."""

    code: str
    name: str
    field: str
    tier: str = CURATED  # curated | published


@dataclass(frozen=True)
class _Phrase:
    """A name or alias of a procedure, as folded tokens."""

    code: str
    tokens: tuple[str, ...]
    is_name: bool


class Suggester:
    """Build once per catalog (with the guide's matcher); `suggest` is thread-safe."""

    def __init__(self, procedures: Iterable[Procedure], matcher: ProcedureMatcher, lexicon: Lexicon):
        self._matcher = matcher
        self._lexicon = lexicon
        self._by_code: dict[str, Procedure] = {}
        self._phrases: list[_Phrase] = []
        for p in procedures:
            self._by_code[p.code] = p
            for i, text in enumerate([p.name, *p.aliases]):
                for variant in {fold(text), lexicon.expand(fold(text))}:
                    if variant:
                        self._phrases.append(_Phrase(p.code, tuple(variant.split()), i == 0))

    def suggest(self, text: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
        text = (text or "")[:MAX_QUERY_CHARS]
        folded = fold(text)
        if not folded or limit <= 0:
            return []
        fuzzy = self._matcher.search(text, limit=max(limit, 10))
        scores = {c.code: c.score for c in fuzzy.candidates}
        ordered: list[str] = []
        if fuzzy.is_confident:
            ordered.append(fuzzy.best.code)
        ordered += self._prefix_hits(folded, scores)
        ordered += [c.code for c in fuzzy.candidates]
        seen: set[str] = set()
        out: list[Suggestion] = []
        for code in ordered:
            if code in seen or code not in self._by_code:
                continue
            seen.add(code)
            p = self._by_code[code]
            out.append(Suggestion(p.code, p.short_name, p.field, tier_of(p)))
            if len(out) >= limit:
                break
        return out

    def _prefix_hits(self, folded: str, scores: dict[str, float]) -> list[str]:
        queries = {tuple(folded.split())}
        without_fillers = self._query_words(folded)
        if without_fillers:
            queries.add(without_fillers)
        ranked: dict[str, tuple] = {}
        for query in queries:
            *done, last = query
            for phrase in self._phrases:
                rank = self._rank(done, last, phrase, scores.get(phrase.code, 0.0))
                if rank is not None and (phrase.code not in ranked or rank < ranked[phrase.code]):
                    ranked[phrase.code] = rank
        return [code for code, _ in sorted(ranked.items(), key=lambda kv: (kv[1], kv[0]))]

    def _query_words(self, folded: str) -> tuple[str, ...]:
        """Filler dropped and abbreviations expanded, the last (unfinished) word kept as typed."""
        *done, last = folded.split()
        head = self._lexicon.drop_fillers(self._lexicon.expand(" ".join(done))).split() if done else []
        expanded_last = self._lexicon.expand(last).split()
        return tuple(head + expanded_last)

    @staticmethod
    def _rank(done: list[str], last: str, phrase: _Phrase, score: float) -> tuple | None:
        tokens = phrase.tokens
        if any(word not in tokens for word in done):
            return None
        positions = [i for i, tok in enumerate(tokens) if tok.startswith(last)]
        if not positions:
            return None
        complete = last in tokens
        first = min([tokens.index(w) for w in done] + positions)
        # Lower is better: whole words over a prefix, then the matcher's score,
        # a procedure's name over an alias, earlier in the phrase, shorter phrases.
        return (not complete, -score, not phrase.is_name, first, len(tokens) - len(done) - 1)

