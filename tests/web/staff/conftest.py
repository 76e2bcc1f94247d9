"""A running console over real HTTP (aiohttp's test server), with accounts of every role.

`console` is a logged-out client; `login(client, name)` logs it in through the
form, as a browser would, and returns it. Time is the `clock` fixture's `SettableClock`,
which a test moves forward instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
from tests.core.times import SettableClock

PASSWORD = "Mot-cua-2026!"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
ROLE_OF = {"admin1": "admin", "canbo1": "staff", "hl1": "trainer"}


@pytest.fixture
def clock():
    return SettableClock(START)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheap argon2 parameters: these tests are about the pages, not the hash (tests/core covers it)."""
    from argon2 import PasswordHasher

    from bot.core import accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def staff_services(services):
    for name, role in ROLE_OF.items():
        services.accounts.add(name, role, PASSWORD, actor="setup", full_name=f"Người {name}")
    return services


@pytest.fixture
async def console(staff_services):
    client = TestClient(TestServer(create_app(staff_services), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def csrf(client, path: str = "/staff/login") -> str:
    response = await client.get(path)
    return csrf_of(await response.text())


async def login(client, name: str, password: str = PASSWORD, next_: str = ""):
    token = await csrf(client)
    return await client.post("/staff/login", data={"csrf": token, "name": name, "password": password,
                                                   "next": next_}, allow_redirects=False)


async def logged_in(client, name: str):
    response = await login(client, name)
    assert response.status == 303, await response.text()
    return client
