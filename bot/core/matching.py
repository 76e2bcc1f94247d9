"""Find the procedures a citizen's words refer to, and know when none fits.

Each procedure is indexed by its folded name, aliases and keywords, as terms:
syllables and pairs of adjacent syllables ("khai", "sinh", "khai sinh"). A term
weighs what it tells procedures apart: its inverse document frequency over the
whole catalog (both tiers), so "khai sinh" or "con nuoi" carry a match and
"thủ tục", "cấp", "đăng ký", "giấy", "lần đầu" (GENERIC) almost nothing.

A question is folded, abbreviations expanded (and, when the lexicon changed
it, also read as typed: "nhập khẩu thuốc" is not "đăng ký thường trú"), filler
dropped, and each unknown syllable mapped to the nearest indexed one for typos
("sinhh"). Where folding would merge two words, the marks the citizen typed decide:
"vay vốn" is not the filler "vậy", "hỏng" is not the shorthand "hong" (không), "chó"
is not the generic "cho" (`bot.core.text.same_word`, `_as_typed`). A phrase scores by how much of the question it explains (`covered`)
and how much of the phrase the question names, both weighted; a procedure by
its best phrase, with a small bonus for the curated tier.

The scores decide answer, ask or not found (`bot.core.match_result`); the
words are read by `bot.core.match_terms`.

Building is linear in the catalog; `search` looks at the procedures sharing a
distinctive term with the question (an inverted index), so it stays fast at
tens of thousands of records.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.match_result import THRESHOLDS, Candidate, MatchResult, Thresholds
from bot.core.match_terms import (
    BREAK,
    CONNECTORS,
    GENERIC_FORMS,
    GENERIC_WORDS,
    RARE_FORM_SHARE,
    SPELLING,
    drop_connector,
    folded_words,
    generic_marks,
    index_terms,
    strip_prefix,
    word_form,
)
from bot.core.text import Lexicon, TypedWords, fold, text_has_marks, typed_words

# A GENERIC word (`bot.core.match_terms`) weighs this share of its catalog weight.
GENERIC_FACTOR = 0.08
# A word of the question the catalog never uses: a distinctive word nothing here
# covers ("flycam"), or plain conversation; it weighs this share of the rarest term.
UNKNOWN_WORD_SHARE = 0.65
UNKNOWN_NUMBER_WEIGHT = 0.3
CURATED_BONUS = 8.0
KEYWORD_FACTOR = 0.75
# A question must name at least this share of the rarest term's weight to score fully
# (one common word, "thẻ", is no evidence); below, the score shrinks in proportion.
EVIDENCE_SHARE = 1.0
# One syllable in common ("thế" read as "thẻ") is a weak match however rare the syllable.
SINGLE_WORD_FACTOR = 0.45
# A pair of syllables repeats what its two syllables say: it counts half.
BIGRAM_FACTOR = 0.5
# Weight of question coverage against phrase coverage in a score.
QUESTION_SHARE = 0.6
_TYPO_MIN_SIMILARITY = 80.0
_TYPO_FACTOR = 0.85
# Terms on more than this share of procedures are not used to find candidates
# (they still count in the score); the SHORTLIST best phrases are scored exactly.
_COMMON_SHARE = 0.08
_SHORTLIST = 250
_NUMBER = re.compile(r"^\d+$")
_BRACKETS = re.compile(r"(\([^)]*\)?)")
_LIST_BREAK = re.compile(r"[,;]")
_BRACKET_FACTOR = 0.3
_DECAY_WORDS = 6.0


@dataclass(frozen=True)
class _Phrase:
    code: str
    text: str
    weights: dict  # term -> weight
    total: float
    kind: str  # name | alias | keyword
    curated: bool = False


class ProcedureMatcher:
    """Ranks procedures for free text. Build once per catalog; `search` is thread-safe."""

    def __init__(self, entries: Iterable[Sequence], lexicon: Lexicon, thresholds: Thresholds = THRESHOLDS):
        """`entries`: (code, name, aliases, keywords[, tier]) per procedure."""
        self.lexicon = lexicon
        self.thresholds = thresholds
        self._names: dict[str, str] = {}
        self._tiers: dict[str, str] = {}
        raw: list[tuple[str, str, list[str], list[float], str]] = []  # code, text, tokens, factors, kind
        # How the catalog writes each generic syllable ("cho": "cho" 400 times, "chó" once);
        # `_indexed` counts them.
        self._forms: dict[str, Counter] = defaultdict(Counter)
        for entry in entries:
            code, name, aliases, keywords = entry[:4]
            self._names[code] = name
            self._tiers[code] = entry[4] if len(entry) > 4 and entry[4] else "curated"
            seen: set[str] = set()
            for kind, texts in (("name", [name]), ("alias", aliases), ("keyword", keywords)):
                for text in texts:
                    for tokens, factors in self._indexed(text, official=kind == "name"):
                        joined = " ".join(t for t in tokens if t != BREAK)
                        if tokens and joined not in seen:
                            seen.add(joined)
                            raw.append((code, joined, tokens, factors, kind))
        df: dict[str, int] = defaultdict(int)
        by_code: dict[str, set[str]] = defaultdict(set)
        for code, _, tokens, _, _ in raw:
            by_code[code].update(index_terms(tokens))
        for terms in by_code.values():
            for term in terms:
                df[term] += 1
        n = max(len(self._names), 1)
        self._n = n
        self._idf = {term: math.log(1 + n / count) for term, count in df.items()}
        self._max_idf = math.log(1 + n)
        self._vocabulary = sorted({t for t in self._idf if " " not in t and not _NUMBER.match(t)})
        self._vocabulary_set = set(self._vocabulary)
        self._phrases: list[_Phrase] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for code, text, tokens, factors, kind in raw:
            weights = self._weights(tokens, factors, indexed=True)
            if not weights:
                continue
            index = len(self._phrases)
            self._phrases.append(_Phrase(code, text, weights, sum(weights.values()), kind,
                                         self._tiers[code] == "curated"))
            for term in weights:
                self._postings[term].append(index)
        self._common_df = max(2, int(_COMMON_SHARE * n))
        self._droppable_words = frozenset(w for phrase in [*lexicon.fillers, *CONNECTORS] for w in phrase.split())
        # As arrays, so that a shortlist at tens of thousands of records sums in C.
        self._posting_arrays = {t: np.array(v, dtype=np.int32) for t, v in self._postings.items()}
        self._df = dict(df)

    # --- text to terms ------------------------------------------------------------

    def _readings(self, text: str, query: bool) -> list[list[str]]:
        """The text's tokens as typed and with the lexicon applied (one list when they agree).

        A question typed without marks can hide a content word in a filler or connector:
        "vay von" is "vay vốn", not "vậy vốn". When such a word and the next one make a pair
        the catalog uses, the reading that keeps it is searched too."""
        words = strip_prefix(typed_words(text))
        expanded = self.lexicon.expand_words(words)
        readings = [expanded] if folded_words(expanded) == folded_words(words) else [expanded, words]
        if query:  # the plain readings first: `search` looks at the first three
            variants = [self._question_words(reading) for reading in readings]
            readings = [v[0] for v in variants] + [r for v in variants for r in v[1:]]
        out = []
        for r in readings:
            tokens = [self._as_typed(f, t) or SPELLING.get(f, f) for f, t in r]
            if tokens and tokens not in out:
                out.append(tokens)
        return out

    def _as_typed(self, folded: str, typed: str | None) -> str | None:
        """A generic word typed with marks the catalog hardly ever gives it is another word,
        which the catalog does not know ("đổi tên cho con chó" is not "đổi tên cho con"):
        the word as typed, else None."""
        if folded not in GENERIC_WORDS or not typed or typed == folded:
            return None
        form = word_form(typed)
        forms = self._forms.get(folded)
        if form in GENERIC_FORMS or not forms or forms[form] >= RARE_FORM_SHARE * sum(forms.values()):
            return None
        return typed

    def _question_words(self, words: TypedWords) -> list[list[str]]:
        """The words that can name a procedure: fillers and a leading connector dropped (one
        reading), and, if that dropped a word that with the next is a catalog pair, one more
        reading that keeps it."""
        readings = [drop_connector(self.lexicon.drop_filler_words(words))]
        if not text_has_marks(words):
            # A filler's or connector's (last) word that makes a catalog pair with a word that
            # follows it: "vay von", "con nuoi", "le phi truoc (ba)".
            droppable = self._droppable_words
            keep = [i for i in range(len(words) - 1)
                    if words[i][0] in droppable and words[i + 1][0] not in droppable
                    and f"{words[i][0]} {words[i + 1][0]}" in self._idf]
            if keep:
                # A kept word that is first once the fillers before it are gone is not a connector.
                first_kept = not self.lexicon.drop_filler_words(words[: keep[0]])
                kept = drop_connector(self.lexicon.drop_filler_words(words, keep=keep), first_kept)
                if kept != readings[0]:
                    readings.append(kept)
        return readings

    def _indexed(self, text: str, official: bool = False) -> list[tuple[list[str], list[float]]]:
        """An indexed phrase's readings, each token with its factor: later words and words in
        brackets qualify the head of a name ("Cấp lại chứng chỉ … (trong trường hợp …)")
        and weigh less in how much of the phrase a question names.

        An official name gets only the lexicon's one-word abbreviations ("TNHH"): its
        everyday names are a citizen's words ("nhập khẩu" is not "đăng ký thường trú" in
        "Cấp giấy phép nhập khẩu thuốc")."""
        pieces = []  # (typed words, inside brackets); list items and brackets make no pairs across
        for piece in _BRACKETS.split(text):
            inside = piece.startswith("(")
            pieces += [(typed_words(part), inside) for part in _LIST_BREAK.split(piece) if fold(part)]
        for typed, _ in pieces:
            for folded, written in typed:
                if folded in GENERIC_WORDS and written:
                    self._forms[folded][word_form(written)] += 1
        readings: list[tuple[list[str], list[float]]] = []
        for expand in (True, False):
            tokens: list[str] = []
            factors: list[float] = []
            for i, (typed, inside) in enumerate(pieces):
                if i == 0:
                    typed = strip_prefix(typed)
                if expand:
                    typed = self.lexicon.expand_words(typed, one_word_only=official)
                words = [SPELLING.get(t, t) for t in folded_words(typed)]
                if tokens and words:
                    tokens.append(BREAK)
                    factors.append(0.0)
                for word in words:
                    position = len(tokens) - tokens.count(BREAK)
                    tokens.append(word)
                    factors.append((_BRACKET_FACTOR if inside else 1.0) / (1 + position / _DECAY_WORDS))
            if tokens and all(tokens != r[0] for r in readings):
                readings.append((tokens, factors))
        return readings

    def _weights(self, tokens: Sequence[str], factors: Sequence[float] | None = None,
                 indexed: bool = False) -> dict[str, float]:
        """Term -> weight for a token list (catalog terms only, plus unknown words for a question)."""
        generic = generic_marks(tokens)
        weights: dict[str, float] = {}
        for i, tok in enumerate(tokens):
            if tok == BREAK:
                continue
            factor = factors[i] if factors else 1.0
            idf = self._idf.get(tok)
            if idf is None:
                if indexed:
                    continue
                idf = UNKNOWN_NUMBER_WEIGHT if _NUMBER.match(tok) else UNKNOWN_WORD_SHARE * self._max_idf
            weights[tok] = max(weights.get(tok, 0.0), idf * factor * (GENERIC_FACTOR if generic[i] else 1.0))
        for i in range(len(tokens) - 1):
            if tokens[i] == BREAK or tokens[i + 1] == BREAK:
                continue
            term = f"{tokens[i]} {tokens[i + 1]}"
            idf = self._idf.get(term)
            if idf is None:  # a pair the catalog never uses says nothing
                continue
            factor = min(factors[i], factors[i + 1]) if factors else 1.0
            # "cấp lại", "cấp đổi" say more than "cấp"; a pair inside one generic word does not.
            mark = GENERIC_FACTOR if generic[i] and generic[i + 1] else 1.0
            weights[term] = max(weights.get(term, 0.0), idf * factor * mark * BIGRAM_FACTOR)
        return weights

    def _correct(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        """Unknown syllables mapped to the nearest catalog syllable (typos), with a lower weight."""
        out, factors = [], []
        for tok in tokens:
            if (tok in self._vocabulary_set or len(tok) < 4 or _NUMBER.match(tok) or not self._vocabulary
                    or not tok.isascii()):  # a word kept as typed (`_as_typed`) is no typo
                out.append(tok)
                factors.append(1.0)
                continue
            best = process.extractOne(tok, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_MIN_SIMILARITY)
            if best:
                out.append(best[0])
                factors.append(_TYPO_FACTOR)
            else:
                out.append(tok)
                factors.append(1.0)
        return out, factors

    def prepare_query(self, text: str) -> list[str]:
        """The question's tokens as searched (first reading, typos corrected)."""
        readings = self._readings(text, query=True)
        return self._correct(readings[0])[0] if readings else []

    # --- search ---------------------------------------------------------------------

    def search(self, text: str, limit: int = 5) -> MatchResult:
        if not self._phrases or limit <= 0:
            return MatchResult((), self.thresholds)
        # Each reading (as typed, with the lexicon applied) is searched; the one whose best
        # candidate explains more of the question wins ("nhập khẩu thuốc" is read as typed).
        chosen: tuple[float, float] = (-1.0, -1.0)
        ranked: list = []
        for tokens in self._readings(text, query=True)[:3]:
            found = self._search_reading(tokens)
            if found:
                top = max(found.values(), key=lambda v: v[0])
                if (top[1], top[0]) > chosen:
                    chosen, ranked = (top[1], top[0]), sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))
        candidates = tuple(
            Candidate(code, self._names[code], round(score, 1), phrase.text, self._tiers[code], round(covered, 3),
                      phrase.kind)
            for code, (score, covered, phrase) in ranked[:limit]
            if score >= self.thresholds.no_match
        )
        return MatchResult(candidates, self.thresholds)

    def _search_reading(self, tokens: list[str]) -> dict[str, tuple[float, float, _Phrase]]:
        """code -> (score, covered, best phrase) for one reading of the question."""
        best: dict[str, tuple[float, float, _Phrase]] = {}
        tokens, factors = self._correct(tokens[:60])
        query = self._weights(tokens, factors)
        total = sum(query.values())
        if total > 0:
            # In the question's order, not a set's: sums of floats in a hash-dependent order
            # differed in the last bits, and close ties went one way or the other between runs.
            terms = [(t, w, " " not in t) for t, w in query.items()]
            evidence_full = EVIDENCE_SHARE * self._max_idf
            for index in self._shortlist(query):
                phrase = self._phrases[index]
                weights = phrase.weights
                evidence = named = 0.0
                words = 0
                for term, weight, word in terms:
                    if term in weights:
                        evidence += weight
                        named += weights[term]
                        words += word
                covered = evidence / total
                score = 100 * (QUESTION_SHARE * covered + (1 - QUESTION_SHARE) * (named / phrase.total))
                if phrase.kind == "keyword":
                    score *= KEYWORD_FACTOR
                if phrase.curated:
                    score = min(100.0, score + CURATED_BONUS * covered)
                if evidence < evidence_full:
                    score *= evidence / evidence_full
                if words < 2:
                    score *= SINGLE_WORD_FACTOR
                if code_best := best.get(phrase.code):
                    if score <= code_best[0]:
                        continue
                best[phrase.code] = (score, covered, phrase)
        return best

    def _shortlist(self, query: dict[str, float]) -> list[int]:
        """Indexes of the phrases sharing the question's most telling terms."""
        terms = [t for t in query if t in self._postings]
        distinctive = [t for t in terms if self._df.get(t, 0) <= self._common_df]
        use = distinctive or terms
        if not distinctive:
            # Only common words: each must be meaningful on its own to find anything.
            use = [t for t in terms if query[t] >= 0.5]
        if not use:
            return []
        indexes = np.concatenate([self._posting_arrays[t] for t in use])
        weights = np.repeat([query[t] for t in use], [len(self._postings[t]) for t in use])
        scores = np.bincount(indexes, weights=weights, minlength=len(self._phrases))
        found = np.flatnonzero(scores)
        if len(found) > _SHORTLIST:
            # The SHORTLIST best; among equal sums, the lower index (a stable sort, not a partition).
            found = np.sort(found[np.argsort(-scores[found], kind="stable")[:_SHORTLIST]])
        return found.tolist()

    def tier(self, code: str) -> str | None:
        return self._tiers.get(code)
