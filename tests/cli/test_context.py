"""`bot.cli.main` builds settings and services only when a command asks, and at most once per run."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.cli.context import Context


def _database(settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def test_commands_that_need_no_database_never_open_one(settings, capsys):
    assert main(["office", "check"], settings=settings) == 0
    assert "VÍ DỤ" in capsys.readouterr().out
    assert not _database(settings).exists()


def test_services_are_built_once_on_first_use(settings):
    ctx = Context(settings)
    assert ctx.settings() is settings and not _database(settings).exists()
    first = ctx.services()
    assert ctx.services() is first and first.settings is settings
    ctx.close()


def test_services_given_to_main_are_the_ones_used(services, capsys):
    services.ratings.record(sender_id="a", channel="telegram", topic="1.001193", context="procedure_answer", level=5)
    assert main(["report", "satisfaction"], services=services) == 0
    assert "Đăng ký khai sinh" in capsys.readouterr().out
