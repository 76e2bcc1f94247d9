"""Matcher accuracy on held-out queries (tests/search/queries.yml).

Thresholds sit below today's figures (top-1 0.96, top-3 0.99, 0.83 of unknown
queries rejected; `make bench` prints them) so a regression fails the build.
"""

from __future__ import annotations

from bot.evaluation import load_search_queries, score_search
from bot.settings import PROJECT_ROOT

QUERIES = PROJECT_ROOT / "tests" / "search" / "queries.yml"


def test_every_expected_code_is_in_the_catalog(catalog):
    codes = {p.code for p in catalog}
    assert [c for _, c in load_search_queries(QUERIES) if c and c not in codes] == []


def test_matcher_accuracy_on_heldout_queries(guide):
    queries = load_search_queries(QUERIES)
    ranked = [[c.code for c in guide.search(q, limit=3).candidates] for q, _ in queries]
    scores = score_search(queries, ranked)
    misses = [(q, c, r) for (q, c), r in zip(queries, ranked) if c and (not r or r[0] != c)]
    assert scores.top1 >= 0.92, misses
    assert scores.top3 >= 0.97, misses
    assert scores.rejected_unknown >= 0.75
