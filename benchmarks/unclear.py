"""Half-understood messages of the held-out set: how many would read the bare "Xin lỗi, tôi chưa hiểu".

Every message of tests/nlu/heldout.yml is parsed by the trained model. Of those
the NLU falls back on (nlu_fallback), a procedure counts as recognised when the
model tagged a `procedure` entity or the guide finds one confident match in the
text. Before bot/core/unclear.py every fallback was answered "chưa hiểu"; with
it only a `Rephrase` decision is. The same for short everyday questions (the
kiosk's topics with each aspect's words). Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from bot.core.catalog import load_catalog
from bot.core.guide import ProcedureGuide
from bot.core.text import Lexicon
from bot.core.unclear import AskProcedure, OfferAspects, Rephrase, decide, procedure_entity
from bot.evaluation import load_examples
from bot.settings import PROJECT_ROOT

FALLBACK = "nlu_fallback"


def _parser(model: Path):
    """A function parsing texts with the trained model, loaded once."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    def parse_all(texts: list[str]) -> list[dict]:
        async def run() -> list[dict]:
            return [await agent.parse_message(text) for text in texts]

        return asyncio.run(run())

    return parse_all


def _popular() -> tuple[str, ...]:
    from bot.web.kiosk import load_topics

    return tuple(t.code for t in load_topics())


def short_questions() -> list[str]:
    """The most asked procedures (data/kiosk.yml titles) with each aspect's first
    everyday words (data/lexicon/vi.yml aspect_words), with and without diacritics."""
    import yaml

    from bot.core.text import strip_diacritics

    words = yaml.safe_load((PROJECT_ROOT / "data" / "lexicon" / "vi.yml").read_text(encoding="utf-8"))["aspect_words"]
    topics = yaml.safe_load((PROJECT_ROOT / "data" / "kiosk.yml").read_text(encoding="utf-8"))["topics"]
    asked = [f"{t['title'].lower()} {phrases[0]}" for t in topics for phrases in words.values()]
    return asked + [strip_diacritics(q) for q in asked]


def bench_unclear(model: Path, heldout: Path) -> None:
    """The figure for the held-out set, and for short everyday questions."""
    lexicon = Lexicon.from_file(PROJECT_ROOT / "data" / "lexicon" / "vi.yml")
    guide = ProcedureGuide(load_catalog(PROJECT_ROOT / "data" / "procedures"), lexicon)
    parse_all = _parser(model)
    print("\n== Bare 'Xin lỗi, tôi chưa hiểu' although a procedure was recognised ==")
    for label, texts in (("held-out set", [e.text for e in load_examples(heldout)]),
                         ("short questions (kiosk topics x aspects)", short_questions())):
        _report(label, texts, parse_all(texts), guide, lexicon)


def _report(label: str, texts: list[str], parsed: list[dict], guide: ProcedureGuide, lexicon: Lexicon) -> None:
    fallbacks = [(t, p) for t, p in zip(texts, parsed) if (p.get("intent") or {}).get("name") == FALLBACK]
    recognised, decisions = [], Counter()
    bare_after: list[str] = []
    for text, p in fallbacks:
        entities = p.get("entities") or []
        if not (procedure_entity(entities) or guide.search(text).is_confident):
            continue
        recognised.append(text)
        decision = decide(text, entities, guide, lexicon, popular=_popular())
        decisions[type(decision).__name__] += 1
        if isinstance(decision, Rephrase):
            bare_after.append(text)
    print(f"{label}: messages {len(texts)}, nlu_fallback {len(fallbacks)}, "
          f"of which a procedure recognised {len(recognised)}")
    print(f"  {'today (every fallback: utter_ask_rephrase)':<44} {len(recognised)}")
    print(f"  {'with bot/core/unclear.py':<44} {len(bare_after)}  "
          f"(offer aspects {decisions[OfferAspects.__name__]}, ask which procedure "
          f"{decisions[AskProcedure.__name__]}, rephrase {decisions[Rephrase.__name__]})")
    for text in bare_after:
        print(f"    still bare: {text}")
