"""End to end: staff import dossiers with `bot`, citizens check them through the REST
channel, the one-stop software pushes a change to `bot web`, feedback gets a ticket.

Real Rasa server, action server, `bot` commands and `bot web`, one SQLite database.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.core.clock import now_utc, to_local
from bot.core.dossiers.validation import CSV_FIELDS
from bot.settings import PROJECT_ROOT, Settings
from tests.e2e.servers import _wait, free_port

pytestmark = pytest.mark.model

BOT = Path(sys.executable).parent / "bot"
TOKEN = "e2e-dossier-token"
TODAY = to_local(now_utc()).date()
LATE = "000.00.77.H77-250301-0001"
ON_TIME = "000.00.77.H77-250301-0002"
FOLLOWED = "000.00.77.H77-250301-0003"


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def _sender(channel: str = "") -> str:
    return f"{channel}:{uuid.uuid4().hex[:10]}" if channel else f"e2e-{uuid.uuid4().hex[:10]}"


def bot_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BOT), *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def imported(assistant, tmp_path_factory):
    """Staff import a CSV with a late dossier, an on-time one and one a citizen will follow."""
    path = tmp_path_factory.mktemp("dossiers") / "ho-so.csv"
    rows = [
        [LATE, "1.001193", "Nguyễn Văn A", "0912345678", "processing", "2025-03-01T08:00", _day(-3),
         "2025-03-02T08:00", "Phòng Tư pháp", ""],
        [ON_TIME, "3.000347", "Trần Thị B", "0987654321", "need_supplement", "2025-03-01T09:00", _day(10),
         "2025-03-02T09:00", "", "bản sao giấy khám sức khỏe"],
        [FOLLOWED, "1.004222", "Lê Văn C", "0901112233", "processing", "2025-03-01T10:00", _day(10),
         "2025-03-02T10:00", "", ""],
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_FIELDS)
        writer.writerows(rows)
    result = bot_command(assistant.env, "dossiers", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "3 mới" in result.stdout
    again = bot_command(assistant.env, "dossiers", "import", str(path))
    assert "3 không đổi" in again.stdout
    return assistant


def look_up(assistant, sender: str, code: str, last4: str) -> str:
    asked_code = _text(assistant.say(sender, "tra cứu hồ sơ"))
    assert "mã hồ sơ" in asked_code
    asked_digits = _text(assistant.say(sender, code))
    assert "4 số cuối" in asked_digits
    return _text(assistant.say(sender, last4))


def test_late_dossier_is_reported_late_with_an_apology_and_the_date(imported):
    reply = look_up(imported, _sender(), LATE, "5678")
    due = (TODAY - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert LATE in reply and "Đăng ký khai sinh" in reply
    assert "quá ngày hẹn trả" in reply and "xin lỗi" in reply and due in reply
    assert "0912345678" not in reply


def test_on_time_dossier_says_what_is_missing(imported):
    reply = look_up(imported, _sender(), ON_TIME.lower().replace(".", " "), "4 số cuối là 4321")
    assert "Cần bổ sung" in reply and "bản sao giấy khám sức khỏe" in reply
    assert "quá ngày hẹn" not in reply


def test_wrong_digits_and_unknown_code_get_the_same_neutral_answer(imported):
    wrong = look_up(imported, _sender(), LATE, "1111")
    unknown = look_up(imported, _sender(), "000.00.77.H77-250301-9999", "5678")
    assert "chưa khớp" in wrong
    assert wrong == unknown
    assert "Đăng ký khai sinh" not in wrong


def test_five_failures_lock_the_conversation(imported):
    sender = _sender()
    for _ in range(4):
        assert "chưa khớp" in look_up(imported, sender, LATE, "0000")
    assert "sai nhiều lần" in look_up(imported, sender, LATE, "0000")
    refused = _text(imported.say(sender, "tra cứu hồ sơ"))
    assert "sai nhiều lần" in refused and "1022" in refused


@pytest.fixture(scope="module")
def web(imported, tmp_path_factory):
    """`bot web` on a free port with the push token, sharing the assistant's database."""
    port = free_port()
    log = tmp_path_factory.mktemp("web") / "web.log"
    env = {**imported.env, "WEB_PORT": str(port), "WEB_HOST": "127.0.0.1", "DOSSIER_API_TOKEN": TOKEN}
    proc = subprocess.Popen([str(BOT), "web"], env=env, cwd=PROJECT_ROOT, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc, timeout=120)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def push(url: str, body, token: str | None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{url}/api/dossiers", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _services(env: dict):
    from bot.app import Services

    return Services.from_settings(Settings.from_env(env), migrate=False)


def test_subscriber_is_notified_when_the_one_stop_software_pushes_a_change(imported, web):
    sender = _sender("telegram")
    reply = look_up(imported, sender, FOLLOWED, "2233")
    assert "Đang xử lý" in reply
    assert "nhắn cho bạn" in _text(imported.say(sender, "báo cho tôi khi có kết quả"))

    status, body = push(web, {"code": FOLLOWED, "status": "result_ready"}, token="wrong")
    assert status == 401 and body["error"] == "unauthorized"
    status, body = push(web, {"code": FOLLOWED, "status": "finished"}, token=TOKEN)
    assert status == 422 and body["details"][0]["field"] == "status"
    services = _services(imported.env)
    try:
        assert services.dossiers.get(FOLLOWED).status.value == "processing"
        status, body = push(web, {"dossiers": [{"code": FOLLOWED, "status": "result_ready"}]}, token=TOKEN)
        assert status == 200 and body["updated"] == 1
        channel, recipient = sender.split(":")
        (message,) = services.outbox.for_recipient(channel, recipient)
        assert FOLLOWED in message.text and "Đã có kết quả" in message.text
        assert [h.source for h in services.dossiers.history(FOLLOWED)][-1] == "api"
    finally:
        services.engine.dispose()


def test_a_rest_conversation_cannot_subscribe_so_nothing_is_queued(imported):
    sender = _sender()
    look_up(imported, sender, ON_TIME, "4321")
    assert "không nhận được tin báo" in _text(imported.say(sender, "báo cho tôi khi có kết quả"))


def test_feedback_ticket_is_found_by_bot_feedback_show(imported):
    sender = _sender()
    assert "nội dung phản ánh" in _text(imported.say(sender, "tôi muốn phản ánh"))
    content = "Cán bộ hẹn trả kết quả nhưng đến nơi lại bảo chưa có"
    assert "Bỏ qua" in _text(imported.say(sender, content))
    imported.say(sender, LATE)
    confirm = _text(imported.say(sender, "0912 345 678"))
    assert content in confirm and "*******678" in confirm and "0912345678" not in confirm
    done = _text(imported.say(sender, "/affirm"))
    ticket = next(word.strip(".") for word in done.split() if word.startswith("PAKN-"))
    shown = bot_command(imported.env, "feedback", "show", ticket)
    assert shown.returncode == 0, shown.stderr
    assert content in shown.stdout and LATE in shown.stdout and "0912345678" not in shown.stdout
    status = _text(imported.say(sender, f"phiếu {ticket} đến đâu rồi"))
    assert ticket in status and "đã tiếp nhận" in status


def test_rating_is_offered_once_and_reported(imported):
    sender = _sender()
    replies = imported.say(sender, "lệ phí làm giấy khai sinh bao nhiêu")
    assert not any(b["payload"].startswith("/rate") for r in replies for b in (r.get("buttons") or []))
    replies = imported.say(sender, "cảm ơn bạn")  # asked after thanks, when no other choice is on screen
    rating = [b for r in replies for b in (r.get("buttons") or []) if b["payload"].startswith("/rate")]
    assert [b["title"] for b in rating][0] == "Rất hài lòng" and len(rating) == 5
    assert "Cảm ơn" in _text(imported.say(sender, rating[0]["payload"]))
    imported.say(sender, "thế nộp ở đâu")
    again = imported.say(sender, "tạm biệt")
    assert not any(b["payload"].startswith("/rate") for r in again for b in (r.get("buttons") or []))
    report = bot_command(imported.env, "report", "satisfaction")
    assert report.returncode == 0 and "Rất hài lòng" in report.stdout and "1.001193" in report.stdout


def test_working_hours_and_human_help_come_from_the_deployment_file(imported):
    hours = _text(imported.say(_sender(), "mấy giờ làm việc"))
    assert "Thứ Hai đến Thứ Sáu" in hours and "1022" in hours
    human = _text(imported.say(_sender(), "tôi muốn gặp cán bộ"))
    assert "1022" in human and "quầy" in human


def test_a_procedure_question_ends_the_wait_for_a_code(imported):
    sender = _sender()
    assert "mã hồ sơ" in _text(imported.say(sender, "tra cứu hồ sơ"))
    answer = _text(imported.say(sender, "làm giấy khai sinh cần giấy tờ gì"))
    assert "1.001193" in answer and "chưa đúng dạng" not in answer
    assert "mã hồ sơ" in _text(imported.say(sender, "tra cứu hồ sơ"))
    assert "4 số cuối" in _text(imported.say(sender, ON_TIME))
