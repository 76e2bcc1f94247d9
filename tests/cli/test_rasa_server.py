"""The Rasa launcher: the warm standby (load the model, then wait for the port) and the model watcher."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from pathlib import Path
from types import SimpleNamespace

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


# --- the model watcher: a switched-in model file is loaded by the running server ---

OLD, NEW, NEWER, FAILED = (1, 10), (2, 20), (3, 30), (4, 40)


def test_an_unchanged_file_is_never_loaded():
    state = rasa_server.ModelFileState(loaded=OLD)
    assert [state.poll(OLD) for _ in range(3)] == [False, False, False]


def test_a_replaced_file_is_loaded_once_it_kept_still_for_one_poll():
    state = rasa_server.ModelFileState(loaded=OLD)
    assert state.poll(NEW) is False  # changed, but maybe still being written
    assert state.poll(NEW) is True
    state.load_succeeded(NEW)
    assert state.poll(NEW) is False


def test_a_file_still_being_written_is_not_loaded():
    state = rasa_server.ModelFileState(loaded=OLD)
    assert [state.poll(sig) for sig in (NEW, NEWER, FAILED, (5, 50))] == [False] * 4
    assert state.poll(None) is False and state.poll(None) is False  # gone for a moment (renamed away)


def test_a_version_that_failed_to_load_is_not_tried_again():
    state = rasa_server.ModelFileState(loaded=OLD)
    state.poll(FAILED)
    assert state.poll(FAILED) is True
    state.load_failed(FAILED)
    assert [state.poll(FAILED) for _ in range(3)] == [False, False, False]


def test_a_newer_file_after_a_failed_one_is_loaded():
    state = rasa_server.ModelFileState(loaded=OLD, failed=FAILED)
    assert state.poll(NEWER) is False
    assert state.poll(NEWER) is True


def test_file_signature_is_mtime_and_size_of_a_regular_file(tmp_path):
    model = tmp_path / "tthc.tar.gz"
    model.write_bytes(b"12345")
    os.utime(model, ns=(1_000, 2_000))
    assert rasa_server.file_signature(model) == (2_000, 5)
    assert rasa_server.file_signature(tmp_path / "missing.tar.gz") is None
    assert rasa_server.file_signature(tmp_path) is None
    assert rasa_server.file_signature(None) is None


class FakeAgent:
    """What the watcher uses of Rasa's Agent: `processor`, `load_model`, `parse_message`."""

    def __init__(self, model_path, fail=None):
        self.processor = SimpleNamespace(model_path=Path(model_path), model_filename="tthc.tar.gz")
        self.fail = fail
        self.loads, self.threads, self.parsed = [], [], []

    def load_model(self, path):
        self.loads.append(path)
        self.threads.append(threading.current_thread())
        if self.fail:
            raise self.fail
        self.processor = SimpleNamespace(model_path=Path(path), model_filename=Path(path).name)

    async def parse_message(self, text):
        self.parsed.append(text)


def test_model_file_is_the_file_the_processor_was_loaded_from(tmp_path):
    model = tmp_path / "tthc.tar.gz"
    model.write_bytes(b"model")
    assert rasa_server.model_file(FakeAgent(model)) == model
    assert rasa_server.model_file(FakeAgent(tmp_path)) == model  # `--model models/`
    assert rasa_server.model_file(FakeAgent(tmp_path / "gone")) is None  # e.g. remote storage's temp dir
    assert rasa_server.model_file("agent") is None


def switch_in(model: Path, content: bytes) -> None:
    """What `bot nlu eval --switch` does: copy to .tmp, then rename over the model."""
    staged = model.with_name(model.name + ".tmp")
    staged.write_bytes(content)
    staged.replace(model)


async def until(condition, timeout=3.0):
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "tthc.tar.gz"
    path.write_bytes(b"old model")
    return path


async def watching(agent, model, interval=0.02):
    state = rasa_server.ModelFileState(loaded=rasa_server.file_signature(model))
    return asyncio.create_task(rasa_server.watch_model(agent, model, state, interval))


async def test_the_watcher_loads_a_switched_in_model_once_off_the_event_loop(model, caplog):
    caplog.set_level("INFO", logger="bot.rasa_server")
    agent = FakeAgent(model)
    watcher = await watching(agent, model)
    try:
        await asyncio.sleep(0.1)
        assert agent.loads == []
        switch_in(model, b"the new, better model")
        await until(lambda: agent.parsed)
        await asyncio.sleep(0.1)
        assert agent.loads == [model]
        assert agent.threads[0] is not threading.main_thread()  # the old model answers meanwhile
        assert agent.parsed == [rasa_server.WARM_UP_MESSAGE]
        assert [r.getMessage() for r in caplog.records] == ["Loaded the new model tthc.tar.gz."]
    finally:
        watcher.cancel()


async def test_the_watcher_waits_while_the_file_is_still_being_written(model):
    agent = FakeAgent(model)
    watcher = await watching(agent, model, interval=0.05)
    try:
        with model.open("ab") as growing:
            for _ in range(20):  # a change between every two polls
                growing.write(b"x" * 1000)
                growing.flush()
                await asyncio.sleep(0.02)
        assert agent.loads == []
        await until(lambda: agent.loads)
        await asyncio.sleep(0.2)
        assert agent.loads == [model]
    finally:
        watcher.cancel()


async def test_a_model_that_fails_to_load_is_logged_and_not_retried(model, caplog):
    caplog.set_level("INFO", logger="bot.rasa_server")
    agent = FakeAgent(model, fail=ValueError("secret detail"))
    in_use = agent.processor
    watcher = await watching(agent, model)
    try:
        switch_in(model, b"a broken model")
        await until(lambda: agent.loads)
        await asyncio.sleep(0.2)
        assert agent.loads == [model] and agent.processor is in_use and agent.parsed == []
        (record,) = caplog.records
        assert record.levelname == "WARNING" and "ValueError" in record.getMessage()
        assert "secret detail" not in record.getMessage() and not record.exc_info

        agent.fail = None
        switch_in(model, b"a fixed model, longer")
        await until(lambda: len(agent.loads) == 2)
        assert agent.processor is not in_use
    finally:
        watcher.cancel()


async def test_install_watches_the_loaded_model_file(monkeypatch, model):
    import rasa.core.run as core_run

    agent = FakeAgent(model)

    async def fake_load_agent(model_path, endpoints, remote_storage, app, loop):
        switch_in(model, b"replaced while the first load ran")
        return agent

    monkeypatch.setattr(core_run, "load_agent_on_start", fake_load_agent)
    monkeypatch.setattr(rasa_server, "MODEL_POLL_SECONDS", 0.02)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rasa_server.install("127.0.0.1", port)
    assert await core_run.load_agent_on_start(str(model), None, None, None, None) is agent
    try:
        await until(lambda: agent.loads)
        assert agent.loads == [model]
    finally:
        for task in list(rasa_server._background):
            task.cancel()


def test_tensorflow_gets_one_thread_unless_the_operator_chose():
    environ = {"TF_INTER_OP_PARALLELISM_THREADS": "4"}
    rasa_server.use_few_tensorflow_threads(environ)
    assert environ == {"TF_INTER_OP_PARALLELISM_THREADS": "4", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}
