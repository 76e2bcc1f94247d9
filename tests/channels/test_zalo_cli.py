"""`bot run` starts the Zalo notification worker only with an access token; `bot zalo-worker` exists."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.cli import build_parser, main
from bot.cli.run import _print_where, planned_processes


def test_run_starts_the_zalo_worker_only_with_an_access_token(settings, capsys):
    model = Path("models/m.tar.gz")
    assert "Zalo notifications" not in [p.name for p in planned_processes(settings, model)]
    _print_where(settings)
    assert "ZALO_OA_SECRET_KEY" in capsys.readouterr().out

    configured = dataclasses.replace(settings, zalo_app_id="1", zalo_oa_secret_key="s", zalo_access_token="t")
    [spec] = [p for p in planned_processes(configured, model) if p.name == "Zalo notifications"]
    assert spec.argv[-1] == "zalo-worker"
    _print_where(configured)
    assert "/webhooks/zalo/webhook" in capsys.readouterr().out


def test_zalo_worker_command_is_registered():
    args = build_parser().parse_args(["zalo-worker", "--once"])
    assert args.once and args.interval == 5.0


def test_zalo_worker_without_token_says_how_to_enable(settings, capsys):
    assert main(["zalo-worker"], settings=dataclasses.replace(settings, zalo_access_token="")) == 2
    assert "ZALO_ACCESS_TOKEN" in capsys.readouterr().err

