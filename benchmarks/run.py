"""`make bench`: print accuracy and speed figures side by side.

- intent accuracy (with / without diacritics) on tests/nlu/heldout.yml of our
  pipeline and of Rasa's stock pipeline trained on the same examples;
- held-out messages answered with the bare "chưa hiểu" although a procedure
  was recognised, today and with bot/core/unclear.py (benchmarks/unclear.py);
- top-1 / top-3 accuracy of our matcher and of plain substring search on
  tests/search/queries.yml;
- p50 / p95 latency of one message through the REST channel (real servers);
- where ../shared/reference is present, matcher latency at the scale of a
  province catalog (2,642 national records);
- conversations on real servers (benchmarks/conversations.py): a 300-turn
  conversation's first vs last turns, the Rasa server's memory after N
  conversations (`--conversations N`, 10,000 by default), and throughput with
  1, 8 and 32 conversations at once.
- the answer / ask / not-found decision on dev and held-out questions, with
  today's matcher beside it, latency at 2,700 and 27,000 records
  (benchmarks/matching.py).

A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.core.catalog import load_catalog
from bot.core.matching import ProcedureMatcher, substring_search
from bot.core.text import Lexicon
from bot.evaluation import load_examples, load_search_queries, predict_intents, score, score_search
from bot.settings import PROJECT_ROOT
from benchmarks.conversations import add_arguments, bench_conversations
from benchmarks.legacy_matcher import ProcedureMatcher as LegacyMatcher
from benchmarks.matching import bench_decision
from benchmarks.unclear import bench_unclear

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
QUERIES = PROJECT_ROOT / "tests" / "search" / "queries.yml"
MODEL = PROJECT_ROOT / "models" / "tthc.tar.gz"
STOCK_DIR = PROJECT_ROOT / "models" / "bench"
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "dvcqg"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95


def train_stock() -> Path:
    print("Training the stock pipeline on the same examples (cached when unchanged)...", flush=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--nlu", "data/nlu",
         "--config", "benchmarks/config_stock.yml", "--out", str(STOCK_DIR), "--fixed-model-name", "stock"],
        cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    return STOCK_DIR / "stock.tar.gz"


def bench_intents() -> None:
    examples = load_examples(HELDOUT)
    texts = [e.text for e in examples]
    ours = score(examples, predict_intents(MODEL, texts))
    stock = score(examples, predict_intents(train_stock(), texts))
    print("\n== Intent accuracy on held-out messages ==")
    print(ours.line("ours (underthesea tokenizer)"))
    print(stock.line("Rasa stock (whitespace+DIET)"))


def _lexicon() -> Lexicon:
    return Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")


def bench_search() -> None:
    catalog = load_catalog(PROJECT_ROOT / "data" / "procedures")
    matcher = ProcedureMatcher(((p.code, p.name, p.aliases, p.keywords) for p in catalog), _lexicon())
    queries = load_search_queries(QUERIES)
    timings, ranked = [], []
    for query, _ in queries:
        start = time.perf_counter()
        ranked.append([c.code for c in matcher.search(query, limit=3).candidates])
        timings.append((time.perf_counter() - start) * 1000)
    entries = [(p.code, p.name, p.aliases) for p in catalog]
    baseline = [substring_search(entries, q) for q, _ in queries]
    legacy = LegacyMatcher(((p.code, p.name, p.aliases, p.keywords) for p in catalog), _lexicon())
    before = [[c.code for c in legacy.search(q, limit=3).candidates] for q, _ in queries]
    print("\n== Procedure search on held-out queries ==")
    print(score_search(queries, ranked).line(f"ours ({len(catalog)} procedures)"))
    print(score_search(queries, before).line("matcher before issue 9"))
    print(score_search(queries, baseline).line("plain substring search"))
    p50, p95 = _percentiles(timings)
    print(f"{'matcher latency':<34} p50 {p50:.1f} ms  p95 {p95:.1f} ms")


def bench_scale() -> None:
    if not REFERENCE.is_dir():
        print("\n(reference records absent: province-scale search skipped)")
        return
    entries = []
    for path in REFERENCE.glob("*/*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        entries.append((record["ma_thu_tuc"], record["ten_thu_tuc"], [], []))
    start = time.perf_counter()
    matcher = ProcedureMatcher(entries, _lexicon())
    build_ms = (time.perf_counter() - start) * 1000
    timings = []
    for query, _ in load_search_queries(QUERIES):
        start = time.perf_counter()
        matcher.search(query)
        timings.append((time.perf_counter() - start) * 1000)
    p50, p95 = _percentiles(timings)
    print(f"\n== Search at province scale ({len(entries)} national records, names only) ==")
    print(f"{'index build':<34} {build_ms:.0f} ms")
    print(f"{'matcher latency':<34} p50 {p50:.1f} ms  p95 {p95:.1f} ms")


def bench_rest_latency(messages: int = 60) -> None:
    from tests.e2e.servers import start_assistant

    questions = [
        "lam giay khai sinh can giay to gi", "thế lệ phí thì sao", "đổi gplx mất bao lâu",
        "đăng ký tạm trú nộp ở đâu", "lam cccd co lam online dc ko", "xin chào",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        running = start_assistant(Path(tmp))
        try:
            running.say("warm-up", "xin chào")
            timings = []
            for i in range(messages):
                start = time.perf_counter()
                running.say(f"bench-{i // len(questions)}", questions[i % len(questions)])
                timings.append((time.perf_counter() - start) * 1000)
        finally:
            running.stop()
    p50, p95 = _percentiles(timings)
    print("\n== One message through the REST channel (sequential, real servers) ==")
    print(f"{'REST webhook latency':<34} p50 {p50:.0f} ms  p95 {p95:.0f} ms  (n={messages})")


def _quiet_rasa() -> None:
    """Keep Rasa's per-message debug lines out of the figures."""
    import logging
    import os

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
    except ImportError:  # pragma: no cover - older Rasa
        pass
    logging.getLogger("rasa").setLevel(logging.WARNING)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Accuracy and speed figures (make bench).")
    add_arguments(parser)
    args = parser.parse_args()
    _quiet_rasa()
    bench_search()
    bench_scale()
    bench_decision()
    bench_intents()
    bench_unclear(MODEL, HELDOUT)
    bench_rest_latency()
    bench_conversations(args.conversations, args.turns, var_dir=args.var_dir)


if __name__ == "__main__":
    main()
