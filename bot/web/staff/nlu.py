"""The trainers' inbox in the console: what the assistant got wrong, and adding it to the training data.

    GET  /staff/nlu/inbox?since=YYYY-MM-DD   groups of masked messages, newest first (at most MAX_GROUPS)
    POST /staff/nlu/inbox/add                one group's text with an intent (and a procedure span)

Only trainers and admins (`train_nlu`). The page also has the retraining section
of `nlu_eval.py` (the button and how the last retraining went). Adding does what `bot nlu add` does
(`bot.nlu.add.add_examples`: refused unless `bot nlu check` passes, all or
nothing) in `Settings.nlu_dir` (the repository's data/nlu), then writes an
audit entry; should the entry fail, the files are put back. One add at a time
per process, so two trainers never interleave writes to a file.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.audit import Change
from bot.core.catalog import CatalogError
from bot.core.clock import VN_TZ
from bot.nlu.add import MAX_TEXT_CHARS, AddError, Label, add_examples
from bot.nlu.examples import read_dir
from bot.nlu.inbox import trainer_inbox
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import account_of, require
from bot.web.staff.forms import form_text, off_loop
from bot.web.staff.nlu_eval import RETRAIN_JOB, retrain_context

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

MAX_GROUPS = 200
_WRITING = threading.Lock()


def _since(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0), VN_TZ) if value else None
    except ValueError:
        return None


class NluPages:
    def __init__(self, services: "Services"):
        self.services = services

    @property
    def nlu_dir(self):
        return self.services.settings.nlu_dir

    def _intents(self) -> list[str]:
        examples, _ = read_dir(self.nlu_dir)
        return sorted({e.intent for e in examples if not e.generated})

    async def _page(self, request: web.Request, *, since: str = "", error: list[str] | None = None,
                    done: str | None = None, values: dict | None = None) -> web.Response:
        groups = await off_loop(trainer_inbox, self.services.engine, self.nlu_dir, _since(since))
        intents = await off_loop(self._intents)
        retrain = await off_loop(request.app[RETRAIN_JOB].status)
        return render(request, "nlu_inbox.html", {
            **retrain_context(request), "retrain": retrain, "back": "inbox",
            "groups": groups[:MAX_GROUPS], "total": len(groups), "intents": intents, "since": since if _since(since)
            else "", "error": error, "done": done, "values": values or {}, "max_text": MAX_TEXT_CHARS,
        })

    @require("train_nlu")
    async def inbox(self, request: web.Request) -> web.Response:
        done = None
        added = request.query.get("added", "")
        if added.isdigit() and len(added) < 4:
            done = f"Đã thêm {added} câu mẫu vào dữ liệu huấn luyện. Lần huấn luyện sau sẽ dùng câu này."
        return await self._page(request, since=request.query.get("since", "")[:10], done=done)

    @require("train_nlu")
    async def add(self, request: web.Request) -> web.Response:
        form = await request.post()
        values = {"key": form_text(form, "key", 400), "text": form_text(form, "text", MAX_TEXT_CHARS + 100),
                  "intent": form_text(form, "intent", 100), "procedure": form_text(form, "procedure", 200)}
        since = form_text(form, "since", 10)
        if not values["intent"].strip():
            return await self._page(request, since=since, values=values,
                                    error=["Chọn một ý định cho câu này trước khi thêm."])
        label = Label(values["text"], values["intent"].strip(), values["procedure"])
        try:
            result = await off_loop(self._add, label, account_of(request).name)
        except AddError as exc:
            return await self._page(request, since=since, values=values, error=exc.problems)
        except CatalogError:
            return await self._page(request, since=since, values=values, error=[
                "Danh mục thủ tục đang có lỗi nên chưa kiểm tra được. Báo quản trị viên. Chưa thêm gì."])
        query = f"?added={len(result.added)}" + (f"&since={since}" if _since(since) else "")
        raise web.HTTPSeeOther(f"{PREFIX}nlu/inbox{query}")

    def _add(self, label: Label, actor: str):
        settings = self.services.settings
        with _WRITING:
            before = {p: p.read_bytes() for p in self.nlu_dir.glob("*.yml")}
            result = add_examples(self.nlu_dir, [label], settings.lexicon_path, settings.catalog_dir)
            try:
                self.services.audit.add(actor, [
                    Change("nlu_add", f"{a.path.name}:{a.line}", field=a.intent, new=a.raw) for a in result.added
                ], self.services.clock())
            except Exception:
                for path, data in before.items():
                    if path.read_bytes() != data:
                        path.write_bytes(data)
                raise
            return result


def add_routes(app: web.Application, services: "Services") -> None:
    pages = NluPages(services)
    app.router.add_get(PREFIX + "nlu/inbox", pages.inbox)
    app.router.add_post(PREFIX + "nlu/inbox/add", pages.add)
