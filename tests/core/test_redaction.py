"""Log lines never hold a whole phone number, dossier code or e-mail address."""

from __future__ import annotations

import re

import pytest

from bot.core.dossiers.codes import mask_code
from bot.core.redaction import redact

CODE = "000.00.12.H12-250312-0042"


@pytest.mark.parametrize("typed", [
    "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "84912345678", "0241234567",
])
def test_phone_numbers_as_typed_are_masked(typed):
    line = f"user said: số của tôi là {typed}, gọi nhé"
    out = redact(line)
    assert typed not in out
    assert re.sub(r"\D", "", out) == typed[-3:]  # only the last three digits stay
    assert out.startswith("user said: số của tôi là ") and out.endswith(", gọi nhé")


def test_dossier_codes_in_any_form_are_masked():
    for typed in (CODE, "000.00.12.h12-250312-0042", "0000012H122503120042", "000 00 12 H12 250312 0042"):
        out = redact(f"tra cứu hồ sơ {typed} giúp tôi")
        assert typed not in out and CODE not in out
        assert "250312" not in out and "0042" not in out
    assert mask_code(CODE) == "000.00.12.H12-******-**42"


def test_email_addresses_are_masked():
    out = redact("liên hệ nguyen.van.a@example.com.vn nhé")
    assert "nguyen.van.a@" not in out and "@example.com.vn" in out


def test_ordinary_log_lines_are_unchanged():
    for line in (
        "2026-03-20 10:11:12,345 INFO rasa_sdk.executor - Received request to run 'action_check_dossier'",
        "listening on 127.0.0.1:5055, pid 12345, 8 workers",
        "took 120 ms; 4 digits 1234 checked",
        "",
    ):
        assert redact(line) == line


def test_a_line_with_everything_keeps_its_shape():
    out = redact(f"code={CODE} phone=0987654321 mail=ab@c.vn")
    assert out == "code=000.00.12.H12-******-**42 phone=*******321 mail=ab***@c.vn"
