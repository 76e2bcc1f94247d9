"""What every `bot` command gets besides its arguments: settings and services, built on first use.

`bot.cli.main` makes one `Context` per run and passes it to the command's
handler as `handler(args, ctx)`. Nothing is read or opened until a command asks,
so `bot chat` or `bot office check` never touch the database, and a command
that asks twice gets the same services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services
    from bot.settings import Settings


class Context:
    def __init__(self, settings: "Settings | None" = None, services: "Services | None" = None):
        self._settings = settings if settings is not None else (services.settings if services else None)
        self._services = services
        self._built = False

    def settings(self) -> "Settings":
        """The settings given to `main`, else the environment's (`get_settings()`)."""
        if self._settings is None:
            from bot.settings import get_settings

            self._settings = get_settings()
        return self._settings

    def services(self) -> "Services":
        """The services given to `main`, else built from the settings (database migrated) on the first call."""
        if self._services is None:
            from bot.app import Services

            self._services = Services.from_settings(self.settings())
            self._built = True
        return self._services

    def close(self) -> None:
        """Release what this run opened (services passed in belong to the caller)."""
        if self._built and self._services is not None:
            self._services.engine.dispose()
