"""Procedure pages: search both tiers, see what the assistant answers, mark a curated record checked.

    GET  /staff/procedures?q=...           search curated and published records (the assistant's own matcher)
    GET  /staff/procedures/{code}          the record, and each aspect's answer exactly as the assistant gives it
    POST /staff/procedures/{code}/verify   "Đánh dấu đã kiểm tra hôm nay" (staff, admin)

Everything shown comes from `Services.guide()` (the records the action server
answers from) and `bot.core.answers.answer` through `ProcedureGuide.answer`,
the function the Rasa actions call: nothing here words an answer itself. A
check changes the stored catalog's fingerprint, so the action server answers
with the new date from its next question, without a restart.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.answers import ASPECTS
from bot.core.catalog import PROCEDURE_CODE_RE
from bot.core.clock import to_local
from bot.core.published import PUBLISHED, tier_of
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import account_of, require

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

MAX_QUERY_CHARS = 200
SEARCH_LIMIT = 20
TIER_LABELS = {"curated": "Đã biên soạn", PUBLISHED: "Từ Cổng DVC"}


class ProcedurePages:
    def __init__(self, services: "Services"):
        self.services = services

    def _today(self):
        return to_local(self.services.clock()).date()

    @require("view_procedures")
    async def search(self, request: web.Request) -> web.Response:
        query = " ".join(request.query.get("q", "").split())[:MAX_QUERY_CHARS]

        def found() -> tuple[list[dict], dict[str, int]]:
            guide = self.services.guide()
            records = guide.records()
            counts = {t: sum(1 for r in records if tier_of(r) == t) for t in TIER_LABELS}
            if query:
                rows = [{"code": c.code, "name": c.name, "tier": c.tier, "score": round(c.score),
                         "record": guide.get(c.code)} for c in guide.search(query, limit=SEARCH_LIMIT).candidates]
            else:  # no query: the curated records, the ones staff keep
                rows = [{"code": r.code, "name": r.name, "tier": tier_of(r), "score": None, "record": r}
                        for r in sorted(records, key=lambda r: r.code) if tier_of(r) != PUBLISHED]
            return rows, counts

        rows, counts = await asyncio.to_thread(found)
        return render(request, "procedures.html", {"query": query, "rows": rows, "counts": counts,
                                                   "tier_labels": TIER_LABELS})

    def _code(self, request: web.Request) -> str:
        code = request.match_info["code"]
        if not PROCEDURE_CODE_RE.fullmatch(code):
            raise web.HTTPNotFound()
        return code

    @require("view_procedures")
    async def show(self, request: web.Request) -> web.Response:
        code = self._code(request)
        today = self._today()

        def load():
            guide = self.services.guide()
            record = guide.get(code)
            if record is None:
                return None
            answers = [(label, guide.answer(code, aspect, today=today).pages)
                       for aspect, (_intent, label) in ASPECTS.items()]
            check = self.services.catalog.last_check(code) if tier_of(record) != PUBLISHED else None
            return record, answers, check

        loaded = await asyncio.to_thread(load)
        if loaded is None:
            raise web.HTTPNotFound()
        record, answers, check = loaded
        account = account_of(request)
        return render(request, "procedure.html", {
            "p": record, "tier": tier_of(record), "tier_labels": TIER_LABELS, "answers": answers, "check": check,
            "today": today, "can_change": account.may("change_procedures"),
            "verified": request.query.get("verified") == "1",
            "edited": {"0": 0, "1": 1}.get(request.query.get("edited", "")),
        })

    @require("change_procedures")
    async def verify(self, request: web.Request) -> web.Response:
        code = self._code(request)
        account = account_of(request)
        guide = await asyncio.to_thread(self.services.guide)
        record = guide.get(code)
        if record is None or tier_of(record) == PUBLISHED:
            raise web.HTTPNotFound()
        try:
            await asyncio.to_thread(self.services.catalog.mark_checked, code, self._today(), actor=account.name,
                                    checked_by=account.full_name, at=self.services.clock())
        except KeyError:
            raise web.HTTPNotFound() from None
        raise web.HTTPSeeOther(f"{PREFIX}procedures/{code}?verified=1")


def add_routes(app: web.Application, services: "Services") -> None:
    pages = ProcedurePages(services)
    app.router.add_get(PREFIX + "procedures", pages.search)
    app.router.add_get(PREFIX + "procedures/{code}", pages.show)
    app.router.add_post(PREFIX + "procedures/{code}/verify", pages.verify)
