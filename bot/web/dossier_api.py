"""The dossier push endpoint for the one-stop software.

    POST /api/dossiers
    Authorization: Bearer <DOSSIER_API_TOKEN>
    {"dossiers": [{"code": "...", "status": "result_ready", ...}, ...]}   (or one object)

Same fields as the CSV import. A known dossier may be sent with only the fields
that changed; a new one needs every required field. Times are ISO 8601: with an
offset (`Z`, `+00:00`, `+07:00`) they are that instant; without one they are
Vietnam time, and a date alone is an appointment lasting that Vietnam day. The batch is written whole
or not at all, with a history row per change (source "api"), and subscribed
citizens are notified of status changes. Answers: 200 with counts; 400 bad or
empty JSON, nesting deeper than bot/core/inbound.MAX_JSON_DEPTH, or text holding
NUL or a lone UTF-16 surrogate (refused rather than altered);
401 wrong or missing token (nothing read, nothing changed); 413 too large;
422 invalid records, each named with its field.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.dossiers.planning import Incoming
from bot.core.inbound import Rejected, has_unstorable_text, read_json
from bot.web.app import MAX_BODY_BYTES, json_error

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

MAX_RECORDS = 1000
INVALID_TEXT = "Có ký tự không lưu được (NUL hoặc nửa cặp UTF-16); chưa ghi gì."
SOURCE = "api"


def _authorized(request: web.Request, token: str) -> bool:
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def _records(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and "dossiers" in body:
        body = body["dossiers"]
    elif isinstance(body, dict):
        body = [body]
    return body if isinstance(body, list) else None


def add_dossier_routes(app: web.Application, services: "Services") -> None:
    async def push(request: web.Request) -> web.Response:
        if not _authorized(request, services.settings.dossier_api_token):
            return json_error(401, "unauthorized", "Thiếu hoặc sai mã xác thực (Authorization: Bearer ...).",
                              headers={"WWW-Authenticate": "Bearer"})
        try:
            body = read_json(await request.read(), MAX_BODY_BYTES)  # aiohttp refuses more (413) before this
        except Rejected as refused:
            return json_error(refused.status, refused.error, refused.message)
        if has_unstorable_text(body):  # staff data is kept as sent or refused, never altered
            return json_error(400, "invalid_text", INVALID_TEXT)
        records = _records(body)
        if records is None or not records:
            return json_error(400, "invalid_shape", 'Cần một hồ sơ, một danh sách, hoặc {"dossiers": [...]}.')
        if len(records) > MAX_RECORDS:
            return json_error(422, "too_many", f"Tối đa {MAX_RECORDS} hồ sơ mỗi lần gửi.")
        bad = [i for i, r in enumerate(records) if not isinstance(r, dict)]
        if bad:
            return json_error(422, "invalid_records", "Mỗi hồ sơ phải là một đối tượng JSON.",
                              details=[{"where": f"dossiers[{i}]", "field": "-", "message": "không phải đối tượng"}
                                       for i in bad[:50]])
        incoming = [Incoming(f"dossiers[{i}]", r) for i, r in enumerate(records)]
        loop = asyncio.get_running_loop()
        plan = await loop.run_in_executor(
            None, lambda: services.dossiers.apply(incoming, SOURCE, complete=False))
        if plan.errors:
            return json_error(422, "invalid_records", "Có hồ sơ không hợp lệ; chưa ghi gì.",
                              details=[{"where": w, "field": e.field, "message": e.message}
                                       for w, e in plan.errors[:200]])
        return web.json_response({
            "created": plan.count("create"),
            "updated": plan.count("update"),
            "unchanged": plan.count("unchanged"),
            "stale": plan.count("stale"),
            "notifications_queued": plan.notifications,
            "results": [{"code": c.after.code, "result": c.kind} for c in plan.changes],
        })

    app.router.add_post("/api/dossiers", push)
