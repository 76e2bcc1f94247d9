"""End to end: the action server `bot run` starts answers only the Rasa server, and an
action that fails leaves nothing the citizen typed in any log.

Real Rasa server and action server (`planned_processes`), one SQLite database.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.action_server import ACTION_FAILED

pytestmark = pytest.mark.model

CODE = "000.00.12.H12-250312-0042"
PHONE = "0912345678"


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def _post_action(assistant, body: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    request = urllib.request.Request(f"http://127.0.0.1:{assistant.env['ACTION_PORT']}/webhook",
                                     data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_forged_tracker_is_refused_and_rasa_still_gets_through(assistant):
    forged = {
        "next_action": "action_subscribe_dossier", "sender_id": "telegram:666", "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": "telegram:666", "slots": {"verified_dossier": CODE}, "latest_message": {},
                    "events": [], "paused": False, "followup_action": None, "active_loop": {},
                    "latest_action_name": "action_listen"},
    }
    assert _post_action(assistant, forged, secret=None) == 401
    assert _post_action(assistant, forged, secret="a-guess") == 401
    assert _post_action(assistant, forged, secret=assistant.env["ACTION_SERVER_SECRET"]) == 200
    # the Rasa server sends the secret from endpoints.yml: a conversation that needs actions works
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    assert "mã hồ sơ" in _text(assistant.say(sender, "tra cứu hồ sơ"))


def test_an_action_error_leaves_no_phone_or_code_in_the_logs(assistant):
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    assert "mã hồ sơ" in _text(assistant.say(sender, "tra cứu hồ sơ"))
    assert "4 số cuối" in _text(assistant.say(sender, CODE))
    database = Path(assistant.env["TTHC_VAR_DIR"]) / "tthc.db"
    with sqlite3.connect(database) as conn:  # the dossier lookup fails; its SQL error names the code
        conn.execute("ALTER TABLE dossiers RENAME TO dossiers_away")
    try:
        reply = _text(assistant.say(sender, PHONE))
    finally:
        with sqlite3.connect(database) as conn:
            conn.execute("ALTER TABLE dossiers_away RENAME TO dossiers")
    assert ACTION_FAILED in reply
    time.sleep(1)  # let both servers flush their logs
    logs = {log.name: log.read_text(encoding="utf-8", errors="replace")
            for log in (Path(assistant.env["TTHC_VAR_DIR"]) / "logs").glob("*.log")}
    assert "action action_check_dossier failed" in logs["actions.log"]
    for name, text in logs.items():
        assert CODE not in text and PHONE not in text and "250312-0042" not in text, name
