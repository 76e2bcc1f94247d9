"""`bot run`'s process plan (the token that closes Rasa's HTTP API, the standby) and how it starts children."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.cli.run import planned_processes, with_run_secrets


def test_rasa_http_api_is_closed_by_the_token(settings):
    model = Path("models/m.tar.gz")
    [rasa] = [p for p in planned_processes(dataclasses.replace(settings, rasa_api_token="t0k"), model)
              if p.name == "Rasa server"]
    assert "--auth-token=t0k" in rasa.argv and rasa.ready_url.endswith("/status?token=t0k")
    [rasa] = [p for p in planned_processes(dataclasses.replace(settings, rasa_api_token="-t0k"), model)
              if p.name == "Rasa server"]
    assert "--auth-token=-t0k" in rasa.argv  # a random token may start with "-": still one argument
    [rasa] = [p for p in planned_processes(settings, model) if p.name == "Rasa server"]
    assert not any(a.startswith("--auth-token") for a in rasa.argv)


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


def test_the_action_server_is_ours_on_loopback(settings):
    [actions] = [p for p in planned_processes(settings, Path("models/m.tar.gz")) if p.name == "action server"]
    assert actions.argv[1:] == ["actions", "--host", "127.0.0.1", "--port", "5055"]
    assert actions.ready_url == "http://127.0.0.1:5055/health"
    elsewhere = dataclasses.replace(settings, action_host="0.0.0.0", action_port=6000)
    [actions] = [p for p in planned_processes(elsewhere, Path("models/m.tar.gz")) if p.name == "action server"]
    assert actions.argv[-4:] == ["--host", "0.0.0.0", "--port", "6000"]
    assert actions.ready_url == "http://127.0.0.1:6000/health"


def test_each_run_makes_the_secrets_that_are_not_set(settings):
    first, second = with_run_secrets(settings), with_run_secrets(settings)
    assert len(first.action_server_secret) >= 24 and first.action_server_secret != second.action_server_secret
    assert first.rasa_api_token and first.rasa_api_token != first.action_server_secret
    kept = with_run_secrets(dataclasses.replace(settings, action_server_secret="s3cret", rasa_api_token="t0k"))
    assert (kept.action_server_secret, kept.rasa_api_token) == ("s3cret", "t0k")


def test_bot_actions_will_not_start_open(settings, capsys):
    from bot.cli import main

    assert main(["actions"], settings=dataclasses.replace(settings, action_server_secret="")) == 2
    assert "ACTION_SERVER_SECRET" in capsys.readouterr().err
