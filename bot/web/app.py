"""The aiohttp app beside the Rasa server: `create_app(services)`, run by `bot web`.

Each feature adds its routes with a registrar `add_<feature>_routes(app, services)`
listed in `ROUTE_REGISTRARS`; create_app stays small. Every error answers JSON
(`{"error": ..., "message": ...}`), never an HTML page or a stack trace, except
under /staff/, where the staff console's own middleware answers with a
Vietnamese HTML page (`bot.web.staff`).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Callable, Sequence

from aiohttp import web

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

logger = logging.getLogger(__name__)

RouteRegistrar = Callable[[web.Application, "Services"], None]
MAX_BODY_BYTES = 1024 * 1024

_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Chưa xác thực.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    413: "Nội dung gửi lên quá lớn.",
    500: "Lỗi máy chủ. Vui lòng thử lại sau.",
}


def json_error(status: int, error: str, message: str | None = None, headers: dict | None = None,
               **extra) -> web.Response:
    body = {"error": error, "message": message or _MESSAGES.get(status, "Lỗi.")}
    body.update(extra)
    return web.json_response(body, status=status, dumps=_dumps, headers=headers)


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@web.middleware
async def errors_as_json(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        return json_error(exc.status, exc.reason.lower().replace(" ", "_"), _MESSAGES.get(exc.status))
    except Exception:  # noqa: BLE001 - the client gets a short JSON error, the log gets the trace
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal_error")


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def add_health_routes(app: web.Application, services: "Services") -> None:
    app.router.add_get("/health", _health)


def _dossier_routes(app: web.Application, services: "Services") -> None:
    from bot.web.dossier_api import add_dossier_routes

    add_dossier_routes(app, services)


def _kiosk_routes(app: web.Application, services: "Services") -> None:
    from bot.web.kiosk import add_kiosk_routes

    add_kiosk_routes(app, services)


def _staff_routes(app: web.Application, services: "Services") -> None:
    from bot.web.staff import add_staff_routes

    add_staff_routes(app, services)


# Features add their registrar here.
ROUTE_REGISTRARS: list[RouteRegistrar] = [add_health_routes, _dossier_routes, _kiosk_routes, _staff_routes]


def create_app(services: "Services", registrars: Sequence[RouteRegistrar] | None = None) -> web.Application:
    app = web.Application(middlewares=[errors_as_json], client_max_size=MAX_BODY_BYTES)
    for register in ROUTE_REGISTRARS if registrars is None else registrars:
        register(app, services)
    return app
