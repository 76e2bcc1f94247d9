"""`bot nlu check`: what is wrong or doubtful in the NLU training data, for trainers.

Runs over data/nlu/*.yml in a few seconds without Rasa (`bot.nlu.examples`
reads the files with their lines). Examples are compared in the form the
model sees them (`model_form`): folded (no case, marks, punctuation, extra
spaces) with the lexicon's one-word abbreviations written out ("ko" ->
"khong"), as the tokenizer's features do.

Errors (exit code 1, `make test` fails):
- a file or an example that cannot be read (YAML, `- ` lines, entity markup);
- the same example, in the model's form, under two intents: the model cannot
  learn both;
- an intent with fewer than `Limits.min_examples_error` examples.

Warnings (shown, exit code 0):
- the same text written twice in one intent (case, spaces and punctuation
  aside, marks kept); Rasa drops the second copy;
- near duplicates in one intent: `rapidfuzz.fuzz.ratio` of the model's forms at
  least `Limits.near_ratio`, for examples of `Limits.near_min_words` words or
  more (a code counts as one word). Not reported: a question written with and without
  marks or with an abbreviation (same model form: the guide asks for both
  spellings), pairs that differ only in numbers ("chấm 4 sao", "chấm 5 sao"),
  and pairs that differ by one misspelt word (edit distance up to 2: the typo
  variants `bot nlu augment` proposes). Near duplicates under two intents are
  not reported either: "dạ phải" / "đâu phải" is the contrast that teaches them
  apart. Compared intent by intent, so it stays fast (`process.cdist`);
- an intent with fewer than `Limits.min_examples` examples;
- an intent whose share of examples without marks is outside
  `Limits.plain_share` (examples made only of codes, such as a dossier code,
  are not counted);
- a `procedure` span that names no procedure of the catalog: the matcher's best
  name or alias scores below `Limits.span_score` (vague words such as "cấp lại"
  score lower; a keyword only names a topic).

Generated files (`# ... GENERATED` header: data/nlu/short_questions.yml) repeat
templates on purpose and are rewritten by their generator, so duplicates and
near duplicates among their own examples are not reported; everything else is,
including a conflict involving them.

The rules are in `bot.nlu.check_rules` (thresholds: `Limits`), the findings and
their report in `bot.nlu.check_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from bot.core.text import Lexicon, fold
from bot.nlu.check_report import ERROR, Finding, Location, Report
from bot.nlu.check_rules import (
    LIMITS,
    Limits,
    codes_named,
    conflicts,
    duplicates,
    intent_sizes,
    near_duplicates,
    plain_shares,
    unknown_procedures,
)
from bot.nlu.examples import Example, Problem


def model_form(text: str, abbreviations: Lexicon | None = None) -> str:
    """The example as the model's features see it: folded, one-word abbreviations written out."""
    folded = fold(text)
    return abbreviations.expand(folded) if abbreviations else folded


def one_word_abbreviations(lexicon: Lexicon) -> Lexicon:
    """The part of the lexicon the tokenizer applies: abbreviations of one word."""
    return Lexicon(replacements={k: v for k, v in lexicon.replacements.items() if " " not in k})


def check(
    examples: Sequence[Example],
    problems: Sequence[Problem] = (),
    lexicon: Lexicon | None = None,
    span_matcher: Callable[[str], tuple[float, str] | None] | None = None,
    limits: Limits = LIMITS,
) -> Report:
    """Every finding over `examples`. `span_matcher(text)` gives the best catalog
    match of a procedure span as (score, kind of phrase) or None; without it the
    spans are not checked."""
    abbreviations = one_word_abbreviations(lexicon) if lexicon else None
    forms = [model_form(e.text, abbreviations) for e in examples]
    report = Report(
        examples=len(examples),
        files=len({e.path for e in examples} | {p.path for p in problems}),
        intents=len({e.intent for e in examples}),
    )
    report.findings += [
        Finding(ERROR, "format", p.message, (Location(p.path, p.line),)) for p in problems
    ]
    report.findings += conflicts(examples, forms)
    report.findings += intent_sizes(examples, limits)
    report.findings += duplicates(examples)
    report.findings += near_duplicates(examples, [model_form(codes_named(e), abbreviations) for e in examples],
                                       limits)
    report.findings += plain_shares(examples, limits)
    if span_matcher is not None:
        report.findings += unknown_procedures(examples, span_matcher, limits)
    return report


def catalog_span_matcher(matcher) -> Callable[[str], tuple[float, str] | None]:
    """`span_matcher` for `check` from a `bot.core.matching.ProcedureMatcher`."""

    def best(text: str) -> tuple[float, str] | None:
        result = matcher.search(text, limit=1)
        return (result.best.score, result.best.kind) if result.best else None

    return best


def check_dir(nlu_dir: Path, lexicon_path: Path | None = None, catalog_dir: Path | None = None,
              limits: Limits = LIMITS) -> Report:
    """Check every file of `nlu_dir`; spans against the catalog when `catalog_dir` is given.
    Raises `bot.core.catalog.CatalogError` for an invalid catalog."""
    from bot.core.catalog import load_catalog
    from bot.core.matching import ProcedureMatcher
    from bot.nlu.examples import read_dir

    examples, problems = read_dir(nlu_dir)
    lexicon = Lexicon.from_file(lexicon_path) if lexicon_path else None
    span_matcher = None
    if catalog_dir is not None:
        procedures = load_catalog(catalog_dir)
        matcher = ProcedureMatcher(((p.code, p.name, p.aliases, p.keywords) for p in procedures),
                                   lexicon or Lexicon())
        span_matcher = catalog_span_matcher(matcher)
    return check(examples, problems, lexicon, span_matcher, limits)
