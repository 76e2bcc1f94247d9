"""`bot run` closes Rasa's HTTP API with a token."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.cli.run import planned_processes


def test_rasa_http_api_is_closed_by_the_token(settings):
    model = Path("models/m.tar.gz")
    [rasa] = [p for p in planned_processes(dataclasses.replace(settings, rasa_api_token="t0k"), model)
              if p.name == "Rasa server"]
    assert rasa.argv[rasa.argv.index("--auth-token") + 1] == "t0k" and rasa.ready_url.endswith("/status?token=t0k")
    [rasa] = [p for p in planned_processes(settings, model) if p.name == "Rasa server"]
    assert "--auth-token" not in rasa.argv
