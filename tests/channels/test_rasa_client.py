"""The one Rasa HTTP client, against a fake Rasa on 127.0.0.1."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.rasa_client import RasaClient, RasaUnavailable
from bot.core.delivery import Button, Reply
from tests.e2e.servers import free_port
from tests.fakes.rasa import FakeRasa


@pytest.fixture
async def rasa():
    fake = await FakeRasa({"chào": [{"text": "Xin chào!", "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}]},
                                    {"image": "x.png"}]}).start()
    yield fake
    await fake.close()


async def test_send_returns_typed_replies(rasa):
    client = RasaClient(rasa.base + "/")
    try:
        assert await client.send("telegram:1", "chào") == [Reply("Xin chào!", (Button("Lệ phí", "/ask_fee"),))]
    finally:
        await client.close()
    assert rasa.received == [{"sender": "telegram:1", "message": "chào"}]


@pytest.mark.parametrize("answer", [{"text": "not a list"}, "plain text"])
async def test_an_answer_that_is_not_a_list_means_rasa_is_unavailable(rasa, answer):
    rasa.default = answer
    client = RasaClient(rasa.base)
    try:
        with pytest.raises(RasaUnavailable):
            await client.send("kiosk:a.b", "gì đó")
    finally:
        await client.close()


async def test_http_errors_and_a_closed_port_mean_rasa_is_unavailable():
    async def broken(request):
        return web.Response(status=500, text="oops")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", broken)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        for url in (f"http://127.0.0.1:{server.port}", f"http://127.0.0.1:{free_port()}"):
            client = RasaClient(url, timeout=5)
            try:
                with pytest.raises(RasaUnavailable):
                    await client.send("telegram:1", "chào")
                assert await client.slot("telegram:1", "procedure_code") is None
            finally:
                await client.close()
    finally:
        await server.close()


async def test_slot_reads_the_tracker_with_the_api_token(rasa):
    rasa.api_token = "bi-mat"
    rasa.slots["kiosk:a.b"] = {"procedure_code": "1.001193"}
    for token, expected in (("", None), ("sai", None), ("bi-mat", "1.001193")):
        client = RasaClient(rasa.base, api_token=token)
        try:
            assert await client.slot("kiosk:a.b", "procedure_code") == expected
        finally:
            await client.close()
