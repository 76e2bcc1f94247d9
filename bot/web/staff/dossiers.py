"""Dossier pages: search by code, a dossier with its history, status updates, apologies, batch upload.

    GET  /staff/dossiers                  search form, links to the late list and the upload
    POST /staff/dossiers/search           search by code (POST: a code never sits in a URL or an access log)
    GET  /staff/dossiers/late             late dossiers, with whether an apology was sent
    GET  /staff/dossiers/{id}             one dossier, its history (who changed it), its apologies
    POST /staff/dossiers/{id}/status      new status with a note (and a new appointment)
    POST /staff/dossiers/{id}/apology     an apology for a late dossier, with the new appointment
    GET  /staff/dossiers/upload           the upload form
    POST /staff/dossiers/upload           stage=preview: every row's change or error; stage=confirm: import

Dossiers are addressed by their row id, never by code, in URLs. Every write goes
through `DossierStore` (`set_status`, `apply`, `send_apology`): the rules and the
notifications to subscribed citizens are those of `bot dossiers set-status` and
`bot dossiers import`, and each change is an audit entry under the staff
member's name, in the same transaction. Only staff and admins see these pages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.clock import to_local
from bot.core.contact import mask_phone
from bot.core.dossiers.batch import MAX_ERRORS_SHOWN, Batch, BatchError, read_batch, sorted_problems
from bot.core.dossiers.planning import CREATE, STALE, UNCHANGED, Plan, changed_fields, shown_value
from bot.core.dossiers.status import STATUS_LABELS, DossierStatus, is_late
from bot.core.dossiers.validation import CSV_FIELDS, OPTIONAL_EXTRA_FIELDS
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import account_of, require
from bot.web.staff.forms import form_text, off_loop

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

MAX_UPLOAD_BYTES = 600 * 1024  # the confirm step sends the file back (base64) under the app's 1 MB body limit
MAX_FIELD_CHARS = 2000
KIND_LABELS = {"create": "Thêm mới", "update": "Cập nhật", "unchanged": "Không đổi",
               "stale": "Cũ hơn dữ liệu đang có, bỏ qua"}
CHANGED_AFTER_PREVIEW = ("Dữ liệu hồ sơ đã thay đổi từ lúc xem trước (có người vừa cập nhật). "
                         "Chưa nhập gì. Bạn xem lại các thay đổi dưới đây rồi bấm nhập lần nữa.")



def _source(request: web.Request) -> str:
    return f"console:{account_of(request).name}"


def plan_fingerprint(plan: Plan) -> str:
    """What a preview showed, to check the confirm step would write exactly that."""
    text = "|".join(f"{c.kind}:{c.after.code}:{','.join(changed_fields(c))}:{c.after.status.value}"
                    for c in plan.changes)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preview_rows(plan: Plan) -> list[dict]:
    rows = []
    for c in plan.changes:
        fields = [] if c.kind in (CREATE, UNCHANGED, STALE) else [
            (f, shown_value(f, getattr(c.before, f)), shown_value(f, getattr(c.after, f)))
            for f in changed_fields(c) if f != "updated_at"]
        rows.append({"where": c.where, "kind": c.kind, "kind_label": KIND_LABELS[c.kind], "code": c.after.code,
                     "before": STATUS_LABELS[c.before.status] if c.before else "",
                     "after": STATUS_LABELS[c.after.status], "fields": fields})
    return rows


class DossierPages:
    def __init__(self, services: "Services"):
        self.services = services

    # --- search ------------------------------------------------------------------

    @require("view_dossiers")
    async def index(self, request: web.Request) -> web.Response:
        return render(request, "dossiers.html", {"query": "", "results": None, "error": None})

    @require("view_dossiers")
    async def search(self, request: web.Request) -> web.Response:
        form = await request.post()
        query = " ".join(form_text(form, "q", 100).split())
        if len(query.replace(" ", "")) < 4:
            return render(request, "dossiers.html", {
                "query": query, "results": None,
                "error": "Gõ mã hồ sơ (ví dụ 000.00.12.H12-250312-0042) hoặc ít nhất 4 ký tự của mã."})
        found = await off_loop(self.services.dossiers.find, query)
        if len(found) == 1:
            raise web.HTTPSeeOther(f"{PREFIX}dossiers/{found[0][0]}")
        now = self.services.clock()
        results = [{"id": i, "d": d, "late": is_late(d, now)} for i, d in found]
        return render(request, "dossiers.html", {"query": query, "results": results, "error": None})

    # --- one dossier ---------------------------------------------------------------------

    def _id(self, request: web.Request) -> int:
        raw = request.match_info["id"]
        if not raw.isdigit() or len(raw) > 12:
            raise web.HTTPNotFound()
        return int(raw)

    async def _page(self, request: web.Request, dossier_id: int, *, error: str | None = None,
                    done: str | None = None, form: dict | None = None) -> web.Response:
        services = self.services

        def load():
            d = services.dossiers.by_id(dossier_id)
            if d is None:
                return None
            names = {a.name: a.full_name for a in services.accounts.all()}
            return (d, services.dossiers.history(d.code), services.dossiers.apologies(d.code),
                    services.dossiers.procedure_name(d.procedure_code), len(services.dossiers.subscribers(d.code)),
                    names)

        loaded = await off_loop(load)
        if loaded is None:
            raise web.HTTPNotFound()
        d, history, apologies, procedure, subscribers, names = loaded
        now = services.clock()
        rows = [{"at": h.changed_at, "old": STATUS_LABELS.get(DossierStatus(h.old_status)) if h.old_status else "",
                 "new": STATUS_LABELS[DossierStatus(h.new_status)], "who": _who(h.source, names),
                 "fields": h.fields} for h in history]
        return render(request, "dossier.html", {
            "id": dossier_id, "d": d, "procedure": procedure, "phone": mask_phone(d.phone), "late": is_late(d, now),
            "history": list(reversed(rows)), "apologies": apologies, "subscribers": subscribers,
            "statuses": [(s.value, STATUS_LABELS[s]) for s in DossierStatus], "error": error, "done": done,
            "form": form or {"status": d.status.value, "note": d.note or "", "due": "", "reason": ""},
            "can_change": account_of(request).may("change_dossiers"),
            "tomorrow": (to_local(now).date()).isoformat(),
        })

    @require("view_dossiers")
    async def show(self, request: web.Request) -> web.Response:
        done = {"status": "Đã lưu thay đổi.", "unchanged": "Không có gì thay đổi.",
                "apology": "Đã ghi thư xin lỗi và ngày hẹn trả mới."}.get(request.query.get("done", ""))
        notified = request.query.get("n", "")
        if done and notified.isdigit() and int(notified):
            done += f" Đã xếp {int(notified)} tin báo cho người dân đang theo dõi hồ sơ."
        return await self._page(request, self._id(request), done=done)

    @require("change_dossiers")
    async def set_status(self, request: web.Request) -> web.Response:
        dossier_id = self._id(request)
        form = await request.post()
        fields = {k: form_text(form, k, MAX_FIELD_CHARS) for k in ("status", "note", "due")}
        d = await off_loop(self.services.dossiers.by_id, dossier_id)
        if d is None:
            raise web.HTTPNotFound()
        if not fields["status"].strip():
            return await self._page(request, dossier_id, error="Chọn một trạng thái.", form={**fields, "reason": ""})
        plan = await off_loop(self.services.dossiers.set_status, d.code, fields["status"], note=fields["note"],
                               due=fields["due"].strip() or None, source=_source(request),
                               actor=account_of(request).name)
        if plan.errors:
            error = " ".join(f"{e.message[:1].upper()}{e.message[1:]}." for _, e in plan.errors)
            return await self._page(request, dossier_id, error=error, form={**fields, "reason": ""})
        (change,) = plan.changes
        outcome = "unchanged" if change.kind == UNCHANGED else "status"
        raise web.HTTPSeeOther(f"{PREFIX}dossiers/{dossier_id}?done={outcome}&n={plan.notifications}")

    @require("change_dossiers")
    async def apology(self, request: web.Request) -> web.Response:
        dossier_id = self._id(request)
        form = await request.post()
        due, reason = form_text(form, "due", 40).strip(), " ".join(form_text(form, "reason", 500).split())
        d = await off_loop(self.services.dossiers.by_id, dossier_id)
        if d is None:
            raise web.HTTPNotFound()
        account = account_of(request)
        if not due:
            plan = Plan()
            error = "Cần chọn ngày hẹn trả mới."
        else:
            plan = await off_loop(self.services.dossiers.send_apology, d.code, due, actor=account.name,
                                   sent_by=account.full_name, reason=reason or None)
            error = " ".join(f"{e.message[:1].upper()}{e.message[1:]}." for _, e in plan.errors)
        if error:
            return await self._page(request, dossier_id, error=error,
                                    form={"status": d.status.value, "note": d.note or "", "due": due,
                                          "reason": reason})
        raise web.HTTPSeeOther(f"{PREFIX}dossiers/{dossier_id}?done=apology&n={plan.notifications}")

    # --- late dossiers --------------------------------------------------------------------

    @require("view_dossiers")
    async def late(self, request: web.Request) -> web.Response:
        late = await off_loop(self.services.dossiers.late)
        now = to_local(self.services.clock()).date()
        rows = [{"id": item.id, "d": item.dossier, "apology": item.apology,
                 "days": (now - to_local(item.dossier.missed_due_at or item.dossier.due_at).date()).days}
                for item in late]
        return render(request, "dossiers_late.html", {
            "rows": rows, "without_apology": sum(1 for r in rows if r["apology"] is None)})

    # --- batch upload ----------------------------------------------------------------------

    def _upload_page(self, request: web.Request, **context) -> web.Response:
        page = {"error": None, "problems": [], "more": 0, "rows": [], "counts": None, "done": None,
                "content": "", "filename": "", "fingerprint": "", "notice": None,
                "columns": CSV_FIELDS, "extra_columns": OPTIONAL_EXTRA_FIELDS, "max_kb": MAX_UPLOAD_BYTES // 1024}
        page.update(context)
        return render(request, "dossiers_upload.html", page)

    @require("change_dossiers")
    async def upload_form(self, request: web.Request) -> web.Response:
        return self._upload_page(request)

    @require("change_dossiers")
    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        stage = form.get("stage")
        if stage == "confirm":
            name = form_text(form, "filename", 200) or "tep"
            try:
                raw = base64.b64decode(form_text(form, "content", 2 * MAX_UPLOAD_BYTES), validate=True)
            except (binascii.Error, ValueError):
                raise web.HTTPBadRequest() from None
        else:
            upload = form.get("file")
            if not isinstance(upload, web.FileField) or not upload.filename:
                return self._upload_page(request, error="Bạn chưa chọn tệp. Chọn một tệp .csv hoặc .xlsx rồi bấm Xem trước.")
            name = upload.filename[-200:]
            raw = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            return self._upload_page(request, error=f"Tệp {name} lớn quá (tối đa {MAX_UPLOAD_BYTES // 1024} KB). "
                                                    "Hãy chia thành nhiều tệp nhỏ hơn. Chưa nhập gì.")
        if not raw:
            return self._upload_page(request, error=f"Tệp {name} trống. Chưa nhập gì.")
        try:
            batch = await off_loop(read_batch, raw, name)
        except BatchError as exc:
            return self._upload_page(request, error=f"{exc} Chưa nhập gì.")
        dossiers = self.services.dossiers
        source = f"{_source(request)} import:{name}"
        plan = await off_loop(dossiers.apply, batch.records, source, dry_run=True)
        if batch.problems or plan.errors:
            return self._with_problems(request, name, batch, plan)
        fingerprint = plan_fingerprint(plan)
        if stage != "confirm" or fingerprint != form.get("fingerprint"):
            return self._upload_page(
                request, rows=preview_rows(plan), counts=_counts(plan), filename=name, fingerprint=fingerprint,
                content=base64.b64encode(raw).decode("ascii") if plan.writes else "",
                notice=CHANGED_AFTER_PREVIEW if stage == "confirm" else None)
        written = await off_loop(dossiers.apply, batch.records, source, actor=account_of(request).name)
        if written.errors:  # someone changed the same dossiers in between: nothing was written
            return self._with_problems(request, name, batch, written)
        return self._upload_page(request, done={"name": name, "summary": _counts(written),
                                                "notifications": written.notifications},
                                 rows=preview_rows(written))

    def _with_problems(self, request: web.Request, name: str, batch: Batch, plan: Plan) -> web.Response:
        problems = sorted_problems(batch.problems + batch.plan_errors(plan))
        shown = problems[:MAX_ERRORS_SHOWN]
        return self._upload_page(request, error=f"Tệp {name} có lỗi. Chưa nhập gì: sửa tệp rồi tải lên lại.",
                                 problems=shown, more=len(problems) - len(shown))


def _counts(plan: Plan) -> str:
    """"1 thêm mới, 2 cập nhật"."""
    return ", ".join(f"{plan.count(kind)} {label.lower()}" for kind, label in KIND_LABELS.items() if plan.count(kind))


def _who(source: str, names: dict[str, str]) -> str:
    """The history's source as staff read it: a person's full name for console changes."""
    for prefix, label in (("console:", "Trang quản lý"), ("apology:", "Thư xin lỗi")):
        if source.startswith(prefix):
            name, _, rest = source[len(prefix):].partition(" ")
            who = names.get(name, name)
            return f"{label}: {who}" + (f" ({rest})" if rest else "")
    if source.startswith("import:"):
        return f"Nhập tệp {source[len('import:'):]} (lệnh bot)"
    return {"cli": "Lệnh bot dossiers", "api": "Phần mềm một cửa (API)", "demo": "Dữ liệu mẫu"}.get(source, source)


def add_routes(app: web.Application, services: "Services") -> None:
    pages = DossierPages(services)
    r = app.router
    r.add_get(PREFIX + "dossiers", pages.index)
    r.add_post(PREFIX + "dossiers/search", pages.search)
    r.add_get(PREFIX + "dossiers/late", pages.late)
    r.add_get(PREFIX + "dossiers/upload", pages.upload_form)
    r.add_post(PREFIX + "dossiers/upload", pages.upload)
    r.add_get(PREFIX + "dossiers/{id}", pages.show)
    r.add_post(PREFIX + "dossiers/{id}/status", pages.set_status)
    r.add_post(PREFIX + "dossiers/{id}/apology", pages.apology)
