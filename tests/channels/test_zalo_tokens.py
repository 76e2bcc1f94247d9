"""Zalo access tokens renew themselves, shared through the database, against a fake Zalo on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloInput, zalo_tokens
from bot.channels.zalo_api import ZaloAPIError, ZaloClient, ZaloTokens
from bot.channels.zalo_worker import deliver_due
from bot.cli.run import planned_processes
from bot.core.zalo_messages import text_message
from bot.db.token_store import ChannelTokens, TokenStore
from tests.channels.fake_zalo import APP_ID, APP_SECRET, REFRESH, FakeZaloAPI
from tests.core.times import utc

NOW = utc(2030, 5, 1, 8, 0, 0)


@pytest.fixture
async def api():
    fake = await FakeZaloAPI().start()
    yield fake
    await fake.close()


@pytest.fixture
def store(services):
    return TokenStore(services.engine)


def _tokens(api, store, access="expired-access", refresh=REFRESH, clock=lambda: NOW) -> ZaloTokens:
    return ZaloTokens(access, app_id=APP_ID, app_secret=APP_SECRET, refresh_token=refresh,
                      store=lambda: store, oauth_base=api.base, clock=clock)


async def test_a_rejected_token_is_renewed_stored_and_the_message_sent_once(api, store):
    client = ZaloClient(_tokens(api, store), api.base, retry_delay=0.01)
    await client.send(text_message("555", "Hồ sơ của bạn đã có kết quả."))
    assert [c["recipient"]["user_id"] for c in api.calls] == ["555"]  # sent once, with the new token
    assert len(api.refused) == 1 and len(api.renewals) == 1
    assert api.renewals[0] == {"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": REFRESH}
    assert store.get("zalo") == ChannelTokens("access-1", "refresh-1", NOW + dt.timedelta(seconds=90000))


async def test_a_token_about_to_expire_is_renewed_before_sending(api, store):
    store.save("zalo", ChannelTokens(api.token, REFRESH, NOW + dt.timedelta(minutes=10)))
    client = ZaloClient(_tokens(api, store), api.base)
    await client.send(text_message("555", "Xin chào"))
    assert api.refused == [] and len(api.renewals) == 1 and len(api.calls) == 1
    assert store.get("zalo").access_token == "access-1"


async def test_a_token_far_from_expiry_is_used_as_it_is(api, store):
    store.save("zalo", ChannelTokens(api.token, REFRESH, NOW + dt.timedelta(hours=20)))
    await ZaloClient(_tokens(api, store), api.base).send(text_message("555", "Xin chào"))
    assert api.renewals == [] and len(api.calls) == 1


async def test_another_process_picks_up_the_renewed_token_without_spending_the_refresh_token(api, store):
    worker = ZaloClient(_tokens(api, store, access=api.token), api.base)
    await worker.send(text_message("1", "một"))  # the worker remembers the first token
    server = ZaloClient(_tokens(api, store, access=api.token), api.base)
    await server.tokens.rejected(api.token)  # the Rasa server renews
    assert len(api.renewals) == 1
    await worker.send(text_message("1", "hai"))  # refused once, then the stored token, no second renewal
    assert len(api.renewals) == 1
    assert [c["message"]["text"] for c in api.calls] == ["một", "hai"]


async def test_a_new_refresh_token_in_the_settings_replaces_a_spent_stored_one(api, store):
    store.save("zalo", ChannelTokens("old-access", "spent-refresh", None))
    api.refresh_token = "reauthorised"
    client = ZaloClient(_tokens(api, store, refresh="reauthorised"), api.base)
    await client.send(text_message("1", "Xin chào"))
    assert [r["refresh_token"] for r in api.renewals] == ["spent-refresh", "reauthorised"]
    assert len(api.calls) == 1 and store.get("zalo").refresh_token == "refresh-1"


async def test_a_failed_renewal_is_logged_and_the_notification_retried_later(api, services, store, caplog):
    api.refresh_token = "only-zalo-knows"
    services.outbox.enqueue("zalo", "556", "Hồ sơ của bạn cần bổ sung giấy tờ.", "dossier:H9:more")
    client = ZaloClient(_tokens(api, store), api.base, retry_delay=0.01)
    with caplog.at_level(logging.ERROR):
        assert await deliver_due(services.outbox, client) == (0, 1)
    (row,) = services.outbox.for_recipient("zalo", "556")
    assert row.status == "failed" and "-14014" in row.last_error and row.next_attempt_at > row.created_at
    assert "could not renew" in caplog.text
    assert api.calls == [] and store.get("zalo") is None  # nothing half-written


async def test_without_renewal_settings_a_rejected_token_is_an_error_and_nothing_renews(api):
    with pytest.raises(ZaloAPIError) as err:
        await ZaloClient("expired-access", api.base).send(text_message("1", "x"))
    assert err.value.token_rejected and api.renewals == []


def test_settings_wire_renewal_into_the_channel_and_the_worker(settings):
    renewing = dataclasses.replace(settings, zalo_app_id=APP_ID, zalo_oa_secret_key="oa-secret",
                                   zalo_app_secret=APP_SECRET, zalo_refresh_token=REFRESH)
    assert renewing.zalo_can_send and not settings.zalo_can_send
    assert zalo_tokens(renewing).renewable and not zalo_tokens(settings).renewable
    assert "Zalo notifications" in [p.name for p in planned_processes(renewing, Path("models/m.tar.gz"))]
    channel = ZaloInput(app_id=APP_ID, secret_key="oa-secret", access_token=zalo_tokens(renewing))
    assert channel.client.tokens.renewable
