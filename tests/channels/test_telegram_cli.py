"""`bot run` starts the Telegram channel only when a token is set; `bot telegram` exists."""

from __future__ import annotations

import dataclasses
from pathlib import Path


from bot.cli import build_parser, main
from bot.cli.run import _print_where, planned_processes


def test_run_starts_telegram_only_with_a_token(settings, capsys):
    model = Path("models/m.tar.gz")
    assert "Telegram" not in [p.name for p in planned_processes(settings, model)]
    _print_where(settings)
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().out

    with_token = dataclasses.replace(settings, telegram_bot_token="123:ABC")
    [spec] = [p for p in planned_processes(with_token, model) if p.name == "Telegram"]
    assert spec.argv[-1] == "telegram"
    _print_where(with_token)
    assert "Telegram: kênh Telegram đã chạy" in capsys.readouterr().out


def test_telegram_command_is_registered():
    args = build_parser().parse_args(["telegram", "--webhook", "--port", "6000"])
    assert args.webhook and args.port == 6000


def test_telegram_command_without_token_says_how_to_enable(settings, capsys):
    assert main(["telegram"], settings=dataclasses.replace(settings, telegram_bot_token="")) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
