"""Validation of what arrives over HTTP: every hostile body is a 4xx `Rejected`, nothing else."""

from __future__ import annotations

import json

import pytest

from bot.core.inbound import (
    MAX_JSON_DEPTH,
    MAX_SENDER_CHARS,
    Rejected,
    citizen_message,
    clean_text,
    has_unstorable_text,
    is_too_long,
    json_depth,
    read_json,
    sender,
)
from tests.hostile_corpus import corpus, raw_cases

CORPUS = corpus("sender", "message")

LIMIT = 64 * 1024


def test_a_plain_body_is_read():
    assert read_json('{"sender": "a", "message": "xin chào"}'.encode(), LIMIT) == {"sender": "a", "message": "xin chào"}


@pytest.mark.parametrize("raw, status, error", [
    (b"", 400, "empty_body"),
    (b"  \r\n", 400, "empty_body"),
    (b"hello", 400, "invalid_json"),
    (b'{"a": "\xff"}', 400, "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, 413, "too_large"),
    (b"[" * 30_000 + b"]" * 30_000, 400, "invalid_json"),  # past the parser's recursion limit
    (b"[" * 500 + b"]" * 500, 400, "too_deep"),  # parsed, then refused before anything walks it
    (b'{"a":' * 300 + b"1" + b"}" * 300, 400, "too_deep"),
    (b"1" * 5000, 400, "invalid_json"),  # Python refuses integers of more than 4300 digits
    (b"x" * (LIMIT + 1), 413, "too_large"),
])
def test_hostile_bodies_are_refused_with_a_4xx(raw, status, error):
    with pytest.raises(Rejected) as refused:
        read_json(raw, LIMIT)
    assert (refused.value.status, refused.value.error) == (status, error)
    assert refused.value.body()["message"]  # a sentence for people


def test_depth_up_to_the_limit_is_accepted():
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(read_json(nested.encode(), LIMIT)) == MAX_JSON_DEPTH
    assert json_depth({"a": [1, {"b": 2}]}) == 3
    assert json_depth("text") == 0


@pytest.mark.parametrize("name, raw, content_type", CORPUS, ids=[case[0] for case in CORPUS])
def test_no_body_of_the_corpus_raises_anything_but_rejected(name, raw, content_type):
    try:
        body = read_json(raw, 16 * 1024)
    except Rejected as refused:
        assert 400 <= refused.status < 500
        return
    if isinstance(body, dict):
        for field, check in (("sender", sender), ("message", citizen_message)):
            try:
                json.dumps(check(body.get(field))).encode("utf-8")  # what passes can be stored and sent
            except Rejected as refused:
                assert refused.status == 400


def test_the_corpus_covers_the_issue_list():
    names = {name for name, _, _ in corpus("sender", "message")}
    for expected in ("empty body", "not json", "form encoded", "deep array", "10 MB body", "NUL message",
                     "lone surrogate", "10 kB message", "huge sender id", "message as list", "sender as object",
                     "missing message", "missing sender"):
        assert expected in names
    assert len(list(raw_cases())) < len(corpus("sender", "message"))


def test_clean_text_removes_controls_and_replaces_lone_surrogates():
    assert clean_text("làm căn\x00 cước\x1b\x7f") == "làm căn cước"
    assert clean_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_text("dòng 1\ndòng 2\ttab\r\n") == "dòng 1\ndòng 2\ttab\r\n"
    assert clean_text("😀 Tiếng Việt") == "😀 Tiếng Việt"
    clean_text("\ud800").encode("utf-8")  # storable


def test_unstorable_text_is_found_at_any_depth_keys_included():
    assert not has_unstorable_text({"code": "A-1", "notes": ["Hồ sơ 😀", {"x": 1}]})
    assert has_unstorable_text({"notes": ["ok", {"x": "a\x00"}]})
    assert has_unstorable_text([{"\ud800": 1}])
    assert has_unstorable_text("\udc00")


@pytest.mark.parametrize("value", [None, 42, ["a"], {"text": "a"}, True, 1.5])
def test_a_message_that_is_not_a_string_is_refused(value):
    with pytest.raises(Rejected) as refused:
        citizen_message(value)
    assert (refused.value.status, refused.value.error) == (400, "invalid_message")


def test_a_message_is_cleaned_and_long_ones_are_flagged():
    assert citizen_message("xin\x00 chào \ud800") == "xin chào \ufffd"
    assert citizen_message("") == ""
    assert not is_too_long("x" * 2000) and is_too_long("x" * 2001)
    assert not is_too_long("  x  ", max_chars=1)


@pytest.mark.parametrize("value, expected", [
    ("telegram:42", "telegram:42"), ("kiosk:" + "a" * 40 + "." + "b" * 40, None), (12345, "12345"),
    ("s" * MAX_SENDER_CHARS, None),
])
def test_good_senders_are_kept_as_they_are(value, expected):
    assert sender(value) == (expected or value)


@pytest.mark.parametrize("value", [
    None, "", "   ", "s" * (MAX_SENDER_CHARS + 1), "s" * 100_000, "a\x00b", "a\ud800", "a\nb", {"id": 1}, ["a"],
    True, 1.5,
])
def test_bad_senders_are_refused_not_cleaned(value):
    with pytest.raises(Rejected) as refused:
        sender(value)
    assert (refused.value.status, refused.value.error) == (400, "invalid_sender")
