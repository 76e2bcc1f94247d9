"""What to say when the NLU is unsure of the intent but understood part of the question.

Pure: `decide` looks at the message, its entities and the procedure guide, and
returns one of three next steps instead of a bare "I did not understand":

- `OfferAspects(code)`: a procedure is recognised (a `procedure` entity, or one
  confident match for the words of the message, or a most asked procedure as the
  best of close matches): name it and offer its aspects;
- `AskProcedure(aspect, codes)`: an aspect word is recognised ("can gi", "het bao
  nhieu tien", "mat bao lau", from data/lexicon/vi.yml aspect_words) but no
  procedure: ask which one, offering `codes` (the procedure under discussion, the
  close candidates, then the most asked ones); with no aspect word but close
  candidates for a procedure, offer those;
- `Rephrase()`: neither, so ask to rephrase as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence, Union

from bot.core.guide import ProcedureGuide, Resolution
from bot.core.text import Lexicon, fold, normalize_query

# A question cut to this many characters is enough to recognise a procedure.
MAX_CHARS = 300


@dataclass(frozen=True)
class OfferAspects:
    """Name the procedure and offer its aspects; `aspect`, if recognised, goes first."""

    code: str
    aspect: str | None = None


@dataclass(frozen=True)
class AskProcedure:
    """Ask which of `codes` the question is about; `aspect` (None when only close
    candidates were recognised) is answered once one is chosen."""

    aspect: str | None
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Rephrase:
    """Nothing recognised: ask to rephrase (then offer a person)."""


Decision = Union[OfferAspects, AskProcedure, Rephrase]


def procedure_entity(entities: Iterable[Mapping] | None) -> str | None:
    """The first `procedure` entity value of a parsed message, if any."""
    for entity in entities or []:
        if entity.get("entity") == "procedure" and str(entity.get("value") or "").strip():
            return str(entity["value"])
    return None


def decide(
    text: str,
    entities: Iterable[Mapping] | None,
    guide: ProcedureGuide,
    lexicon: Lexicon,
    popular: Sequence[str] = (),
    current_code: str | None = None,
) -> Decision:
    """The next step for a message the NLU fell back on (see the module docstring)."""
    aspect, rest = lexicon.find_aspect(normalize_query((text or "")[:MAX_CHARS], lexicon))
    entity = procedure_entity(entities)
    if entity:
        # An aspect word tagged as (part of) the procedure ("can gi") names nothing.
        entity = lexicon.find_aspect(normalize_query(entity, lexicon))[1] or None
    candidates: tuple[str, ...] = ()
    if rest or entity:
        resolution = guide.resolve(rest, entity_text=entity)
        if resolution.kind == "answer" and resolution.code:
            return OfferAspects(resolution.code, aspect)
        candidates = tuple(c.code for c in resolution.candidates)
        # Among close candidates ("ket hon": kết hôn, kết hôn có yếu tố nước
        # ngoài, ...) the best one, when it is also one of the most asked, is meant.
        # A lone weak candidate is no such choice ("cap giay phep nhap khau thuoc"
        # only brushes Đăng ký thường trú): it stays a button to pick, not the answer.
        if len(candidates) > 1 and candidates[0] in popular:
            return OfferAspects(candidates[0], aspect)
    if aspect is None:
        # A procedure half recognised: let the citizen pick among the close ones.
        return AskProcedure(None, _known(guide, candidates)) if candidates else Rephrase()
    return AskProcedure(aspect, _known(guide, (current_code, *candidates, *popular)))


def names_nothing(text: str, lexicon: Lexicon) -> bool:
    """True when the message is only aspect words and filler ("can gi", "het bao
    nhieu tien"): it cannot name a procedure, so asking which one is the next step."""
    rest = lexicon.find_aspect(normalize_query((text or "")[:MAX_CHARS], lexicon))[1]
    return not lexicon.drop_fillers(rest).strip()


def _known(guide: ProcedureGuide, codes: Iterable[str | None]) -> tuple[str, ...]:
    """The codes in the catalog, in order, each once."""
    seen: list[str] = []
    for code in codes:
        if code and code not in seen and guide.get(code) is not None:
            seen.append(code)
    return tuple(seen)


# Words of a complaint or a suggestion: a message holding one is feedback even when it
# names a procedure ("phản ánh việc làm căn cước bị chậm").
FEEDBACK_WORDS = (
    "phan anh", "kien nghi", "gop y", "phan nan", "than phien", "khieu nai", "to cao", "y kien", "phan hoi",
    "hai long", "cham tre", "tre hen", "hen lai", "cham qua", "bi cham", "giai quyet cham", "lam cham",
    "thai do", "hach dich", "nhung nhieu", "doi tien", "bi tra lai", "can bo",
)
# Words that ask for a procedure: with one of them, a message the catalog cannot place is
# still a procedure question ("đăng ký nhãn hiệu"), answered "not found", not out of scope.
PROCEDURE_WORDS = (
    "thu tuc", "dang ky", "cap giay", "cap lai", "cap doi", "cap phep", "xin cap", "xin giay", "giay phep",
    "gia han", "chung chi", "chung nhan", "ho so",
)
_FEEDBACK_RE = re.compile(r"\b(" + "|".join(FEEDBACK_WORDS) + r")\b")
_PROCEDURE_RE = re.compile(r"\b(" + "|".join(PROCEDURE_WORDS) + r")\b")


def procedure_question(text: str, guide: ProcedureGuide, lexicon: Lexicon) -> Resolution | None:
    """How to answer a message the NLU took for out of scope or for feedback, when it is in
    fact a question about a procedure; None when it is not one (keep the NLU's reading).

    - one procedure, confidently: answer it;
    - a message worded as a procedure request ("đăng ký …", "cấp giấy phép …"): the
      candidates to choose from, or not found;
    - a complaint or suggestion (FEEDBACK_WORDS) is never taken for a question.
    """
    folded = fold((text or "")[:MAX_CHARS])
    if not folded or _FEEDBACK_RE.search(folded):
        return None
    rest = lexicon.find_aspect(normalize_query(folded, lexicon))[1]
    if not rest:
        return None
    resolution = guide.resolve(rest)
    if resolution.kind == "answer":
        return resolution
    if _PROCEDURE_RE.search(folded) or _PROCEDURE_RE.search(rest):
        return resolution
    return None
