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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.text import Lexicon, fold, has_diacritics, nfc
from bot.nlu.examples import Example, Problem

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Limits:
    """Thresholds of the check; the trainers' guide quotes them."""

    near_ratio: float = 92.0  # 0-100, rapidfuzz ratio of the model's forms
    near_min_words: int = 3  # shorter examples are not compared ("dạ vâng", a code alone)
    typo_distance: int = 2  # one word this close to the other is a typo variant
    min_examples: int = 20  # warning below
    min_examples_error: int = 5  # error below
    plain_share: tuple[float, float] = (0.3, 0.7)  # share of examples without marks
    plain_share_min_examples: int = 20  # intents smaller than this are not judged
    span_score: float = 70.0  # matcher score (0-100) a procedure span must reach


LIMITS = Limits()


@dataclass(frozen=True)
class Location:
    path: Path
    line: int
    text: str = ""  # the example as written
    intent: str = ""


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR | WARNING
    kind: str  # a key of KINDS
    message: str  # Vietnamese
    locations: tuple[Location, ...] = ()


# Kinds in report order, with their Vietnamese headings.
KINDS = {
    "format": "Tệp hoặc câu mẫu viết sai định dạng",
    "conflict": "Cùng một câu nằm ở hai ý định khác nhau",
    "few_examples": "Ý định có quá ít câu mẫu",
    "duplicate": "Câu mẫu lặp lại trong cùng ý định",
    "near_duplicate": "Câu mẫu gần giống nhau trong cùng ý định",
    "plain_share": "Tỉ lệ câu không dấu chưa cân đối",
    "unknown_procedure": "Tên thủ tục được đánh dấu nhưng không khớp danh mục",
}


@dataclass
class Report:
    examples: int = 0
    files: int = 0
    intents: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


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
    report.findings += near_duplicates(examples, [model_form(_codes_named(e), abbreviations) for e in examples],
                                       limits)
    report.findings += plain_shares(examples, limits)
    if span_matcher is not None:
        report.findings += unknown_procedures(examples, span_matcher, limits)
    return report


def _location(example: Example) -> Location:
    return Location(example.path, example.line, example.raw, example.intent)


def conflicts(examples: Sequence[Example], forms: Sequence[str]) -> list[Finding]:
    groups: dict[str, list[Example]] = defaultdict(list)
    for example, form in zip(examples, forms):
        if form:
            groups[form].append(example)
    found = []
    for group in groups.values():
        intents = sorted({e.intent for e in group})
        if len(intents) > 1:
            found.append(Finding(
                ERROR, "conflict",
                f"Câu này nằm ở các ý định {', '.join(intents)}. Giữ ở một ý định đúng, xóa ở ý định kia.",
                tuple(_location(e) for e in group),
            ))
    return found


def intent_sizes(examples: Sequence[Example], limits: Limits) -> list[Finding]:
    counts = Counter(e.intent for e in examples)
    first = {}
    for e in examples:
        first.setdefault(e.intent, e)
    found = []
    for intent, count in sorted(counts.items()):
        if count < limits.min_examples_error:
            level, need = ERROR, limits.min_examples_error
        elif count < limits.min_examples:
            level, need = WARNING, limits.min_examples
        else:
            continue
        found.append(Finding(
            level, "few_examples",
            f"Ý định {intent} chỉ có {count} câu mẫu; cần ít nhất {need} câu.",
            (Location(first[intent].path, first[intent].line, intent=intent),),
        ))
    return found


_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[\s.?!…]+$")


def written_form(text: str) -> str:
    """Text as written, case, spacing and final punctuation aside (marks kept)."""
    return _END_PUNCTUATION.sub("", _SPACES.sub(" ", nfc(text).lower())).strip()


def _marks(example: Example) -> tuple[tuple[str, str], ...]:
    return tuple((fold(s.text), s.entity) for s in example.entities)


def duplicates(examples: Sequence[Example]) -> list[Finding]:
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for e in examples:
        groups[(e.intent, written_form(e.text))].append(e)
    found = []
    for (intent, _), group in groups.items():
        if len(group) < 2 or all(e.generated for e in group):
            continue
        hint = "Xóa bớt, chỉ giữ một câu."
        if any(e.generated for e in group):
            hint = "Câu đã có trong tệp sinh tự động: xóa câu viết tay."
        if len({_marks(e) for e in group}) > 1:
            hint += " Chú ý: tên thủ tục được đánh dấu khác nhau."
        found.append(Finding(WARNING, "duplicate", hint, tuple(_location(e) for e in group)))
    return found


_DIGITS = re.compile(r"\d+")


def _typo_pair(a: str, b: str, limits: Limits) -> bool:
    """True when two model forms differ only in numbers, or by one word spelt close to the other."""
    if _DIGITS.sub("0", a) == _DIGITS.sub("0", b):
        return True
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    differ = [(x, y) for x, y in zip(wa, wb) if x != y]
    return len(differ) == 1 and OSA.distance(*differ[0]) <= limits.typo_distance


def _codes_named(example: Example) -> str:
    """The text with each non-procedure entity (a code) replaced by its entity name: two ways of
    writing a dossier code are format variants, not near duplicates."""
    text = example.text
    for span in sorted(example.entities, key=lambda s: -s.start):
        if span.entity != "procedure":
            text = text[:span.start] + span.entity.replace("_", "") + text[span.end:]
    return text


def near_duplicates(examples: Sequence[Example], forms: Sequence[str], limits: Limits) -> list[Finding]:
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, e in enumerate(examples):
        by_intent[e.intent].append(index)
    found = []
    for intent in sorted(by_intent):
        indexes = by_intent[intent]
        texts = [forms[i] for i in indexes]
        # Only hand-written rows are compared: pairs inside generated files are not reported.
        rows = [k for k, i in enumerate(indexes)
                if not examples[i].generated and len(texts[k].split()) >= limits.near_min_words]
        if not rows:
            continue
        scores = process.cdist([texts[k] for k in rows], texts, scorer=fuzz.ratio,
                               score_cutoff=limits.near_ratio, dtype=np.uint8, workers=1)
        for r, col in zip(*np.nonzero(scores)):
            k = rows[r]
            a, b = indexes[k], indexes[col]
            # Each pair once: hand-written pairs from the lower index, hand-generated from the hand side.
            if col == k or (not examples[b].generated and col < k):
                continue
            if (forms[a] == forms[b] or len(forms[b].split()) < limits.near_min_words
                    or _typo_pair(forms[a], forms[b], limits)):
                continue
            found.append(Finding(
                WARNING, "near_duplicate",
                f"Hai câu gần giống nhau (độ giống {int(scores[r, col])}/100): giữ cả hai chỉ khi chúng khác "
                f"nhau về ý.",
                (_location(examples[a]), _location(examples[b])),
            ))
    return found


def _counts_for_marks(example: Example) -> bool:
    """False for an example whose words outside non-procedure entities (codes) are none."""
    text = example.text
    for span in sorted(example.entities, key=lambda s: -s.start):
        if span.entity != "procedure":
            text = text[:span.start] + text[span.end:]
    return any(ch.isalpha() for ch in text)


def plain_shares(examples: Sequence[Example], limits: Limits) -> list[Finding]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        if _counts_for_marks(e):
            by_intent[e.intent].append(e)
    low, high = limits.plain_share
    found = []
    for intent, group in sorted(by_intent.items()):
        if len(group) < limits.plain_share_min_examples:
            continue
        plain = sum(not has_diacritics(e.text) for e in group)
        share = plain / len(group)
        if low <= share <= high:
            continue
        advice = "thêm câu không dấu" if share < low else "thêm câu có dấu"
        found.append(Finding(
            WARNING, "plain_share",
            f"Ý định {intent}: {plain}/{len(group)} câu không dấu ({share:.0%}), nên trong khoảng "
            f"{low:.0%}–{high:.0%}; {advice}.",
            (Location(group[0].path, group[0].line, intent=intent),),
        ))
    return found


def unknown_procedures(
    examples: Sequence[Example], span_matcher: Callable[[str], tuple[float, str] | None], limits: Limits
) -> list[Finding]:
    by_span: dict[str, list[tuple[Example, str]]] = defaultdict(list)
    for e in examples:
        for span in e.entities:
            if span.entity == "procedure" and span.text.strip():
                by_span[fold(span.text)].append((e, span.text))
    found = []
    for folded in sorted(by_span):
        uses = by_span[folded]
        best = span_matcher(uses[0][1])
        if best is not None and best[0] >= limits.span_score and best[1] != "keyword":
            continue
        score = f"điểm khớp cao nhất {best[0]:.0f}/100" if best else "không khớp thủ tục nào"
        found.append(Finding(
            WARNING, "unknown_procedure",
            f"Tên thủ tục \"{uses[0][1]}\" không khớp tên hay tên gọi khác của thủ tục nào trong danh mục "
            f"({score}, cần {limits.span_score:.0f}). Sửa phần đánh dấu, hoặc thêm tên gọi này vào "
            f"`aliases` của thủ tục.",
            tuple(_location(e) for e, _ in uses),
        ))
    return found


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


def render(report: Report, root: Path | None = None, show_warnings: bool = True) -> str:
    """The report in Vietnamese, grouped by kind, errors first, each place as file:line."""
    def place(loc: Location) -> str:
        path = loc.path
        if root is not None:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        where = f"{path}:{loc.line}"
        if loc.text:
            return f"{where}  [{loc.intent}] {loc.text}"
        return where

    lines = [f"Kiểm tra dữ liệu huấn luyện: {report.examples} câu mẫu, {report.intents} ý định, "
             f"{report.files} tệp."]
    for level, title in ((ERROR, "LỖI (phải sửa)"), (WARNING, "CẢNH BÁO (nên xem lại)")):
        if level == WARNING and not show_warnings:
            continue
        chosen = [f for f in report.findings if f.level == level]
        if not chosen:
            continue
        lines += ["", f"{title}: {len(chosen)}"]
        for kind, heading in KINDS.items():
            group = [f for f in chosen if f.kind == kind]
            if not group:
                continue
            lines.append(f"  {heading} ({len(group)}):")
            for finding in group:
                lines.append(f"    - {finding.message}")
                lines += [f"        {place(loc)}" for loc in finding.locations]
    lines += ["", f"Kết quả: {len(report.errors)} lỗi, {len(report.warnings)} cảnh báo."]
    if report.errors:
        lines.append("Sửa các lỗi trên rồi chạy lại `bot nlu check`.")
    return "\n".join(lines)


def locations_text(findings: Iterable[Finding]) -> list[str]:
    """Each finding as one line "file:line text", for test messages."""
    return [" | ".join(f"{l.path.name}:{l.line} {l.text}" for l in f.locations) + f" — {f.message}"
            for f in findings]
