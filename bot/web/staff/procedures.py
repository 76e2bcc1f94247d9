"""Procedure pages of the staff console (added in the next step)."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application, services) -> None:
    return None
