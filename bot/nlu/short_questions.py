"""Short everyday questions: "<procedure> + <aspect word>", for testing and for training.

Citizens most often type a procedure's everyday name followed by the shortest ask
("dang ky ket hon can gi", "lam cccd bao lau"). This module builds two sets of
such questions from the catalog (every procedure's name and aliases) and the
lexicon's everyday names:

- `test_set()`: the gate's set (tests/nlu/short_questions.yml), with and without
  diacritics, with common abbreviations and typos. Never used for training.
- `training_set()`: training examples (data/nlu/short_questions.yml) built from
  a disjoint pool of ask phrasings, so the gate measures generalisation to asks
  the model never saw attached to these names.

Both files are committed; `python -m bot.nlu.short_questions` rewrites them and a
test checks the committed files equal what this module produces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from bot.core.catalog import load_catalog
from bot.core.text import fold, nfc
from bot.nlu.examples import plain
from bot.settings import LEXICON, PROJECT_ROOT

CATALOG_DIR = PROJECT_ROOT / "data" / "procedures"
TEST_FILE = PROJECT_ROOT / "tests" / "nlu" / "short_questions.yml"
TRAINING_FILE = PROJECT_ROOT / "data" / "nlu" / "short_questions.yml"

# A catalog's official name is used as a phrasing only when a citizen could type
# it: at most this many words once the part in brackets is dropped.
MAX_NAME_WORDS = 10

INTENTS = (
    "ask_documents", "ask_fee", "ask_processing_time", "ask_location",
    "ask_online", "ask_form", "ask_procedure",
)
# A procedure named with nothing asked ("ket hon", "thủ tục hộ chiếu"): the
# assistant offers its aspects. Without examples of its own, a bare name was
# taken for the nearest short intent (affirm).
NAME_ONLY = "name_procedure"
# Bare names of one half of the phrasings are trained as they are, the other half
# with one of these around them; the test set asks the second half bare.
TRAIN_NAME_ONLY = ("cho hỏi {p}", "{p} ạ", "hỏi về {p}", "{p} nhé")

# "{p}" is the procedure. The first ask of each list is the commonest one and is
# asked of every phrasing, in both spellings; the others take turns.
TEST_ASKS: dict[str, tuple[str, ...]] = {
    "ask_documents": ("{p} cần gì", "{p} cần giấy tờ gì", "{p} cần những gì", "hồ sơ {p} gồm những gì"),
    "ask_fee": ("{p} hết bao nhiêu tiền", "lệ phí {p}", "{p} mất phí không", "{p} bao nhiêu tiền"),
    "ask_processing_time": ("{p} mất bao lâu", "{p} bao lâu thì xong", "{p} mấy ngày", "{p} bao lâu"),
    "ask_location": ("{p} nộp ở đâu", "{p} làm ở đâu", "{p} ở đâu", "{p} đi đâu làm"),
    "ask_online": ("{p} làm online được không", "{p} online được không",
                   "{p} có làm online được không", "nộp {p} qua mạng được không"),
    "ask_form": ("mẫu đơn {p}", "{p} mẫu đơn", "tờ khai {p}", "{p} có mẫu tờ khai không"),
    "ask_procedure": ("thủ tục {p} thế nào", "{p} làm thế nào", "{p} thủ tục ra sao", "các bước {p}"),
}

# Disjoint from TEST_ASKS (a test checks it): training never sees a test ask.
TRAIN_ASKS: dict[str, tuple[str, ...]] = {
    "ask_documents": ("{p} cần chuẩn bị gì", "{p} cần mang theo gì", "{p} phải nộp giấy gì",
                      "giấy tờ {p}", "{p} cần có giấy gì", "{p} hồ sơ gồm gì"),
    "ask_fee": ("{p} tốn bao nhiêu", "phí {p} là bao nhiêu", "{p} có mất tiền không",
                "{p} phải đóng bao nhiêu tiền", "{p} lệ phí bao nhiêu"),
    "ask_processing_time": ("{p} bao lâu có kết quả", "{p} mất mấy ngày", "{p} chờ bao lâu",
                            "{p} bao nhiêu ngày thì xong", "{p} có lâu không"),
    "ask_location": ("{p} đến đâu làm", "{p} làm tại đâu", "{p} nộp hồ sơ chỗ nào",
                     "{p} ở xã hay huyện", "nơi nộp {p}"),
    "ask_online": ("{p} làm trên mạng được không", "{p} nộp trực tuyến được không",
                   "{p} có làm qua vneid được không", "{p} làm trên dịch vụ công được không"),
    "ask_form": ("xin mẫu đơn {p}", "{p} tờ khai mẫu nào", "mẫu tờ khai {p}", "cho mẫu đơn {p}"),
    "ask_procedure": ("{p} làm như thế nào", "{p} phải làm những bước nào", "{p} các bước ra sao",
                      "quy trình {p}", "{p} làm sao", "thủ tục {p} làm sao"),
}

# How citizens shorten or mistype the ask words (folded text, whole words).
_SHORTHANDS = (
    ("khong", "ko"), ("duoc", "dc"), ("bao nhieu", "bn"), ("gi", "j"), ("thu tuc", "tt"),
    ("ho so", "hs"), ("the nao", "ntn"), ("online", "onl"), ("nhieu", "nhiu"), ("giay", "giy"),
    ("khong", "k"),
)

# Words an ask is made of: a procedure entity must never include one of them.
ASPECT_WORDS = frozenset(
    fold(w) for ask in list(TEST_ASKS.values()) + list(TRAIN_ASKS.values())
    for template in ask for w in template.replace("{p}", " ").split()
) | frozenset(short for _, short in _SHORTHANDS)

_BRACKETS = re.compile(r"\([^)]*\)")


def phrasings(catalog_dir: Path = CATALOG_DIR) -> list[str]:
    """Every procedure name short enough to type, every alias: lower case, unique."""
    seen: dict[str, str] = {}
    for proc in load_catalog(catalog_dir):
        name = " ".join(_BRACKETS.sub(" ", proc.name).replace(",", " ").replace(";", " ").split())
        candidates = ([name] if len(name.split()) <= MAX_NAME_WORDS else []) + list(proc.aliases)
        for text in candidates:
            text = nfc(text).lower().strip()
            seen.setdefault(fold(text), text)
    return list(seen.values())


def everyday_names(lexicon: Path = LEXICON) -> list[str]:
    data = yaml.safe_load(lexicon.read_text(encoding="utf-8")) or {}
    return [nfc(str(k)).lower() for k in (data.get("everyday_names") or {})]


def _shorthand(folded_ask: str, turn: int) -> str:
    """Apply one citizen's shorthand to a folded ask, chosen by `turn`, if any applies."""
    words = f" {folded_ask} "
    usable = [(long, short) for long, short in _SHORTHANDS if f" {long} " in words]
    if not usable:
        return folded_ask
    long, short = usable[turn % len(usable)]
    return words.replace(f" {long} ", f" {short} ", 1).strip()


def render(template: str, procedure: str, folded: bool = False, shorthand: int | None = None) -> str:
    """The example with the procedure marked; `folded` drops diacritics, `shorthand`
    (a turn number) also shortens a word of the ask."""
    before, after = template.split("{p}")
    if folded:
        before, after, procedure = fold(before), fold(after), fold(procedure)
        if shorthand is not None:
            before, after = _shorthand(before, shorthand), _shorthand(after, shorthand)
    return " ".join(f"{before} [{procedure}](procedure) {after}".split())


def _test_examples(names: list[str], bare: list[str]) -> Iterator[tuple[str, str]]:
    for i, name in enumerate(names):
        for j, intent in enumerate(INTENTS):
            asks = TEST_ASKS[intent]
            yield intent, render(asks[0], name)
            yield intent, render(asks[0], name, folded=True)
            other = asks[1 + (i + j) % (len(asks) - 1)]
            yield intent, render(other, name, folded=True, shorthand=i + j)
    for name in bare:
        yield NAME_ONLY, render("{p}", name)
        yield NAME_ONLY, render("{p}", name, folded=True)


def _training_examples(names: list[str]) -> Iterator[tuple[str, str]]:
    # Each phrasing is asked three of the seven aspects, in turn with and without
    # diacritics, so every name appears in both spellings. (More examples per
    # phrasing pulled messages of other intents towards the ask_* intents.)
    for i, name in enumerate(names):
        for k in range(3):
            intent = INTENTS[(i + k) % len(INTENTS)]
            asks = TRAIN_ASKS[intent]
            yield intent, render(asks[(i // len(INTENTS) + k) % len(asks)], name, folded=k % 2 == 1)
    for i, name in enumerate(names):
        template = "{p}" if i % 2 == 0 else TRAIN_NAME_ONLY[(i // 2) % len(TRAIN_NAME_ONLY)]
        yield NAME_ONLY, render(template, name, folded=i % 4 >= 2)


def bare_test_names(names: list[str]) -> list[str]:
    """The phrasings the test set asks bare: those trained only with words around them."""
    return names[1::2]


def training_texts(nlu_dir: Path = TRAINING_FILE.parent) -> set[str]:
    """Folded text of every hand-written training example in data/nlu (generated file excluded)."""
    texts = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        if path.name == TRAINING_FILE.name:
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.add(fold(plain(line.strip()[2:])))
    return texts


def _yaml(header: str, examples: Iterable[tuple[str, str]], exclude: set[str] = frozenset()) -> str:
    by_intent: dict[str, list[str]] = {intent: [] for intent in INTENTS + (NAME_ONLY,)}
    seen: set[str] = set()
    for intent, text in examples:
        if text not in seen and fold(plain(text)) not in exclude:
            seen.add(text)
            by_intent[intent].append(text)
    lines = ['version: "3.1"'] + [f"# {line}".rstrip() for line in header.strip().splitlines()] + ["nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"  - intent: {intent}", "    examples: |"] + [f"      - {t}" for t in texts]
    return "\n".join(lines) + "\n"


def test_set() -> str:
    """The text of tests/nlu/short_questions.yml."""
    return _yaml(
        """
Short everyday questions for the NLU gate. GENERATED by bot/nlu/short_questions.py
(`python -m bot.nlu.short_questions`): do not edit by hand. Never used for training;
a test checks that no example, folded, is in data/nlu.
Every catalog name (up to 10 words) and alias, and the lexicon's everyday names,
asked every aspect: the commonest ask with and without diacritics, and one other
ask without diacritics with a citizen's shorthand (ko, dc, bn, j, tt, hs, ntn...).
Half the catalog names and every everyday name also stand alone, in both
spellings (name_procedure: the assistant offers the aspects).
Questions that, folded, are already training examples are left out.
""",
        _test_examples(phrasings() + everyday_names(), bare_test_names(phrasings()) + everyday_names()),
        exclude=training_texts() | {fold(plain(t)) for _, t in _training_examples(phrasings())},
    )


def training_set() -> str:
    """The text of data/nlu/short_questions.yml."""
    return _yaml(
        """
Training examples of the shortest questions: "<procedure> + <aspect>". GENERATED by
bot/nlu/short_questions.py (`python -m bot.nlu.short_questions`): do not edit by hand.
Every catalog name (up to 10 words) and alias, each asked three aspects, in both
spellings, with ask phrasings that the test set (tests/nlu/short_questions.yml)
never uses; and every name with nothing asked (name_procedure), half of them bare.
The [span](procedure) is the procedure only, never an ask word.
""",
        _training_examples(phrasings()),
    )


def main() -> None:
    TEST_FILE.write_text(test_set(), encoding="utf-8")
    TRAINING_FILE.write_text(training_set(), encoding="utf-8")
    print(f"wrote {TEST_FILE.relative_to(PROJECT_ROOT)} and {TRAINING_FILE.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
