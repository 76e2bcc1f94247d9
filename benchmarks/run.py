"""`make bench`: print accuracy and speed figures side by side.

- intent accuracy (with / without diacritics) on tests/nlu/heldout.yml of our
  pipeline, of "today" (our pipeline with the code and training data of
  BASE_COMMIT, before issue 13) and of Rasa's stock pipeline;
- intent accuracy and procedure entities that swallow an ask word on the short
  everyday questions (tests/nlu/short_questions.yml), ours beside "today";
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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Sequence

from bot.core.catalog import load_catalog
from bot.core.matching import ProcedureMatcher
from bot.core.text import Lexicon, fold
from bot.evaluation import (
    Parse, entities_with_ask_words, load_examples, load_search_queries, predict, predict_intents, score,
    score_search,
)
from bot.nlu import short_questions
from bot.settings import PROJECT_ROOT
from benchmarks.conversations import add_arguments, bench_conversations
from benchmarks.legacy_matcher import ProcedureMatcher as LegacyMatcher
from benchmarks.matching import bench_decision
from benchmarks.unclear import bench_unclear

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
DEV = PROJECT_ROOT / "tests" / "nlu" / "dev.yml"
QUERIES = PROJECT_ROOT / "tests" / "search" / "queries.yml"
MODEL = PROJECT_ROOT / "models" / "tthc.tar.gz"
STOCK_DIR = PROJECT_ROOT / "models" / "bench"
# "Today": the commit before issue 13's training data and tokenizer change. Its
# model is trained once into models/bench/today.tar.gz from its own code and data.
BASE_COMMIT = "c7f5a6b"
TODAY_MODEL = STOCK_DIR / "today.tar.gz"
TODAY_SRC = STOCK_DIR / "today-src"
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


def train_today() -> Path:
    """Our pipeline as it was at BASE_COMMIT (its bot/ code and its data/nlu, data/rules,
    domain and config), extracted into TODAY_SRC and trained once into TODAY_MODEL."""
    if not TODAY_SRC.is_dir():
        archive = subprocess.run(
            ["git", "archive", BASE_COMMIT, "bot", "data/nlu", "data/rules", "domain.yml", "config.yml"],
            cwd=PROJECT_ROOT, check=True, capture_output=True,
        ).stdout
        TODAY_SRC.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(TODAY_SRC)], input=archive, check=True)
    if not TODAY_MODEL.exists():
        print(f"Training 'today' (code and data of {BASE_COMMIT}) once into {TODAY_MODEL}...", flush=True)
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "--data", "data/nlu", "data/rules",
             "--domain", "domain.yml", "--config", "config.yml", "--out", str(STOCK_DIR),
             "--fixed-model-name", "today"],
            cwd=TODAY_SRC, env={**os.environ, "PYTHONPATH": str(TODAY_SRC)}, check=True, stdout=subprocess.DEVNULL,
        )
    return TODAY_MODEL


# Parses with BASE_COMMIT's tokenizer: the model names its tokenizer by module, so it
# runs in a process that imports `bot` from TODAY_SRC.
_PARSE_SCRIPT = """
import asyncio, json, logging, sys
logging.disable(logging.WARNING)
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
texts = json.load(open(sys.argv[2], encoding="utf-8"))
async def run():
    return [await agent.parse_message(t) for t in texts]
out = [{"intent": (p.get("intent") or {}).get("name") or "",
        "entities": [[e["start"], e["end"], e["entity"]] for e in p.get("entities") or []]}
       for p in asyncio.run(run())]
json.dump(out, open(sys.argv[3], "w", encoding="utf-8"))
"""


def predict_today(texts: list[str]) -> list[Parse]:
    model = train_today()
    with tempfile.TemporaryDirectory() as tmp:
        given, parsed = Path(tmp) / "texts.json", Path(tmp) / "parses.json"
        given.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-c", _PARSE_SCRIPT, str(model), str(given), str(parsed)],
            cwd=TODAY_SRC, env={**os.environ, "PYTHONPATH": str(TODAY_SRC), "LOG_LEVEL": "WARNING"},
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        rows = json.loads(parsed.read_text(encoding="utf-8"))
    return [Parse(r["intent"], tuple(tuple(e) for e in r["entities"])) for r in rows]


def bench_intents() -> None:
    examples = load_examples(HELDOUT)
    texts = [e.text for e in examples]
    ours = score(examples, predict_intents(MODEL, texts))
    today = score(examples, [p.intent for p in predict_today(texts)])
    stock = score(examples, predict_intents(train_stock(), texts))
    print("\n== Intent accuracy on held-out messages ==")
    print(ours.line("ours (underthesea tokenizer)"))
    print(today.line(f"today ({BASE_COMMIT})"))
    print(stock.line("Rasa stock (whitespace+DIET)"))
    dev = load_examples(DEV)
    print("\n== Intent accuracy on the development set (conversation intents; tune here) ==")
    print(score(dev, predict_intents(MODEL, [e.text for e in dev])).line("ours"))
    print(score(dev, [p.intent for p in predict_today([e.text for e in dev])]).line(f"today ({BASE_COMMIT})"))


def bench_short_questions() -> None:
    examples = load_examples(short_questions.TEST_FILE)
    texts = [e.text for e in examples]
    print(f"\n== Short everyday questions ({short_questions.TEST_FILE.relative_to(PROJECT_ROOT)}) ==")
    bare = [i for i, e in enumerate(examples) if e.intent == short_questions.NAME_ONLY]
    asks = [i for i, e in enumerate(examples) if e.intent != short_questions.NAME_ONLY]
    for label, parses in (("ours", predict(MODEL, texts)), (f"today ({BASE_COMMIT})", predict_today(texts))):
        scores = score([examples[i] for i in asks], [parses[i].intent for i in asks])
        swallowed = entities_with_ask_words(examples, parses, short_questions.ASPECT_WORDS)
        print(scores.line(f"{label}: name + ask"))
        print(f"{'  procedure entities with an ask word':<34} {len(swallowed)}")
        # Today had no name_procedure intent: a bare name was handled well only
        # when it fell back (then bot/core/unclear.py offered the aspects).
        offered = sum(parses[i].intent in (short_questions.NAME_ONLY, "nlu_fallback") for i in bare)
        print(f"{'  bare names offered the aspects':<34} {offered}/{len(bare)}")


def _lexicon() -> Lexicon:
    return Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")


def substring_search(entries: Iterable[tuple[str, str, Sequence[str]]], text: str, limit: int = 3) -> list[str]:
    """Baseline for the benchmark: codes whose name or alias contains the query or vice versa."""
    query = fold(text)
    hits = []
    for code, name, aliases in entries:
        for phrase in [name, *aliases]:
            folded = fold(phrase)
            if folded and (folded in query or query in folded):
                hits.append(code)
                break
    return hits[:limit]


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
    bench_short_questions()
    bench_unclear(MODEL, HELDOUT)
    bench_rest_latency()
    bench_conversations(args.conversations, args.turns, var_dir=args.var_dir)


if __name__ == "__main__":
    main()
