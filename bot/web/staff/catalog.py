"""Keeping curated records current: edit one in a form, update many from a spreadsheet, export, staleness board.

    GET  /staff/procedures/{code}/edit     the edit form (staff, admin)
    POST /staff/procedures/{code}/edit     the diff preview (field: old → new), or the form again with errors
    POST /staff/procedures/{code}/edit/again  "Sửa tiếp": the form again with what was typed, from a preview
    POST /staff/catalog/save               save a previewed change (one record or a whole file) with a reason
    GET  /staff/catalog/files              upload form, layout, downloads
    POST /staff/catalog/import             the diff preview of an uploaded .xlsx / .csv file
    GET  /staff/catalog/export.xlsx|.csv   the curated records (also the template to upload)
    GET  /staff/catalog/export-yaml.zip    the curated records as data/procedures YAML files
    GET  /staff/catalog/stale?days=N       the staleness board (its most-asked list: the stored conversations
                                           of the last 30 days, `Services.procedures_asked`)

Texts are laid out by `bot.core.record_fields` and read and checked by
`bot.core.record_reading` (the catalog's own model validates); nothing here
has rules of its own. A preview carries what it would save as one hidden JSON
field, with the version of each record it was made from; saving reads and checks it all again and the store refuses a record
changed since (`StaleEdits`), showing the values now stored. A save changes
the stored catalog's fingerprint, so the action server answers from the new
record at its next question, without a restart or retraining.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import zipfile
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.catalog import ASPECTS, catalog_files, end_dates_mentioned, field_files
from bot.core.clock import to_local
from bot.core.published import PUBLISHED, tier_of
from bot.core.record_fields import BY_KEY, CODE_KEY, COLUMNS, KEYS, RecordProblems, changes, to_texts, version
from bot.core.record_reading import from_texts
from bot.core.record_sheet import guide_rows, plan_sheet, sheet_rows
from bot.core.spreadsheet import MAX_UPLOAD_BYTES, SheetError, read_table, safe_row, xlsx_bytes
from bot.core.staleness import stale_records
from bot.core.usage_report import Period
from bot.db.catalog_store import Edit, StaleEdits
from bot.web.staff import PREFIX, error_page, render
from bot.web.staff.auth import account_of, require
from bot.web.staff.forms import form_text
from bot.web.staff.procedures import TIER_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

MAX_REASON_CHARS = 500
MAX_TEXT_CHARS = 20_000
MAX_PAYLOAD_CHARS = 1_000_000  # a preview's hidden payload: every changed record of a file (the body limit is 1 MB)
MAX_DAYS = 3650
FILES = PREFIX + "catalog/files"
SOON_DAYS = 90  # end dates this close are on the board
ASKED_DAYS = 30  # the board's most-asked procedures are counted over this many days, today included
ASKED_TOP = 20
BAD_PAYLOAD = ("Dữ liệu xem trước không đọc được",
               "Trang xem trước đã cũ hoặc bị sửa. Bạn làm lại từ đầu nhé. Chưa lưu gì.")


def _day(services: "Services") -> dt.date:
    return to_local(services.clock()).date()


class CatalogPages:
    def __init__(self, services: "Services"):
        self.services = services

    async def _run(self, fn, *args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def _curated(self) -> dict:
        return {p.code: p for p in await self._run(self.services.catalog.all_procedures)}

    async def _record(self, request: web.Request):
        code = request.match_info["code"]
        record = (await self._curated()).get(code)
        if record is None:  # published-only or unknown codes have nothing to edit
            raise web.HTTPNotFound()
        return record

    # --- one record --------------------------------------------------------------------

    def _form_page(self, request, record, texts, problems=(), status=200):
        by_key = {}
        for p in problems:
            by_key.setdefault(p.key, []).append(p.message)
        return render(request, "record_edit.html", {
            "p": record, "texts": texts, "columns": [c for c in COLUMNS if c.key != CODE_KEY],
            "problems": by_key, "version": version(record), "aspects": ASPECTS,
            "chosen": set(texts.get("chua_kiem_chung", "").split()),
        }, status=status)

    @require("change_procedures")
    async def edit_form(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        return self._form_page(request, record, to_texts(record))

    @require("change_procedures")
    async def preview_edit(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        form = await request.post()
        texts = {c.key: _field(form, c.key) for c in COLUMNS if c.key != CODE_KEY}
        texts["chua_kiem_chung"] = "\n".join(v for v in form.getall("chua_kiem_chung", []) if isinstance(v, str))
        if form.get("version") != version(record):
            return self._stale_page(request, {record.code: record}, {record.code: texts})
        try:
            new = from_texts(record, texts)
        except RecordProblems as bad:
            return self._form_page(request, record, texts, bad.problems, status=400)
        diff = changes(record, new)
        payload = _payload_of([(record, texts, diff)])
        return self._preview(request, [(record, diff)], payload, f"{PREFIX}procedures/{record.code}")

    @require("change_procedures")
    async def keep_editing(self, request: web.Request) -> web.Response:
        """"Sửa tiếp" on a one-record preview: the form again with what was typed (the preview's payload)."""
        record = await self._record(request)
        form = await request.post()
        payload = _payload(form_text(form, "payload", MAX_PAYLOAD_CHARS))
        if payload is None or set(payload) != {record.code}:
            return error_page(request, 400, *BAD_PAYLOAD)
        typed = payload[record.code]
        if typed["version"] != version(record):
            return self._stale_page(request, {record.code: record}, {record.code: typed["texts"]})
        return self._form_page(request, record, {**to_texts(record), **typed["texts"]})

    def _preview(self, request, items, payload, back: str, error: str | None = None, reason: str = "",
                 status: int = 200):
        one = back.removeprefix(f"{PREFIX}procedures/") if back != FILES else None  # "Sửa tiếp" goes back there
        return render(request, "record_changes.html", {
            "items": items, "payload": json.dumps(payload, ensure_ascii=False), "back": back, "error": error,
            "reason": reason, "changed": sum(1 for _, c in items if c), "edit_code": one,
        }, status=status)

    def _stale_page(self, request, current: dict, wanted: dict) -> web.Response:
        rows = []
        for code, record in current.items():
            now = to_texts(record) if record is not None else {}
            diff = [(BY_KEY[k].label, now.get(k, ""), t) for k, t in wanted.get(code, {}).items()
                    if k in BY_KEY and now.get(k, "") != t]
            rows.append((code, record, diff))
        return render(request, "record_stale.html", {"rows": rows}, status=409)

    # --- saving (one record or a file) -------------------------------------------------------

    @require("change_procedures")
    async def save(self, request: web.Request) -> web.Response:
        form = await request.post()
        reason = " ".join(_field(form, "reason").split())[:MAX_REASON_CHARS]
        back = _field(form, "back")
        payload = _payload(form_text(form, "payload", MAX_PAYLOAD_CHARS))
        if payload is None:
            return error_page(request, 400, *BAD_PAYLOAD)
        back = FILES if back == FILES or len(payload) != 1 else f"{PREFIX}procedures/{next(iter(payload))}"
        curated = await self._curated()
        stale = {c: curated.get(c) for c, e in payload.items() if c not in curated
                 or version(curated[c]) != e["version"]}
        if stale:
            return self._stale_page(request, stale, {c: e["texts"] for c, e in payload.items()})
        try:
            new = {c: from_texts(curated[c], e["texts"]) for c, e in payload.items()}
        except RecordProblems:
            return error_page(request, 400, *BAD_PAYLOAD)
        if not reason:
            items = [(curated[c], changes(curated[c], r)) for c, r in new.items()]
            return self._preview(request, items, payload, back, "Bạn ghi lý do thay đổi (ví dụ: số quyết định, "
                                 "văn bản mới) rồi bấm Lưu.", status=400)
        account = account_of(request)
        try:
            saved = await self._run(self.services.catalog.apply_edits,
                                    [Edit(payload[c]["version"], r) for c, r in new.items()],
                                    actor=account.name, reason=reason, at=self.services.clock())
        except StaleEdits as stale_edits:
            return self._stale_page(request, stale_edits.current, {c: e["texts"] for c, e in payload.items()})
        if back == FILES:
            raise web.HTTPSeeOther(f"{FILES}?saved={len(saved)}")
        raise web.HTTPSeeOther(f"{PREFIX}procedures/{next(iter(payload))}?edited={len(saved)}")

    # --- files -------------------------------------------------------------------------------

    @require("view_procedures")
    async def files(self, request: web.Request) -> web.Response:
        saved = request.query.get("saved", "")
        return render(request, "catalog_files.html", {
            "columns": COLUMNS, "saved": int(saved) if saved.isdigit() else None, "error": None,
            "can_change": account_of(request).may("change_procedures"), "max_kb": MAX_UPLOAD_BYTES // 1024,
        })

    @require("change_procedures")
    async def import_file(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not hasattr(upload, "file") or not getattr(upload, "filename", ""):
            return self._files_error(request, "Bạn chọn một tệp .xlsx hoặc .csv rồi bấm Xem trước.")
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        try:
            table = await self._run(read_table, upload.filename, data)
        except SheetError as exc:
            return self._files_error(request, str(exc))
        items, problems = plan_sheet(table, await self._curated())
        if problems:
            return self._files_error(request, "Tệp có lỗi, chưa lưu gì. Sửa các chỗ sau rồi tải lên lại:",
                                     problems)
        payload = _payload_of([(i.current, i.texts, i.changes) for i in items])
        return self._preview(request, [(i.current, i.changes) for i in items], payload, FILES)

    def _files_error(self, request, error: str, problems=()) -> web.Response:
        return render(request, "catalog_files.html", {
            "columns": COLUMNS, "saved": None, "error": error, "problems": list(problems)[:100],
            "more": max(0, len(problems) - 100), "can_change": True, "max_kb": MAX_UPLOAD_BYTES // 1024,
        }, status=400)

    def _stamp(self) -> str:
        return to_local(self.services.clock()).strftime("%Y%m%d")

    @require("view_procedures")
    async def export_xlsx(self, request: web.Request) -> web.Response:
        rows = sheet_rows((await self._curated()).values())
        body = await self._run(xlsx_bytes, [("thu_tuc", rows), ("huong_dan", guide_rows())])
        return _download(body, f"thu-tuc-{self._stamp()}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @require("view_procedures")
    async def export_csv(self, request: web.Request) -> web.Response:
        import csv

        out = io.StringIO()
        csv.writer(out).writerows(safe_row(r) for r in sheet_rows((await self._curated()).values()))
        return _download(("\ufeff" + out.getvalue()).encode("utf-8"), f"thu-tuc-{self._stamp()}.csv", "text/csv")

    @require("view_procedures")
    async def export_yaml(self, request: web.Request) -> web.Response:
        records = list((await self._curated()).values())
        names = await self._run(field_files, self.services.settings.catalog_dir)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in catalog_files(records, names).items():
                archive.writestr(f"procedures/{name}", text)
        return _download(out.getvalue(), f"procedures-{self._stamp()}.zip", "application/zip")

    # --- staleness board -------------------------------------------------------------------

    @require("view_procedures")
    async def stale(self, request: web.Request) -> web.Response:
        default = self.services.settings.staff_stale_days
        raw = request.query.get("days", "").strip()
        error = None
        days = default
        if raw:
            if raw.isdigit() and 1 <= int(raw) <= MAX_DAYS:
                days = int(raw)
            else:
                error = f"Số ngày phải là số nguyên từ 1 đến {MAX_DAYS}. Đang dùng {default} ngày."
        today = _day(self.services)

        def load():
            guide = self.services.guide()
            records = guide.records()
            old = stale_records(records, today, days)
            last, added, changed = self.services.published.last_import_changes()
            names = {r.code: r for r in records}
            return old, last, [names.get(c) for c in added], [names.get(c) for c in changed], \
                _ending(records, today), *_asked_published_only(self.services, guide, today)

        old, last, added, changed, ending, messages, asked = await self._run(load)
        return render(request, "stale_board.html", {
            "days": days, "default": default, "error": error, "today": today, "tier_labels": TIER_LABELS,
            "curated_old": [s for s in old if s.tier != PUBLISHED], "published_old": [s for s in old if s.tier == PUBLISHED],
            "last": last, "added": [r for r in added if r], "changed": [r for r in changed if r],
            "ending": ending, "soon": SOON_DAYS, "asked": asked, "messages": messages, "asked_days": ASKED_DAYS,
        }, status=400 if error else 200)


def _ending(records, today: dt.date) -> list[tuple]:
    """(day, code, name, what) for curated facts ending within SOON_DAYS (or ended already), soonest first."""
    horizon = today + dt.timedelta(days=SOON_DAYS)
    found = []
    for r in records:
        if tier_of(r) == PUBLISHED:
            continue
        facts = [(r.fees.valid_to, "Mức lệ phí"), (r.valid_to, "Cả thủ tục")]
        for text, what in ((r.fees.text, "Lệ phí (ghi trong nội dung)"), (r.fees.exemptions or "", "Miễn, giảm lệ phí"),
                           (r.notes or "", "Ghi chú"), (r.processing_time.text, "Thời gian giải quyết")):
            facts += [(d, what) for d in end_dates_mentioned(text)]
        seen = set()
        for day, what in facts:
            if day is not None and day <= horizon and (day, what) not in seen:
                seen.add((day, what))
                found.append((day, r.code, r.name, what, day < today))
    return sorted(found)


def _asked_published_only(services: "Services", guide, today: dt.date) -> tuple[int, list[tuple]]:
    """The citizen messages stored over the last ASKED_DAYS days, and the procedures the assistant answered
    most then (record, times answered) whose answer comes from the published tier only, most asked first."""
    messages, ranked = services.procedures_asked(Period(today - dt.timedelta(days=ASKED_DAYS - 1), today))
    asked = [(r, n) for code, n in ranked if (r := guide.get(code)) is not None and tier_of(r) == PUBLISHED]
    return messages, asked[:ASKED_TOP]


def _field(form, name: str) -> str:
    return form_text(form, name, MAX_TEXT_CHARS)


def _payload_of(items) -> dict:
    """What a preview would save, for each (current record, texts read, changes) that changes something: the
    record's version and only the texts that differ from it (a whole exported file stays small)."""
    payload = {}
    for current, texts, diff in items:
        if diff:
            now = to_texts(current)
            payload[current.code] = {"version": version(current),
                                     "texts": {k: t for k, t in texts.items() if now.get(k) != t}}
    return payload


def _payload(raw: str) -> dict | None:
    """{code: {"version": str, "texts": {column: text}}}, or None for anything else."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data or len(data) > 5000:
        return None
    for code, entry in data.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("version"), str)
                and isinstance(entry.get("texts"), dict)
                and all(k in KEYS and isinstance(v, str) for k, v in entry["texts"].items())):
            return None
    return data


def _download(body: bytes, filename: str, content_type: str) -> web.Response:
    return web.Response(body=body, content_type=content_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def add_routes(app: web.Application, services: "Services") -> None:
    pages = CatalogPages(services)
    r = app.router
    r.add_get(PREFIX + "procedures/{code}/edit", pages.edit_form)
    r.add_post(PREFIX + "procedures/{code}/edit", pages.preview_edit)
    r.add_post(PREFIX + "procedures/{code}/edit/again", pages.keep_editing)
    r.add_post(PREFIX + "catalog/save", pages.save)
    r.add_get(PREFIX + "catalog/files", pages.files)
    r.add_post(PREFIX + "catalog/import", pages.import_file)
    r.add_get(PREFIX + "catalog/export.xlsx", pages.export_xlsx)
    r.add_get(PREFIX + "catalog/export.csv", pages.export_csv)
    r.add_get(PREFIX + "catalog/export-yaml.zip", pages.export_yaml)
    r.add_get(PREFIX + "catalog/stale", pages.stale)
