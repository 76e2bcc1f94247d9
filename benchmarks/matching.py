"""The matcher's three-way decision (answer / ask / not found), measured (issue 9 §3).

`make bench` calls `bench_decision()`; `python -m benchmarks.matching` prints the
same, and `--calibrate` searches the thresholds on the dev part only.

The questions:

- tests/search/decision.yml: curated and published positives written by hand,
  negatives (procedures of other ministries, near-misses, chit-chat);
- where ../shared/reference/dvcqg is present, one question per published record
  generated from its name by our own paraphrase rules (`paraphrase`): no portal
  text is stored, the questions are built at run time.

Everything is split into dev and held-out with a fixed seed. A question whose
expected code is not in the catalog under test counts as a negative. Generated
questions can be ambiguous by construction (two records whose names paraphrase
the same, e.g. "(thực hiện tại cấp tỉnh)" / "(cấp trung ương)" dropped): any
record with that same paraphrase counts as right.

Scale: the same searches over the catalog repeated as ten provinces' worth of
records (synthesized codes and slightly varied names), for latency and build time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import yaml

from bot.core.catalog import load_catalog
from bot.core.match_result import Thresholds
from bot.core.matching import ProcedureMatcher
from bot.core.portal import parse_record
from bot.core.published import merge_tiers, tier_of
from bot.core.text import Lexicon, fold, strip_diacritics
from bot.settings import PROJECT_ROOT
from benchmarks.legacy_matcher import ProcedureMatcher as LegacyMatcher

DECISION_SET = PROJECT_ROOT / "tests" / "search" / "decision.yml"
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "dvcqg"
SEED = 2026
HELDOUT_SHARE = 0.4


@dataclass(frozen=True)
class Question:
    query: str
    code: str | None  # None: nothing answers it
    accept: frozenset = frozenset()  # codes that count as right (code included)
    avoid: tuple[str, ...] = ()
    source: str = "hand"  # hand | generated
    dev_only: bool = False  # the issue's own examples: designed against, so never held out


# --- the questions ------------------------------------------------------------------


def load_hand_questions(path: Path = DECISION_SET) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in [*data["positives"], *data["negatives"]]:
        code = item.get("code")
        out.append(Question(item["query"], code, frozenset([code] if code else []), tuple(item.get("avoid") or ()),
                            dev_only=bool(item.get("dev"))))
    return out


_PAREN = re.compile(r"\([^)]*\)")
_CUTS = (" thực hiện tại ", " thực hiện bằng ", ";", " tại cấp ")
_PREFIXES = ("", "", "thủ tục ", "cho hỏi ", "làm ", "xin ", "tôi muốn ")
_SUFFIXES = ("", "", "", " cần giấy tờ gì", " mất bao lâu", " nộp ở đâu", " lệ phí bao nhiêu", " như thế nào")
_DROPPABLE = ("việc ", "của ", "các ")
MAX_WORDS = 12


def core_phrase(name: str) -> str:
    """A record's name as a citizen would shorten it: no brackets, no 'thực hiện tại…', at most MAX_WORDS words."""
    text = _PAREN.sub(" ", name)
    for cut in _CUTS:
        head = text.split(cut)[0]
        if len(head.split()) >= 3:
            text = head
    text = re.sub(r"^\s*thủ tục\s+", "", text.strip(), flags=re.IGNORECASE)
    words = text.replace(",", " ").split()[:MAX_WORDS]
    return " ".join(words).lower().strip(" .")


def paraphrase(name: str, rng: random.Random) -> str:
    """One citizen-like question from a record's name (our own rules, see the module docstring)."""
    text = core_phrase(name)
    for word in _DROPPABLE:
        if word in text and rng.random() < 0.5:
            text = text.replace(word, "", 1)
    text = rng.choice(_PREFIXES) + text + rng.choice(_SUFFIXES)
    if rng.random() < 0.5:
        text = strip_diacritics(text)
    return text


def generated_questions(published: Sequence, curated_codes: set[str]) -> list[Question]:
    """One question per published record no curated record overrides. Right answers: that
    record, and any record whose name contains the same shortened name (the question cannot
    tell them apart)."""
    full = [(p.code, fold(" ".join(_PAREN.sub(" ", p.name).replace(",", " ").split()))) for p in published]
    out = []
    for p in published:
        if p.code in curated_codes:
            continue
        rng = random.Random(f"{SEED}:{p.code}")
        core = fold(core_phrase(p.name))
        accept = frozenset(code for code, name in full if core in name) | {p.code}
        out.append(Question(paraphrase(p.name, rng), p.code, accept, source="generated"))
    return out


def split(questions: Iterable[Question]) -> tuple[list[Question], list[Question]]:
    """(dev, held-out), fixed by SEED and the question text."""
    dev, heldout = [], []
    for q in questions:
        digest = hashlib.sha256(f"{SEED}:{q.query}:{q.code}".encode()).digest()
        (heldout if digest[0] / 256 < HELDOUT_SHARE and not q.dev_only else dev).append(q)
    return dev, heldout


# --- the catalogs -------------------------------------------------------------------


def lexicon() -> Lexicon:
    return Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")


def load_published(directory: Path = REFERENCE) -> list:
    if not directory.is_dir():
        return []
    records = []
    for path in sorted(directory.glob("*/*.json")):
        records.append(parse_record(json.loads(path.read_text(encoding="utf-8")), dt.date(2026, 1, 1)))
    return records


def entries(records: Sequence) -> list[tuple]:
    return [(p.code, p.name, p.aliases, p.keywords, tier_of(p)) for p in records]


def synthesize(records: Sequence, copies: int) -> list:
    """`copies` provinces' worth: each record again under new codes, its name slightly varied."""
    rng = random.Random(SEED)
    words = [w for p in records for w in p.name.split()]
    out = list(records)
    for k, p in itertools.product(range(1, copies), records):
        name = p.name.split()
        name.insert(rng.randrange(len(name) + 1), rng.choice(words))
        out.append(_Synthetic(f"S{k}-{p.code}", " ".join(name), p.aliases, p.keywords, tier_of(p)))
    return out


@dataclass(frozen=True)
class _Synthetic:
    code: str
    name: str
    aliases: tuple = ()
    keywords: tuple = ()
    tier: str = "published"


# --- scoring ------------------------------------------------------------------------


@dataclass
class Outcome:
    """Counts over one set of questions."""

    positives: int = 0
    negatives: int = 0
    top1: int = 0
    top3: int = 0
    answered_right: int = 0
    answered_wrong_pos: int = 0  # a positive answered with another procedure
    asked_with_right: int = 0
    answered_neg: int = 0  # a negative answered confidently
    asked_neg: int = 0
    avoid_hits: list = field(default_factory=list)
    wrong: list = field(default_factory=list)

    def line(self, label: str) -> str:
        p, n = max(self.positives, 1), max(self.negatives, 1)
        return (f"{label:<30} top-1 {self.top1 / p:.3f}  top-3 {self.top3 / p:.3f}  "
                f"answered right {self.answered_right / p:.3f}  asked (right among) {self.asked_with_right / p:.3f}  "
                f"confident wrong: positives {self.answered_wrong_pos / p:.3f}, negatives {self.answered_neg / n:.3f}  "
                f"(n={self.positives}+{self.negatives})")


Decide = Callable[[str], tuple[str, list[str], list[str]]]  # query -> (decision, ranked codes, asked codes)


def evaluate(questions: Sequence[Question], decide: Decide, known: set[str]) -> Outcome:
    out = Outcome()
    for q in questions:
        decision, ranked, asked = decide(q.query)
        positive = q.code is not None and q.code in known
        answer = ranked[0] if decision == "answer" else None
        if answer and answer in q.avoid:
            out.avoid_hits.append((q.query, answer))
        if positive:
            out.positives += 1
            out.top1 += bool(ranked) and ranked[0] in q.accept
            out.top3 += any(c in q.accept for c in ranked[:3])
            if decision == "answer":
                if answer in q.accept:
                    out.answered_right += 1
                else:
                    out.answered_wrong_pos += 1
                    out.wrong.append((q.query, q.code, answer))
            elif decision == "ask" and any(c in q.accept for c in asked):
                out.asked_with_right += 1
        else:
            out.negatives += 1
            if decision == "answer":
                out.answered_neg += 1
                out.wrong.append((q.query, None, answer))
            elif decision == "ask":
                out.asked_neg += 1
    return out


def new_decider(matcher: ProcedureMatcher) -> Decide:
    def decide(query: str):
        result = matcher.search(query, limit=9)
        return result.decision, [c.code for c in result.candidates], [c.code for c in result.choices()]

    return decide


def legacy_decider(matcher: LegacyMatcher) -> Decide:
    """Today's matcher as the guide used it: answer when confident, else offer every candidate."""

    def decide(query: str):
        result = matcher.search(query, limit=9)
        ranked = [c.code for c in result.candidates]
        if not ranked:
            return "none", [], []
        return ("answer" if result.is_confident else "ask"), ranked, ranked[:5]

    return decide


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _timed_searches(search: Callable[[str], object], queries: Sequence[str]) -> tuple[float, float]:
    timings = []
    for query in queries:
        start = time.perf_counter()
        search(query)
        timings.append((time.perf_counter() - start) * 1000)
    return _percentiles(timings)


# --- the report -----------------------------------------------------------------------


def build(records: Sequence) -> tuple[ProcedureMatcher, LegacyMatcher, float]:
    lex = lexicon()
    start = time.perf_counter()
    matcher = ProcedureMatcher(entries(records), lex)
    build_ms = (time.perf_counter() - start) * 1000
    legacy = LegacyMatcher(((p.code, p.name, p.aliases, p.keywords) for p in records), lex)
    return matcher, legacy, build_ms


def questions_for(curated: Sequence, published: Sequence) -> tuple[list[Question], list[Question]]:
    questions = load_hand_questions() + generated_questions(published, {p.code for p in curated})
    return split(questions)


def bench_decision(scale: bool = True) -> None:
    curated = load_catalog(PROJECT_ROOT / "data" / "procedures")
    published = load_published()
    records = merge_tiers(curated, published)
    known = {p.code for p in records}
    dev, heldout = questions_for(curated, published)
    matcher, legacy, build_ms = build(records)
    tiers = f"{len(curated)} curated + {len(records) - len(curated)} published"
    print(f"\n== Procedure decision: answer / ask / not found ({tiers}) ==")
    if not published:
        print("(reference records absent: curated catalog only, no generated questions)")
    for label, part in (("dev", dev), ("held-out", heldout)):
        for name, decide in (("ours", new_decider(matcher)), ("today's matcher", legacy_decider(legacy))):
            outcome = evaluate(part, decide, known)
            print(outcome.line(f"{label:<8} {name}"))
            if outcome.avoid_hits:
                print(f"{'':<30} answered a procedure the issue's table names as wrong: {outcome.avoid_hits}")
    queries = [q.query for q in heldout]
    p50, p95 = _timed_searches(lambda q: matcher.search(q, limit=9), queries)
    lp50, lp95 = _timed_searches(lambda q: legacy.search(q, limit=9), queries[:300])
    print(f"{'index build':<30} ours {build_ms:.0f} ms at {len(records)} records")
    print(f"{'search latency':<30} ours p50 {p50:.1f} ms  p95 {p95:.1f} ms;  today's p50 {lp50:.1f} ms  p95 {lp95:.1f} ms")
    if scale and published:
        big = synthesize(records, 10)
        start = time.perf_counter()
        big_matcher = ProcedureMatcher(entries(big), lexicon())
        big_ms = (time.perf_counter() - start) * 1000
        p50, p95 = _timed_searches(lambda q: big_matcher.search(q, limit=9), queries)
        print(f"{'at ten provinces':<30} {len(big)} records: build {big_ms:.0f} ms, "
              f"search p50 {p50:.1f} ms  p95 {p95:.1f} ms")
    print("Targets: confident wrong <= 1% of negatives and of positives; held-out top-1 >= 0.95, top-3 >= 0.99;"
          " p95 <= 5 ms at 2,700 and <= 25 ms at 27,000; build <= 2 s at 2,700.")


def calibrate() -> None:
    """Grid search on dev only: fewest confident wrong answers, then most right answers."""
    curated = load_catalog(PROJECT_ROOT / "data" / "procedures")
    published = load_published()
    records = merge_tiers(curated, published)
    known = {p.code for p in records}
    dev, _ = questions_for(curated, published)
    lowest = Thresholds(no_match=0.0)
    matcher = ProcedureMatcher(entries(records), lexicon(), thresholds=lowest)
    raw = {q.query: matcher.search(q.query, limit=9).candidates for q in dev}
    from bot.core.match_result import MatchResult

    best = None
    for no_match, score, margin, coverage, nested in itertools.product(
        (36, 40, 44, 48), (60, 64, 68, 72), (6, 7, 8, 9, 12), (0.75, 0.8, 0.85, 0.9), (2, 3, 5, 99)
    ):
        limits = Thresholds(no_match, score, margin, coverage, 14.0, nested)

        def decide(query: str):
            kept = tuple(c for c in raw[query] if c.score >= no_match)
            result = MatchResult(kept, limits)
            return result.decision, [c.code for c in kept], [c.code for c in result.choices()]

        o = evaluate(dev, decide, known)
        wrong = o.answered_neg / max(o.negatives, 1) + o.answered_wrong_pos / max(o.positives, 1)
        key = (round(wrong, 3), -(o.answered_right + 0.5 * o.asked_with_right))
        if best is None or key < best[0]:
            best = (key, limits, o)
    print(best[1])
    print(best[2].line("dev (calibrated)"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="search the thresholds on the dev part")
    parser.add_argument("--wrong", action="store_true", help="list the dev questions answered wrongly")
    args = parser.parse_args(argv)
    if args.calibrate:
        calibrate()
        return
    if args.wrong:
        curated = load_catalog(PROJECT_ROOT / "data" / "procedures")
        published = load_published()
        records = merge_tiers(curated, published)
        dev, _ = questions_for(curated, published)
        matcher, _, _ = build(records)
        outcome = evaluate(dev, new_decider(matcher), {p.code for p in records})
        for query, code, answer in outcome.wrong:
            print(f"{query!r}: expected {code}, answered {answer}")
        return
    bench_decision()


if __name__ == "__main__":
    main()
