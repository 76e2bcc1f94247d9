"""`bot actions`, the real server in a subprocess: closed by the shared secret, and an
action that fails is logged without anything the citizen typed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.action_server import ACTION_FAILED, authorized, describe_failure
from bot.app import Services
from bot.core.dossiers.planning import Incoming
from bot.settings import PROJECT_ROOT, Settings
from tests.e2e.servers import _wait, free_port

SECRET = "s3cret-for-tests"
CODE = "000.00.12.H12-250312-0042"
PHONE = "0912345678"


def call(action: str, sender: str, slots: dict, text: str) -> dict:
    """What Rasa posts to /webhook, with the citizen's words in the events and slots."""
    return {
        "next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
        "tracker": {
            "sender_id": sender, "slots": slots, "latest_message": {"text": text, "intent": {}, "entities": []},
            "events": [{"event": "user", "text": text, "parse_data": {"text": text}}],
            "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
        },
    }


def post(url: str, body: dict | bytes, secret: str | None = SECRET) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {secret}"} if secret else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture
def action_server(tmp_path: Path):
    """`bot actions` on a free port over a database with one dossier; yields (url, log path, db path)."""
    env = {**os.environ, "TTHC_VAR_DIR": str(tmp_path), "ACTION_SERVER_SECRET": SECRET,
           "ACTION_PORT": str(free_port()), "PYTHONPATH": str(PROJECT_ROOT), "ACTION_WORKERS": "2"}
    env.pop("DATABASE_URL", None)
    settings = Settings.from_env(env)
    services = Services.from_settings(settings)
    services.load_catalog()
    services.dossiers.apply([Incoming("a", dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A",
                                                phone=PHONE, status="processing", received_at="2025-03-12T08:00",
                                                due_at="2099-01-01"))], "test")
    services.engine.dispose()
    log = tmp_path / "actions.log"
    proc = subprocess.Popen([str(Path(sys.executable).parent / "bot"), "actions"], env=env, cwd=PROJECT_ROOT,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{settings.action_port}"
    proc.log_path = log  # quoted by _wait if the server exits
    try:
        _wait(f"{url}/health", proc, timeout=90)
        yield url, log, settings.database_url.split("///", 1)[1]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_forged_tracker_without_the_secret_is_refused(action_server):
    url, log, _ = action_server
    forged = call("action_subscribe_dossier", "telegram:666", {"verified_dossier": CODE}, "báo tôi")
    assert post(f"{url}/webhook", forged, secret=None)[0] == 401
    assert post(f"{url}/webhook", forged, secret="guess")[0] == 401
    assert post(f"{url}/webhook", b"not json", secret=None)[0] == 401
    status, body = post(f"{url}/webhook", forged)
    # with the secret it runs, and the forged slot still subscribes nobody: no check on record
    assert status == 200 and [r.get("response") for r in body["responses"]] == ["utter_subscribe_needs_lookup"]
    assert post(f"{url}/webhook", b"[[[[" * 5000)[0] == 400
    assert post(f"{url}/webhook", {"no": "tracker"})[0] == 400
    good = call("action_check_dossier", "rest:a", {"dossier_code": CODE, "phone_last4": "5678"}, "5678")
    status, body = post(f"{url}/webhook", good)
    assert status == 200 and body["responses"][0]["response"] == "utter_dossier_status"


def test_an_action_error_is_logged_without_what_the_citizen_typed(action_server):
    url, log, db = action_server
    with sqlite3.connect(db) as conn:  # break the database under the running server
        conn.execute("DROP TABLE dossiers")  # the lookup by code now fails, its SQL error naming the code
    typed = f"mã {CODE}, số của tôi {PHONE}, email nguyen.a@example.com"
    status, body = post(f"{url}/webhook", call("action_check_dossier", "rest:b",
                                               {"dossier_code": CODE, "phone_last4": "5678"}, typed))
    assert status == 200 and body == {"events": [], "responses": [{"text": ACTION_FAILED}]}
    time.sleep(0.5)
    text = log.read_text(encoding="utf-8")
    assert "action action_check_dossier failed" in text and "OperationalError" in text
    for secret in (CODE, PHONE, "nguyen.a@", "0000012H12"):
        assert secret not in text


def test_the_secret_check():
    assert authorized(f"Bearer {SECRET}", SECRET) and authorized(f"bearer {SECRET}", SECRET)
    assert not authorized(SECRET, SECRET) and not authorized("Bearer ", SECRET) and not authorized(None, SECRET)
    assert not authorized("Bearer x", "")


def test_a_failure_is_described_by_type_and_place_not_message():
    try:
        try:
            raise KeyError(PHONE)
        except KeyError as inner:
            raise ValueError(f"bad code {CODE}") from inner
    except ValueError as exc:
        described = describe_failure(exc)
    assert "builtins.ValueError <- builtins.KeyError" in described and "test_action_server.py" in described
    assert PHONE not in described and CODE not in described


def test_a_slow_action_does_not_hold_up_the_others(tmp_path):
    """Actions run in threads: while one blocks (as a database call does), another answers at once."""
    from tests.fakes.slow_actions import SLOW_SECONDS

    port = free_port()
    script = ("from bot.action_server import create_app; "
              f"create_app({SECRET!r}, workers=4, actions='tests.fakes.slow_actions')"
              f".run(host='127.0.0.1', port={port}, access_log=False, motd=False)")
    log = tmp_path / "slow.log"
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    url = f"http://127.0.0.1:{port}"
    proc.log_path = log
    try:
        _wait(f"{url}/health", proc, timeout=60)
        slow: list = []
        worker = threading.Thread(target=lambda: slow.append(post(f"{url}/webhook", call("action_slow", "a", {}, ""))))
        worker.start()
        time.sleep(0.5)  # the slow action is running now
        started = time.monotonic()
        status, body = post(f"{url}/webhook", call("action_fast", "b", {}, ""))
        fast_took = time.monotonic() - started
        health = urllib.request.urlopen(f"{url}/health", timeout=2).status
        worker.join()
        assert status == 200 and body["responses"][0]["text"] == "fast" and health == 200
        assert fast_took < SLOW_SECONDS / 2, f"the fast action waited {fast_took:.1f} s for the slow one"
        assert slow[0][0] == 200 and slow[0][1]["responses"][0]["text"] == "slow"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
