"""Feedback pages: the inbox, a ticket, answering it, revealing a contact with a reason.

    GET  /staff/feedback?status=received|answered&page=N   tickets, newest first, 20 a page
    GET  /staff/feedback/{ticket}                          one ticket, its contact masked
    POST /staff/feedback/{ticket}/answer                   answer (queued to the citizen's channel)
    POST /staff/feedback/{ticket}/reveal                   the whole contact, after a typed reason

An answer goes through `FeedbackStore.answer`, as `bot feedback answer` does: the
citizen on Telegram or Zalo gets it through the outbox. The whole contact is
shown only in the answer to a reveal POST (never in a URL, never cached), and
only after its audit entry (who, when, ticket, reason) is committed. Only staff
and admins see these pages.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.contact import mask_contact
from bot.core.feedback import ANSWERED, FEEDBACK_STATUS_LABELS, RECEIVED, FeedbackError, clean_reveal_reason, \
    normalize_ticket
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import account_of, require
from bot.web.staff.forms import form_text, off_loop

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

PAGE_SIZE = 20
MAX_ANSWER_INPUT = 5000
FILTERS = {"": "Tất cả", RECEIVED: "Chưa trả lời", ANSWERED: "Đã trả lời"}



class FeedbackPages:
    def __init__(self, services: "Services"):
        self.services = services

    @require("view_feedback")
    async def inbox(self, request: web.Request) -> web.Response:
        status = request.query.get("status", "")
        if status not in FILTERS:
            status = ""
        raw_page = request.query.get("page", "1")
        page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 1
        store = self.services.feedback
        total = await off_loop(store.count, status or None)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        tickets = await off_loop(store.list, status or None, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        waiting = total if status == RECEIVED else await off_loop(store.count, RECEIVED)
        return render(request, "feedback.html", {
            "tickets": tickets, "status": status, "filters": FILTERS, "page": page, "pages": pages, "total": total,
            "waiting": waiting, "mask": mask_contact,
        })

    def _ticket(self, request: web.Request) -> str:
        ticket = normalize_ticket(request.match_info["ticket"])
        if ticket is None:
            raise web.HTTPNotFound()
        return ticket

    async def _page(self, request: web.Request, ticket: str, *, error: str | None = None, done: str | None = None,
                    answer: str = "", revealed: str | None = None, reason: str = "",
                    reveal_error: str | None = None) -> web.Response:
        found = await off_loop(self.services.feedback.get, ticket)
        if found is None:
            raise web.HTTPNotFound()
        return render(request, "ticket.html", {
            "t": found, "contact": mask_contact(found.contact), "revealed": revealed, "error": error, "done": done,
            "answer": answer, "reason": reason, "reveal_error": reveal_error,
            "status_labels": FEEDBACK_STATUS_LABELS, "can_answer": account_of(request).may("answer_feedback"),
        })

    @require("view_feedback")
    async def show(self, request: web.Request) -> web.Response:
        done = None
        if request.query.get("done") == "answered":
            done = "Đã lưu câu trả lời."
            if request.query.get("sent") == "1":
                done += " Câu trả lời sẽ được gửi cho người dân qua kênh họ đã dùng."
            else:
                done += " Kênh này không gửi tin được; người dân xem được khi hỏi lại số phiếu."
        return await self._page(request, self._ticket(request), done=done)

    @require("answer_feedback")
    async def answer(self, request: web.Request) -> web.Response:
        ticket = self._ticket(request)
        form = await request.post()
        text = form_text(form, "answer", MAX_ANSWER_INPUT)
        try:
            _, queued = await off_loop(self.services.feedback.answer, ticket, text,
                                        actor=account_of(request).name)
        except FeedbackError as exc:
            return await self._page(request, ticket, error=str(exc), answer=text)
        raise web.HTTPSeeOther(f"{PREFIX}feedback/{ticket}?done=answered&sent={int(queued)}")

    @require("answer_feedback")
    async def reveal(self, request: web.Request) -> web.Response:
        ticket = self._ticket(request)
        form = await request.post()
        typed = form_text(form, "reason", 1000)
        try:
            reason = clean_reveal_reason(typed)
            contact = await off_loop(self.services.feedback.reveal_contact, ticket,
                                      actor=account_of(request).name, reason=reason)
        except FeedbackError as exc:
            if await off_loop(self.services.feedback.get, ticket) is None:
                raise web.HTTPNotFound() from None
            return await self._page(request, ticket, reveal_error=str(exc), reason=typed)
        return await self._page(request, ticket, revealed=contact or "không để lại")


def add_routes(app: web.Application, services: "Services") -> None:
    pages = FeedbackPages(services)
    r = app.router
    r.add_get(PREFIX + "feedback", pages.inbox)
    r.add_get(PREFIX + "feedback/{ticket}", pages.show)
    r.add_post(PREFIX + "feedback/{ticket}/answer", pages.answer)
    r.add_post(PREFIX + "feedback/{ticket}/reveal", pages.reveal)
