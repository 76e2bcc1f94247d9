"""The dashboard: how the assistant is doing, for every role.

    GET /staff/report?from=YYYY-MM-DD&to=YYYY-MM-DD   figures and charts (default: the last 28 days)
    GET /staff/report.css                             the report's styles (shared with `bot report usage`)

The figures are `bot report usage`'s (`Services.usage_report`, rendered by
`bot.core.usage_output`); a bad date gets the form again with a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.clock import to_local
from bot.core.usage_output import CSS_PATH, figures_html
from bot.core.usage_report import ReportError, parse_period
from bot.web.staff import PREFIX, render
from bot.web.staff.forms import off_loop

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services


class ReportPage:
    def __init__(self, services: "Services"):
        self.services = services

    async def dashboard(self, request: web.Request) -> web.Response:
        first, last = request.query.get("from", "")[:20], request.query.get("to", "")[:20]
        try:
            period = parse_period(first or None, last or None, to_local(self.services.clock()).date())
        except ReportError as exc:
            return render(request, "report.html", {"error": str(exc), "first": first, "last": last,
                                                   "figures": None}, status=400)
        report = await off_loop(self.services.usage_report, period)
        figures = await off_loop(figures_html, report)
        return render(request, "report.html", {"error": None, "first": period.first.isoformat(),
                                               "last": period.last.isoformat(), "figures": figures})

    async def styles(self, request: web.Request) -> web.Response:
        return web.Response(text=CSS_PATH.read_text(encoding="utf-8"), content_type="text/css")


def add_routes(app: web.Application, services: "Services") -> None:
    page = ReportPage(services)
    app.router.add_get(PREFIX + "report", page.dashboard)
    app.router.add_get(PREFIX + "report.css", page.styles)
