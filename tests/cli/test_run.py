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


def test_a_second_rasa_server_waits_as_the_standby_unless_turned_off(settings):
    model = Path("models/m.tar.gz")
    specs = {p.name: p for p in planned_processes(settings, model)}
    assert list(specs)[-1] == "Rasa server 2"
    assert specs["Rasa server 2"].argv == specs["Rasa server"].argv
    assert specs["Rasa server"].argv[1:4] == ["-m", "bot.cli.rasa_server", "run"]
    assert specs["Rasa server 2"].ready_url is None  # the port answers for whichever copy holds it
    assert "Rasa server 2" not in [p.name for p in planned_processes(settings, model, standby=False)]
