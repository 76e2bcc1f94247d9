"""`python -m bot.cli.rasa_server run ...`: Rasa's `rasa run`, able to wait as a warm standby.

Loading the model takes Rasa 30-70 s on two cores, far longer than the
15 s a citizen may wait after the Rasa server dies. Rasa loads the model in a
`before_server_start` listener, before it binds its port; this wrapper adds one
step to that listener: once the model is loaded, wait until the port is free.
The first copy finds the port free and serves at once. `bot run` starts a
second copy that loads the model and then waits; when the serving copy dies,
the port frees and the waiting copy binds it within a fraction of a second,
while `bot run` starts a new waiting copy. Conversations survive the switch
when the tracker store is shared (SQL), not with Rasa's in-memory one.

Each copy also watches the model file it loaded. `bot nlu eval --switch` (the
console's "Huấn luyện lại") replaces models/tthc.tar.gz with a better model;
once the file has changed and then kept still for one poll, the copy loads it
on a worker thread while the old model goes on answering, and switches to it
when it is ready. Our changes to Rasa (`bot.rasa_runtime`) patch classes, so
the new model's MessageProcessor has them too.

Takes exactly `rasa run`'s arguments (`--interface`, `--port` and the rest).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import socket
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, MutableMapping, Optional, Sequence

from bot import rasa_runtime

logger = logging.getLogger("bot.rasa_server")

POLL_SECONDS = 0.2
WARM_UP_MESSAGE = "xin chào"
MODEL_POLL_SECONDS = 10.0
MODEL_WATCHER_TASK = "bot.model_watcher"

Signature = tuple[int, int]  # (st_mtime_ns, st_size) of a model file


def address(argv: Sequence[str]) -> tuple[str, int]:
    """The interface and port `rasa run` will bind with these arguments (its defaults otherwise)."""
    from rasa.core.constants import DEFAULT_SERVER_INTERFACE, DEFAULT_SERVER_PORT

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-i", "--interface", default=DEFAULT_SERVER_INTERFACE)
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_SERVER_PORT)
    known, _ = parser.parse_known_args(list(argv))
    return known.interface, known.port


def port_is_free(host: str, port: int) -> bool:
    """True when a server could bind (host, port) now; asyncio's server sets SO_REUSEADDR, so do we."""
    family, kind, proto, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(sockaddr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


async def wait_for_port(host: str, port: int, poll: float = POLL_SECONDS) -> None:
    """Return once (host, port) is free, logging once that this copy is waiting as the standby."""
    if port_is_free(host, port):
        return
    logger.info("Rasa standby ready: model loaded, waiting for port %s:%s to become free.", host, port)
    while not port_is_free(host, port):
        await asyncio.sleep(poll)
    logger.info("Port %s:%s is free: the standby Rasa server takes over.", host, port)


async def warm_up(agent) -> None:
    """Parse one message so the first citizen after a takeover does not pay for TensorFlow's first call."""
    try:
        await agent.parse_message(WARM_UP_MESSAGE)
    except Exception:  # never keep the server from starting
        logger.warning("Warm-up parse failed; the first message will be slower.", exc_info=True)


def file_signature(path: Any) -> Optional[Signature]:
    """(mtime in ns, size) of a regular file; None when there is no such file."""
    try:
        info = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return (info.st_mtime_ns, info.st_size) if stat.S_ISREG(info.st_mode) else None


@dataclass
class ModelFileState:
    """Decides, poll by poll, when to load the model file again.

    Load it when it differs from the file in use and has not changed since the
    previous poll (a file still being written is never loaded), unless that very
    version already failed to load.
    """

    loaded: Optional[Signature]
    last_seen: Optional[Signature] = None
    failed: Optional[Signature] = None

    def poll(self, current: Optional[Signature]) -> bool:
        """Record one look at the file; True when it should be loaded now."""
        previous, self.last_seen = self.last_seen, current
        return current is not None and current == previous and current not in (self.loaded, self.failed)

    def load_succeeded(self, signature: Signature) -> None:
        self.loaded = signature

    def load_failed(self, signature: Signature) -> None:
        self.failed = signature


def model_file(agent: Any) -> Optional[Path]:
    """The model file the agent's processor was loaded from; None without one (e.g. remote storage)."""
    processor = getattr(agent, "processor", None)
    if processor is None:
        return None
    path = Path(processor.model_path)
    if path.is_dir():  # `--model DIR`: Rasa picked the newest file in it
        path = path / processor.model_filename
    return path if path.is_file() else None


async def watch_model(agent: Any, path: Path, state: ModelFileState,
                      interval: float = MODEL_POLL_SECONDS) -> None:
    """Load `path` into `agent` each time `state` says it was replaced; runs until cancelled.

    The load runs on a worker thread, one at a time: Rasa's `Agent.load_model`
    assigns the new processor only at its end, so the old model answers until then.
    """
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        current = file_signature(path)
        if not state.poll(current):
            continue
        try:
            await loop.run_in_executor(None, agent.load_model, path)
        except Exception as exc:  # keep serving with the model in use
            logger.warning("Could not load the new model %s (%s); the model in use stays.",
                           path.name, type(exc).__name__)
            state.load_failed(current)
            continue
        state.load_succeeded(current)
        await warm_up(agent)
        logger.info("Loaded the new model %s.", path.name)


_background: set = set()  # keeps the watcher referenced when there is no Sanic app to own it


def start_watching(agent: Any, loaded_before: Optional[Signature], app: Any = None) -> None:
    """Watch the agent's model file in the background (nothing to watch: do nothing).

    `loaded_before` is the file's signature taken before the load started, so a
    replacement made while the first load was running is picked up too.
    """
    path = model_file(agent)
    if path is None:
        return
    state = ModelFileState(loaded=loaded_before or file_signature(path))
    watcher = watch_model(agent, path, state, MODEL_POLL_SECONDS)
    if getattr(app, "add_task", None) is not None:
        app.add_task(watcher, name=MODEL_WATCHER_TASK)  # Sanic cancels it when the server stops
        return
    task = asyncio.ensure_future(watcher)
    _background.add(task)
    task.add_done_callback(_background.discard)


def install(host: str, port: int) -> None:
    """Make Rasa's model-loading listener warm the model up, watch its file, and wait for the port."""
    import rasa.core.run as core_run

    load_agent = core_run.load_agent_on_start

    async def load_agent_then_wait_for_port(model_path, endpoints, remote_storage, app, loop):
        loaded_before = file_signature(model_path)
        agent = await load_agent(model_path, endpoints, remote_storage, app, loop)
        start_watching(agent, loaded_before, app)
        if not port_is_free(host, port):
            await warm_up(agent)
        await wait_for_port(host, port)
        return agent

    core_run.load_agent_on_start = load_agent_then_wait_for_port


# TensorFlow's thread pools, sized to every core, cost the Rasa server a fifth of its CPU per
# message on two cores and gained nothing: one message is one small DIET call, and the
# server answers many at once on one event loop. One thread each: Rasa server CPU 44 -> 34
# ms/msg, 26 -> 28-33 msg/s at 32 conversations at once (docs/benchmarks.md). Rasa reads these
# in `rasa.__main__`; a value set by the operator wins.
TENSORFLOW_THREADS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def use_few_tensorflow_threads(environ: MutableMapping[str, str] = os.environ) -> None:
    for name, value in TENSORFLOW_THREADS.items():
        environ.setdefault(name, value)


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    logger.setLevel(logging.INFO)  # Rasa sets levels on its own loggers only
    use_few_tensorflow_threads()
    install(*address(argv))
    rasa_runtime.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":  # pragma: no cover
    main()
