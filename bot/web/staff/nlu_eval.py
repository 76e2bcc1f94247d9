"""The model's evaluation reports in the console, and retraining from there.

    GET  /staff/nlu/eval                   the latest `bot nlu eval` report, and the retraining section
    GET  /staff/nlu/eval/NAME              an earlier report (NAME: nlu-eval-YYYYMMDD-HHMMSS)
    GET  /staff/nlu/eval/NAME/tep          that report as the file `bot nlu eval` wrote (to keep or print)
    GET  /staff/nlu/eval.css               the reports' styles
    POST /staff/nlu/retrain                start `bot nlu eval --train --switch` in the background

Only trainers and admins (`train_nlu`). Reports are read from
`Settings.nlu_report_dir`; the job (`bot.nlu.retrain.RetrainJob`, one at a
time) runs `Settings.nlu_retrain_command` when set (tests give a command that
never trains), and is kept under the app key `RETRAIN_JOB`. While it runs, the
report page reloads itself every RELOAD_SECONDS to show the result.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from markupsafe import Markup

from bot.core.audit import Change
from bot.core.clock import VN_TZ
from bot.nlu.eval_report import CSS_PATH, REPORT_NAME, report_body, stored_reports
from bot.nlu.retrain import RetrainJob
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import account_of, require
from bot.web.staff.forms import form_text, off_loop

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

logger = logging.getLogger(__name__)

RETRAIN_JOB = web.AppKey("nlu_retrain_job", RetrainJob)
RELOAD_SECONDS = 15
RECENT_REPORTS = 10
BACK_TO = {"eval": PREFIX + "nlu/eval", "inbox": PREFIX + "nlu/inbox"}
NOTICES = {
    "started": ("done", "Đã bắt đầu huấn luyện lại. Việc này mất vài phút; trang này tự tải lại để báo kết quả."),
    "busy": ("notice", "Đang có một lần huấn luyện lại chưa xong. Chờ lần đó xong rồi hãy bấm lại."),
    "error": ("error", "Chưa bắt đầu được: máy chủ không ghi được vào thư mục báo cáo. Báo quản trị viên."),
}


def report_time(name: str) -> str:
    """`nlu-eval-20260301-090000` as `01/03/2026 09:00`."""
    try:
        return dt.datetime.strptime(name.removeprefix("nlu-eval-"), "%Y%m%d-%H%M%S").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return name


def retrain_context(request: web.Request) -> dict:
    """What the retraining section needs: the job's status and the notice after a press."""
    return {"notice": NOTICES.get(request.query.get("retrain", "")), "report_time": report_time}


class EvalPages:
    def __init__(self, services: "Services", job: RetrainJob):
        self.services = services
        self.job = job

    @property
    def report_dir(self):
        return self.services.settings.nlu_report_dir

    def _read(self, name: str | None) -> tuple[str | None, str, list[str]]:
        """(the report's name, its body, the recent reports' names, newest first); name None: the latest."""
        names = [p.stem for p in stored_reports(self.report_dir)] if self.report_dir.is_dir() else []
        if name is None:
            name = names[-1] if names else None
        elif name not in names:
            raise web.HTTPNotFound()
        body = ""
        if name is not None:
            try:
                body = report_body((self.report_dir / f"{name}.html").read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                logger.warning("unreadable eval report %s", name)
        return name, body, names[::-1][:RECENT_REPORTS]

    async def _page(self, request: web.Request, name: str | None) -> web.Response:
        name, body, recent = await off_loop(self._read, name)
        status = await off_loop(self.job.status)
        return render(request, "nlu_eval.html", {
            **retrain_context(request), "retrain": status, "back": "eval", "name": name, "recent": recent,
            "body": Markup(body), "reload": RELOAD_SECONDS if status and status.running else None,
            "reload_url": request.path,  # without ?retrain=…: the notice of the press is not shown again
        })

    @require("train_nlu")
    async def latest(self, request: web.Request) -> web.Response:
        return await self._page(request, None)

    @require("train_nlu")
    async def one(self, request: web.Request) -> web.Response:
        return await self._page(request, request.match_info["name"])

    @require("train_nlu")
    async def download(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.report_dir / f"{name}.html"
        if not REPORT_NAME.fullmatch(name) or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Content-Type": "text/html; charset=utf-8",
                                               "Content-Disposition": f'attachment; filename="{name}.html"'})

    @require("train_nlu")
    async def styles(self, request: web.Request) -> web.Response:
        return web.Response(text=CSS_PATH.read_text(encoding="utf-8"), content_type="text/css")

    @require("train_nlu")
    async def retrain(self, request: web.Request) -> web.Response:
        form = await request.post()
        back = BACK_TO.get(form_text(form, "back", 10), BACK_TO["eval"])
        actor = account_of(request).name
        try:
            started = await off_loop(self.job.start, actor)
        except OSError:
            logger.exception("retraining: cannot write %s", self.job.report_dir)
            raise web.HTTPSeeOther(f"{back}?retrain=error") from None
        if not started:
            raise web.HTTPSeeOther(f"{back}?retrain=busy")
        try:
            await off_loop(self.services.audit.add, actor, [Change("nlu_retrain", "models/tthc.tar.gz")],
                           self.services.clock())
        except Exception:  # noqa: BLE001 - the job runs already; the log keeps what the audit could not
            logger.exception("retraining started by %s: the audit entry was not written", actor)
        raise web.HTTPSeeOther(f"{back}?retrain=started")


def add_routes(app: web.Application, services: "Services") -> None:
    settings = services.settings
    job = app.get(RETRAIN_JOB) or RetrainJob(settings.nlu_report_dir, settings.nlu_retrain_command, services.clock)
    app[RETRAIN_JOB] = job
    pages = EvalPages(services, job)
    name = r"{name:nlu-eval-\d{8}-\d{6}}"
    app.router.add_get(PREFIX + "nlu/eval", pages.latest)
    app.router.add_get(PREFIX + "nlu/eval.css", pages.styles)
    app.router.add_get(PREFIX + "nlu/eval/" + name, pages.one)
    app.router.add_get(PREFIX + "nlu/eval/" + name + "/tep", pages.download)
    app.router.add_post(PREFIX + "nlu/retrain", pages.retrain)
