"""Hostile request bodies for every surface that takes input, shared by the unit tests,
the end-to-end hostile test and `benchmarks/hostile.py`.

Each case is (name, raw body bytes, content type). `corpus(fields)` fills the
JSON-shaped cases with the surface's own field names, so each surface also gets
well-formed bodies carrying hostile values (wrong types, NUL, lone surrogates,
10 kB messages, huge sender ids, missing fields).
"""

from __future__ import annotations

import json
from typing import Iterator

Case = tuple[str, bytes, str]

JSON = "application/json"
MB = 1024 * 1024


def _dumps(value) -> bytes:
    # ensure_ascii keeps lone surrogates encodable: they travel as \ud800 escapes, as an attacker sends them
    return json.dumps(value).encode("utf-8")


def raw_cases() -> Iterator[Case]:
    """Bodies that are wrong whatever the surface expects."""
    yield "empty body", b"", JSON
    yield "whitespace body", b"   \n", JSON
    yield "not json", b"hello", JSON
    yield "truncated json", b'{"sender": "a", "message": "xin ch', JSON
    yield "form encoded", b"sender=a&message=xin+chao", "application/x-www-form-urlencoded"
    yield "text/plain json", b'{"sender": "a", "message": "xin chao"}', "text/plain"
    yield "xml", b"<?xml version='1.0'?><message>xin chao</message>", "application/xml"
    yield "invalid utf-8", b'{"sender": "a", "message": "\xff\xfe\xc3"}', JSON
    yield "utf-16 body", '{"sender": "a", "message": "xin chào"}'.encode("utf-16"), JSON
    yield "raw NUL bytes", b'{"sender": "a\x00", "message": "\x00\x00"}', JSON
    yield "deep array", b"[" * 100_000 + b"]" * 100_000, JSON
    yield "deep object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, JSON
    yield "moderately deep array", b"[" * 500 + b"]" * 500, JSON
    yield "json null", b"null", JSON
    yield "json number", b"12345678901234567890", JSON
    yield "huge integer", b"1" * 10_000, JSON
    yield "json string", b'"xin chao"', JSON
    yield "json list", b'[{"sender": "a", "message": "xin chao"}]', JSON
    yield "NaN", b'{"sender": "a", "message": NaN}', JSON
    yield "10 MB body", b'{"sender": "a", "message": "' + b"x" * (10 * MB) + b'"}', JSON
    yield "10 MB of spaces", b" " * (10 * MB), JSON


def field_cases(sender_field: str | None, message_field: str, base: dict) -> Iterator[Case]:
    """Well-formed JSON with hostile values in the surface's fields (`base` holds its other fields)."""

    def body(**fields) -> bytes:
        return _dumps({**base, **fields})

    s = {sender_field: "hostile-test"} if sender_field else {}
    yield "missing message", body(**s), JSON
    if sender_field:
        yield "missing sender", _dumps({**base, message_field: "xin chào"}), JSON
        yield "sender as object", body(**{sender_field: {"id": 1}, message_field: "xin chào"}), JSON
        yield "sender as list", body(**{sender_field: ["a"], message_field: "xin chào"}), JSON
        yield "sender null", body(**{sender_field: None, message_field: "xin chào"}), JSON
        yield "huge sender id", body(**{sender_field: "s" * 100_000, message_field: "xin chào"}), JSON
        yield "sender with NUL", body(**{sender_field: "a\x00b", message_field: "xin chào"}), JSON
        yield "sender lone surrogate", body(**{sender_field: "a\ud800", message_field: "xin chào"}), JSON
    yield "message as list", body(**s, **{message_field: ["xin", "chào"]}), JSON
    yield "message as number", body(**s, **{message_field: 42}), JSON
    yield "message as object", body(**s, **{message_field: {"text": "xin chào"}}), JSON
    yield "message true", body(**s, **{message_field: True}), JSON
    yield "message null", body(**s, **{message_field: None}), JSON
    yield "empty message", body(**s, **{message_field: ""}), JSON
    yield "NUL message", body(**s, **{message_field: "\x00"}), JSON
    yield "NUL inside message", body(**s, **{message_field: "làm căn\x00 cước"}), JSON
    yield "lone surrogate", body(**s, **{message_field: "\ud800"}), JSON
    yield "lone low surrogate in text", body(**s, **{message_field: "xin chào \udfff bạn"}), JSON
    yield "control characters", body(**s, **{message_field: "\x1b[31mxin\x07 chào\x7f"}), JSON
    yield "10 kB message", body(**s, **{message_field: "x" * 10_000}), JSON
    yield "10 kB Vietnamese", body(**s, **{message_field: "làm căn cước " * 800}), JSON
    yield "emoji and rtl", body(**s, **{message_field: "😀\u202e\u200bxin chào\ufeff"}), JSON
    yield "braces payload", body(**s, **{message_field: "/ask_fee{\"procedure_code\": {\"a\": [[[1]]]}}"}), JSON
    yield "broken intent payload", body(**s, **{message_field: "/choose_procedure{bad json"}), JSON
    yield "extra fields", body(**s, **{message_field: "xin chào", "metadata": [[[[1]]]], "input_channel": {}}), JSON


def corpus(sender_field: str | None, message_field: str, base: dict | None = None) -> list[Case]:
    return [*raw_cases(), *field_cases(sender_field, message_field, base or {})]
