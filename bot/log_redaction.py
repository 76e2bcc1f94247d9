"""A logging filter that masks dossier codes, phone numbers and e-mails in every line.

`install()` puts `RedactingFilter` on every handler of the root logger (adding a
stderr handler when there is none), so records from any library that reach a
handler are masked: the message with its arguments, the traceback and the stack.
Each process the project controls calls it at start (`bot` commands, the action
server). Masking itself is `bot.core.redaction.redact`.
"""

from __future__ import annotations

import logging

from bot.core.redaction import redact

_FORMAT = "%(asctime)s %(levelname)s %(name)s - %(message)s"
_formatter = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Rewrites the record in place with the masked text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


def install(level: int | None = None) -> RedactingFilter:
    """Mask every line the root logger's handlers write; returns the filter (installed once per handler)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level or logging.INFO, format=_FORMAT)
    elif level is not None:
        root.setLevel(level)
    redacting = RedactingFilter()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    return redacting
