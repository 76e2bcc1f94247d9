"""The Rasa launcher's warm standby: load the model, then wait for the port before binding it."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.cli import rasa_server


def test_address_reads_rasa_run_arguments_with_rasa_defaults():
    assert rasa_server.address(["run", "--model", "m.tar.gz", "--interface", "127.0.0.1", "--port", "21005"]) \
        == ("127.0.0.1", 21005)
    assert rasa_server.address(["run", "-p", "6000", "--enable-api"]) == ("0.0.0.0", 6000)
    assert rasa_server.address(["run"]) == ("0.0.0.0", 5005)


@pytest.fixture
def listening():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


def test_port_is_free_only_when_nobody_listens(listening):
    port = listening.getsockname()[1]
    assert not rasa_server.port_is_free("127.0.0.1", port)
    listening.close()
    assert rasa_server.port_is_free("127.0.0.1", port)


async def test_the_standby_waits_until_the_serving_copy_lets_the_port_go(listening, caplog):
    port = listening.getsockname()[1]
    caplog.set_level("INFO", logger="bot.rasa_server")
    waiting = asyncio.create_task(rasa_server.wait_for_port("127.0.0.1", port, poll=0.01))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    listening.close()  # the serving copy dies
    await asyncio.wait_for(waiting, timeout=2)
    assert [r.getMessage() for r in caplog.records] == [
        f"Rasa standby ready: model loaded, waiting for port 127.0.0.1:{port} to become free.",
        f"Port 127.0.0.1:{port} is free: the standby Rasa server takes over.",
    ]


async def test_install_makes_rasa_wait_for_the_port_after_loading_the_model(monkeypatch, listening):
    import rasa.core.run as core_run

    loaded, parsed = [], []

    class Agent:
        async def parse_message(self, text):
            parsed.append(text)

    agent = Agent()

    async def fake_load_agent(model_path, endpoints, remote_storage, app, loop):
        loaded.append(model_path)
        return agent

    monkeypatch.setattr(core_run, "load_agent_on_start", fake_load_agent)
    monkeypatch.setattr(rasa_server, "POLL_SECONDS", 0.01)
    port = listening.getsockname()[1]
    rasa_server.install("127.0.0.1", port)
    listener = asyncio.create_task(core_run.load_agent_on_start("m.tar.gz", None, None, None, None))
    await asyncio.sleep(0.1)
    assert loaded == ["m.tar.gz"] and not listener.done()  # model loaded first, then waiting
    assert parsed == [rasa_server.WARM_UP_MESSAGE]  # warmed up while waiting
    listening.close()
    assert await asyncio.wait_for(listener, timeout=2) is agent


async def test_the_first_copy_serves_at_once(monkeypatch):
    import rasa.core.run as core_run

    async def fake_load_agent(*args):
        return "agent"

    monkeypatch.setattr(core_run, "load_agent_on_start", fake_load_agent)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rasa_server.install("127.0.0.1", port)
    assert await asyncio.wait_for(core_run.load_agent_on_start("m", None, None, None, None), timeout=1) == "agent"
