"""`bot run`'s process plan (the token that closes Rasa's HTTP API, the standby) and how it starts children."""

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


def test_children_die_with_bot_run_even_when_it_is_killed(tmp_path):
    """`bot run` killed with SIGKILL cannot stop its children: the kernel does (no server left holding a port)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    middle = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from bot.cli.run import ProcessSpec, process_starter\n"
        "child = process_starter({})(ProcessSpec('sleeper', ['sleep', '60']))\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )], stdout=subprocess.PIPE, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    child_pid = int(middle.stdout.readline())
    middle.kill()
    middle.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{child_pid}").exists():
        state = Path(f"/proc/{child_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":  # exited, waiting to be reaped by init
            break
        time.sleep(0.05)
    else:
        if Path(f"/proc/{child_pid}").exists():
            os.kill(child_pid, signal.SIGKILL)
            raise AssertionError("the child outlived bot run")
