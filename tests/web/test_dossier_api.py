"""The dossier push endpoint over real HTTP: token, validation, all-or-nothing, notifications."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.clock import format_day, format_day_time
from bot.core.dossiers.wording import status_report
from bot.web.app import create_app
from tests.core.times import utc, vn

CODE = "000.00.12.H12-250312-0042"
AUTH = {"Authorization": "Bearer test-token"}


def record(**over) -> dict:
    base = dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
                status="processing", received_at="2025-03-12T08:00:00+07:00", due_at="2025-03-25",
                updated_at="2025-03-12T08:00:00+07:00", unit="Phòng Tư pháp")
    base.update(over)
    return base


@pytest.fixture
async def client(services):
    client = TestClient(TestServer(create_app(services), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def test_health(client):
    response = await client.get("/health")
    assert response.status == 200 and (await response.json()) == {"status": "ok"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-token"},
                                     {"Authorization": "Basic dGVzdC10b2tlbg=="}])
async def test_wrong_or_missing_token_is_401_and_changes_nothing(client, services, headers):
    response = await client.post("/api/dossiers", json=record(), headers=headers)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    assert services.dossiers.count() == 0


async def test_no_configured_token_refuses_everything(client, services):
    import dataclasses

    services.settings = dataclasses.replace(services.settings, dossier_api_token="")
    response = await client.post("/api/dossiers", json=record(), headers={"Authorization": "Bearer "})
    assert response.status == 401 and services.dossiers.count() == 0


async def test_push_creates_then_updates_with_history(client, services):
    response = await client.post("/api/dossiers", json=record(), headers=AUTH)
    assert response.status == 200
    assert (await response.json())["created"] == 1
    services.dossiers.subscribe(CODE, "zalo:9", "zalo", "9")
    update = {"code": CODE.lower(), "status": "need_supplement", "note": "bản sao sổ đỏ",
              "updated_at": "2025-03-14T09:00:00+07:00"}
    response = await client.post("/api/dossiers", json={"dossiers": [update]}, headers=AUTH)
    body = await response.json()
    assert response.status == 200 and body["updated"] == 1 and body["results"] == [{"code": CODE, "result": "update"}]
    assert body["notifications_queued"] == 1
    assert services.dossiers.get(CODE).note == "bản sao sổ đỏ"
    assert [h.source for h in services.dossiers.history(CODE)] == ["api", "api"]
    (message,) = services.outbox.due("zalo")
    assert "Cần bổ sung" in message.text
    again = await (await client.post("/api/dossiers", json=[update], headers=AUTH)).json()
    assert again["unchanged"] == 1


async def test_invalid_json_is_400(client, services):
    response = await client.post("/api/dossiers", data=b"{not json", headers=AUTH)
    assert response.status == 400 and (await response.json())["error"] == "invalid_json"
    response = await client.post("/api/dossiers", json="a string", headers=AUTH)
    assert response.status == 400


async def test_invalid_records_are_422_and_nothing_is_written(client, services):
    body = [record(), record(code="000.00.12.H12-250312-0043", status="lost", due_at="2025-03-01")]
    response = await client.post("/api/dossiers", json=body, headers=AUTH)
    assert response.status == 422
    details = (await response.json())["details"]
    assert {(d["where"], d["field"]) for d in details} == {("dossiers[1]", "status")}
    assert services.dossiers.count() == 0


async def test_dates_in_the_wrong_order_and_sql_looking_codes(client, services):
    response = await client.post("/api/dossiers", json=[record(due_at="2025-03-01")], headers=AUTH)
    assert response.status == 422 and (await response.json())["details"][0]["field"] == "due_at"
    response = await client.post("/api/dossiers", json=[record(code="1; DROP TABLE dossiers")], headers=AUTH)
    assert response.status == 422 and (await response.json())["details"][0]["field"] == "code"
    assert services.dossiers.count() == 0


async def test_too_large_body_is_413_json(client, services):
    response = await client.post("/api/dossiers", data=json.dumps(record(note="x" * 2_000_000)), headers=AUTH)
    assert response.status == 413
    assert (await response.json())["error"]
    assert services.dossiers.count() == 0


async def test_unknown_path_is_json_404(client):
    response = await client.get("/nope")
    assert response.status == 404 and (await response.json())["error"]


async def test_a_utc_push_lands_on_the_right_vietnam_day(client, services):
    pushed = record(received_at="2025-03-11T18:30:00+00:00", updated_at="2025-03-11T18:30:00Z",
                    due_at="2025-03-24T17:00:00+00:00")
    response = await client.post("/api/dossiers", json=pushed, headers=AUTH)
    assert response.status == 200
    dossier = services.dossiers.get(CODE)
    assert dossier.received_at == vn(2025, 3, 12, 1, 30) == utc(2025, 3, 11, 18, 30)
    assert format_day_time(dossier.received_at) == "12/03/2025 01:30"
    assert format_day(dossier.due_at) == "25/03/2025"
    report = status_report(dossier, None, vn(2025, 3, 25, 23, 59))
    assert (report.received, report.due, report.late) == ("12/03/2025", "25/03/2025", False), \
        "midnight in Vietnam given in UTC is a date-only appointment lasting that day"
    assert status_report(dossier, None, vn(2025, 3, 26, 0, 0)).late
