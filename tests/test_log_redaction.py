"""The log filter masks every line a handler writes: message, arguments and traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.log_redaction import RedactingFilter, install

CODE = "000.00.12.H12-250312-0042"
PHONE = "0912345678"


@pytest.fixture
def stream_logger():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_message_arguments_and_traceback_are_masked(stream_logger):
    logger, stream = stream_logger
    logger.warning("check %s for %s", CODE, PHONE)
    try:
        raise ValueError(f"no dossier {CODE} for {PHONE}")
    except ValueError:
        logger.exception("failed")
    out = stream.getvalue()
    assert CODE not in out and PHONE not in out
    assert "000.00.12.H12-******-**42" in out and "*******678" in out and "ValueError" in out


def test_a_broken_format_string_still_logs(stream_logger):
    logger, stream = stream_logger
    logger.warning("only %s %s", PHONE)
    assert "only" in stream.getvalue() and PHONE not in stream.getvalue()


def test_install_covers_every_root_handler_once():
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        install()
        install()
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logging.getLogger("some.library").warning("sender %s", PHONE)
        assert PHONE not in handler.stream.getvalue() and "*******678" in handler.stream.getvalue()
    finally:
        root.removeHandler(handler)
