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

Takes exactly `rasa run`'s arguments (`--interface`, `--port` and the rest).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys
from typing import Sequence

from bot import rasa_runtime

logger = logging.getLogger("bot.rasa_server")

POLL_SECONDS = 0.2
WARM_UP_MESSAGE = "xin chào"


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


def install(host: str, port: int) -> None:
    """Make Rasa's model-loading listener warm the model up and wait for the port after loading it."""
    import rasa.core.run as core_run

    load_agent = core_run.load_agent_on_start

    async def load_agent_then_wait_for_port(*args, **kwargs):
        agent = await load_agent(*args, **kwargs)
        if not port_is_free(host, port):
            await warm_up(agent)
        await wait_for_port(host, port)
        return agent

    core_run.load_agent_on_start = load_agent_then_wait_for_port


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    logger.setLevel(logging.INFO)  # Rasa sets levels on its own loggers only
    install(*address(argv))
    rasa_runtime.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":  # pragma: no cover
    main()
