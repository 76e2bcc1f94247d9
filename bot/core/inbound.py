"""What arrives from outside over HTTP: bodies, citizens' messages and sender ids.

Pure and fast; every surface that takes input uses it (the REST channel, the
kiosk API, the Zalo webhook, the dossier push API), so hostile input gets the
same answer everywhere: a `Rejected` carrying an HTTP status (always 4xx), a
code for programs and a short Vietnamese sentence for people. Nothing here
raises anything else on any input.

- `read_json(raw, max_bytes)`: a size cap, UTF-8, JSON, and a depth cap, so a
  nested array can neither exhaust the parser's recursion nor reach code that
  walks it recursively.
- `clean_text(text)`: a citizen's words as the assistant may store and log
  them: control characters (NUL...) removed, lone UTF-16 surrogates (which no
  database or JSON encoder accepts) replaced by U+FFFD.
- `has_unstorable_text(value)`: for data that must be kept exactly as sent
  (dossiers): True when some string in it holds NUL or a lone surrogate.
- `citizen_message(value)` and `sender(value)`: the two fields of a REST message.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 20
MAX_MESSAGE_CHARS = 2000  # Telegram allows 4096; no procedure question needs more than a few lines
MAX_SENDER_CHARS = 128  # "kiosk:<40>.<40>" is the longest our adapters make

# What people read when their request is refused.
EMPTY_BODY = "Yêu cầu không có nội dung. Hãy gửi JSON, ví dụ {\"sender\": \"...\", \"message\": \"...\"}."
INVALID_JSON = "Nội dung gửi lên không phải JSON hợp lệ (UTF-8)."
TOO_DEEP = "Nội dung JSON lồng nhau quá sâu."
TOO_LARGE = "Nội dung gửi lên quá lớn."
NOT_AN_OBJECT = "Nội dung phải là một đối tượng JSON, ví dụ {\"sender\": \"...\", \"message\": \"...\"}."
BAD_MESSAGE = "Trường \"message\" phải là một chuỗi văn bản."
BAD_SENDER = "Trường \"sender\" phải là một chuỗi từ 1 đến {max} ký tự, không có ký tự điều khiển."
MESSAGE_TOO_LONG = ("Câu hỏi dài quá. Bạn hỏi ngắn gọn trong vài câu giúp tôi, "
                    "ví dụ: “làm căn cước cần giấy tờ gì”.")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # json.loads joins valid pairs: any left is alone
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_NOT_IN_SENDER = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class Rejected(Exception):
    """A request refused with a 4xx: `status`, `error` (a code) and `message` (Vietnamese)."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(f"{status} {error}")
        self.status = status
        self.error = error
        self.message = message

    def body(self) -> dict:
        return {"error": self.error, "message": self.message}


def too_large() -> Rejected:
    return Rejected(413, "too_large", TOO_LARGE)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), counting no further than limit + 1."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json(raw: bytes, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of a request body, or Rejected (413 over max_bytes, else 400)."""
    if len(raw) > max_bytes:
        raise too_large()
    if not raw.strip():
        raise Rejected(400, "empty_body", EMPTY_BODY)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Rejected(400, "invalid_json", INVALID_JSON) from None
    if json_depth(value, max_depth) > max_depth:
        raise Rejected(400, "too_deep", TOO_DEEP)
    return value


def clean_text(text: str) -> str:
    """`text` without control characters (tab and newlines kept) and with lone surrogates as U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def has_unstorable_text(value: Any) -> bool:
    """True when a string in `value` (keys included, at any depth) holds NUL or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def citizen_message(value: Any) -> str:
    """A message's text, cleaned (it may come out empty). Not a string: Rejected 400.

    The length is not checked here: a long question deserves an answer in the
    conversation (`MESSAGE_TOO_LONG`), not an HTTP error; see `is_too_long`.
    """
    if not isinstance(value, str):
        raise Rejected(400, "invalid_message", BAD_MESSAGE)
    return clean_text(value)


def is_too_long(message: str, max_chars: int = MAX_MESSAGE_CHARS) -> bool:
    return len(message.strip()) > max_chars


def sender(value: Any, max_chars: int = MAX_SENDER_CHARS) -> str:
    """A conversation id: a string (or a whole number, as Rasa's REST channel took it) of 1 to
    max_chars characters without control characters or surrogates; else Rejected 400.

    Never cleaned: two different ids must not become one conversation.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if (not isinstance(value, str) or not value.strip() or len(value) > max_chars
            or _NOT_IN_SENDER.search(value)):
        raise Rejected(400, "invalid_sender", BAD_SENDER.format(max=max_chars))
    return value


def rest_request(raw: bytes, max_bytes: int) -> tuple[str, str]:
    """(sender, cleaned message) of a REST channel body `{"sender": ..., "message": ...}`, or Rejected.

    Other fields (Rasa's `metadata`, `input_channel`) are ignored: nothing of ours
    reads them, and a client must not name another channel or fill the tracker.
    """
    body = read_json(raw, max_bytes)
    if not isinstance(body, dict):
        raise Rejected(400, "invalid_shape", NOT_AN_OBJECT)
    return sender(body.get("sender")), citizen_message(body.get("message"))
