"""The hostile corpus through the real servers (Rasa with its REST and Zalo channels, the action
server, `bot web`): no answer is a 5xx, and afterwards every surface answers a normal question."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from tests.channels.test_zalo_webhook import ApiInThread
from tests.e2e.hostile import (
    DOSSIER_TOKEN,
    ZALO_APP_ID,
    ZALO_SECRET,
    requests,
    send_all,
    signed_zalo,
    zalo_event,
)
from tests.e2e.servers import MODEL, start_assistant, start_web

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    from tests.channels.fake_zalo import TOKEN

    zalo_api = ApiInThread()
    var_dir = tmp_path_factory.mktemp("hostile")
    assistant = start_assistant(var_dir, extra_env={
        "ZALO_APP_ID": ZALO_APP_ID, "ZALO_OA_SECRET_KEY": ZALO_SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
        "ZALO_API_BASE": zalo_api.api.base, "DOSSIER_API_TOKEN": DOSSIER_TOKEN,
        # The whole corpus comes from one address; the per-address limit has its own tests.
        "KIOSK_MESSAGES_PER_IP": "100000",
    })
    try:
        web = start_web(assistant.env, var_dir / "logs")
    except Exception:
        assistant.stop()
        zalo_api.close()
        raise
    yield assistant, web, zalo_api.api, var_dir / "logs"
    web.stop()
    assistant.stop()
    zalo_api.close()


def _post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict | list]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_the_hostile_corpus_gets_no_5xx_and_every_surface_answers_normally_afterwards(servers):
    assistant, web, zalo_api, logs = servers
    outcome = asyncio.run(send_all(assistant.url, web.url, requests(uuid.uuid4().hex[:6])))
    assert outcome.server_errors == []
    surfaces = {surface for surface, _ in outcome.statuses}
    assert surfaces == {"rest", "zalo", "kiosk", "kiosk-reset", "dossiers"}
    assert outcome.total > 250
    refused = sum(n for (_, status), n in outcome.statuses.items() if 400 <= status < 500)
    assert refused > outcome.total / 3  # most of the corpus is refused, not answered by luck

    # REST: a normal question gets a normal answer
    text = "\n".join(r.get("text") or "" for r in assistant.say(f"after-{uuid.uuid4().hex[:6]}",
                                                                 "đăng ký kết hôn cần giấy tờ gì"))
    assert "1.000894" in text

    # kiosk
    status, body = _post(f"{web.url}/kiosk/api/message",
                         {"screen": "quay-1", "session": uuid.uuid4().hex[:8], "message": "làm thẻ căn cước cần giấy tờ gì"})
    assert status == 200 and "1.014061" in json.dumps(body, ensure_ascii=False)

    # Zalo: a signed question is answered through the (fake) Zalo API
    user = "55" + str(int(time.time()))[-6:]
    raw, headers = signed_zalo(zalo_event(user, "làm thẻ căn cước cần giấy tờ gì", f"after-{user}"))
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{assistant.url}/webhooks/zalo/webhook", data=raw,
                                                       headers=headers), timeout=60) as response:
        assert response.status == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any("1.014061" in json.dumps(c, ensure_ascii=False)
                                                  for c in zalo_api.to(user)):
        time.sleep(0.5)
    assert any("1.014061" in json.dumps(c, ensure_ascii=False) for c in zalo_api.to(user))

    # dossier push
    record = dict(code="000.00.12.H12-250312-0998", procedure_code="1.001193", applicant_name="Nguyễn Văn B",
                  phone="0912345679", status="processing", received_at="2025-03-12T08:00:00+07:00",
                  due_at="2025-03-25", updated_at="2025-03-12T08:00:00+07:00", unit="Phòng Tư pháp")
    status, body = _post(f"{web.url}/api/dossiers", [record], {"Authorization": f"Bearer {DOSSIER_TOKEN}"})
    assert status == 200 and body["created"] + body["updated"] + body["unchanged"] == 1

    # no unhandled exception in either server
    for log in ("rasa.log", "web.log"):
        content = (logs / log).read_text(encoding="utf-8", errors="replace")
        assert "Exception occurred while handling uri" not in content, log
        assert "unhandled error" not in content, log
