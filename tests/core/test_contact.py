"""Phone numbers: normalized, masked, and matched on their last four digits."""

from __future__ import annotations

from bot.core.contact import last4_from_text, mask_phone, normalize_phone, phone_matches


def test_phones_are_normalized_and_masked():
    assert normalize_phone("0912 345 678") == "0912345678"
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("84912345678") == "0912345678"
    assert normalize_phone("12345") is None
    assert normalize_phone("09123abc78") is None
    assert mask_phone("0912345678") == "*******678"
    assert "0912345678" not in mask_phone("0912345678", keep=4)


def test_last4_from_what_citizens_type():
    assert last4_from_text("5678") == "5678"
    assert last4_from_text("4 số cuối là 56 78") == "5678"
    assert last4_from_text("0912345678") == "5678"
    assert last4_from_text("123") is None
    assert last4_from_text("12345") is None
    assert last4_from_text("không nhớ") is None


def test_phone_match_needs_exactly_the_last_four_digits():
    assert phone_matches("0912345678", "5678")
    assert not phone_matches("0912345678", "5679")
    assert not phone_matches("0912345678", None)
    assert not phone_matches("0912345678", "678")
