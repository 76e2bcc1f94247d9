"""Decide which procedure a question is about, and answer it.

`ProcedureGuide` is built from a list of catalog records and a lexicon. Given
the words naming a procedure (the NLU entity, or the whole message) and the
procedure already under discussion, `resolve` returns one of three outcomes:
answer a procedure, let the citizen choose among close candidates, or say
plainly that nothing in the catalog matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from bot.core.answers import Answer, answer
from bot.core.catalog import Procedure
from bot.core.match_result import Candidate, MatchResult
from bot.core.matching import ProcedureMatcher
from bot.core.published import tier_of
from bot.core.text import Lexicon

# A follow-up ("thế lệ phí?") keeps the current procedure unless the message
# names another one at least this clearly.
SWITCH_SCORE = 78.0
CHOICES_PER_PAGE = 3


@dataclass(frozen=True)
class Resolution:
    """`kind` is "answer" (code set), "choose" (candidates set) or "no_match"."""

    kind: str
    code: str | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


class ProcedureGuide:
    def __init__(self, procedures: Iterable[Procedure], lexicon: Lexicon):
        self._by_code = {p.code: p for p in procedures}
        self.matcher = ProcedureMatcher(
            ((p.code, p.name, p.aliases, p.keywords, tier_of(p)) for p in self._by_code.values()), lexicon
        )

    def __len__(self) -> int:
        return len(self._by_code)

    def records(self) -> list:
        """Every record the guide answers from, both tiers."""
        return list(self._by_code.values())

    def get(self, code: str | None) -> Procedure | None:
        return self._by_code.get(code or "")

    def search(self, text: str, limit: int = 5) -> MatchResult:
        return self.matcher.search(text, limit=limit)

    def resolve(
        self,
        message: str,
        entity_text: str | None = None,
        current_code: str | None = None,
    ) -> Resolution:
        """Pick the procedure a message is about.

        The entity span, when the NLU found one, is matched first; otherwise the
        whole message. With a procedure already under discussion and no clear new
        name, the conversation stays on it.
        """
        current = self.get(current_code)
        by_entity = self.search(entity_text, limit=9) if entity_text and entity_text.strip() else MatchResult(())
        by_message = self.search(message, limit=9)
        if by_entity.candidates and by_entity.is_confident:
            # The NLU's span can be cut badly ("gplx mất" of "đổi gplx mất bao
            # lâu"): a whole message that clearly names another procedure at
            # least as strongly wins.
            if not (
                by_message.candidates
                and by_message.is_confident
                and by_message.best.code != by_entity.best.code
                and by_message.best.score >= by_entity.best.score
            ):
                return Resolution("answer", code=by_entity.best.code)
        # The entity span may be shorter than what the citizen said ("khai sinh"
        # of "làm lại giấy khai sinh"): the whole message can settle it.
        if by_message.candidates and by_message.is_confident and (
            current is None or by_message.best.score >= SWITCH_SCORE or by_entity.candidates
        ):
            return Resolution("answer", code=by_message.best.code)
        if by_entity.candidates:
            return Resolution("choose", candidates=by_entity.choices())
        if current is not None:
            return Resolution("answer", code=current.code)
        if by_message.candidates:
            return Resolution("choose", candidates=by_message.choices())
        return Resolution("no_match")

    def answer(self, code: str, aspect: str, today: dt.date | None = None) -> Answer:
        procedure = self.get(code)
        if procedure is None:
            raise KeyError(code)
        return answer(procedure, aspect, today=today)

    def page_of_choices(self, codes: Sequence[str], offset: int) -> list[Procedure]:
        """The next page of candidate procedures, for buttons."""
        return [p for c in codes[offset : offset + CHOICES_PER_PAGE] if (p := self.get(c))]
