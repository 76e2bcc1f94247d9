"""Phone numbers and contacts citizens type: reading them, masking them, matching them.

A stored phone number or e-mail address is never shown whole; a dossier is
checked against the last four digits of its phone, compared in constant time.
"""

from __future__ import annotations

import hmac
import re

from bot.core.text import strip_diacritics

_PHONE_RE = re.compile(r"^0\d{8,10}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")


def normalize_phone(raw: str | None) -> str | None:
    """Digits only, +84/84 prefix turned into 0; None when it is not a phone number."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not re.fullmatch(r"\+?[\d\s.\-()]{9,20}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE_RE.match(digits) else None


def mask_phone(phone: str | None, keep: int = 3) -> str:
    """`0912345678` → `*******678`: a stored phone is never shown whole."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) <= keep:
        return "*" * len(digits)
    return "*" * (len(digits) - keep) + digits[-keep:]


_FOUR_DIGITS_PHRASE = re.compile(r"\b(?:4|bon)\s*(?:chu\s*)?so(?:\s*cuoi)?\b")


def last4_from_text(text: str | None) -> str | None:
    """The four digits a citizen typed ("1234", "4 số cuối là 12 34"), or the last
    four of a whole phone number; None otherwise."""
    if not text:
        return None
    text = _FOUR_DIGITS_PHRASE.sub(" ", strip_diacritics(text[:200]).lower())
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return digits
    if 9 <= len(digits) <= 12 and normalize_phone(text.strip()):
        return digits[-4:]
    return None


def phone_matches(stored_phone: str, last4: str | None) -> bool:
    """Whether `last4` are the last four digits of the stored phone (constant time)."""
    if not last4 or len(last4) != 4 or not last4.isdigit():
        return False
    return hmac.compare_digest(stored_phone[-4:].encode(), last4.encode())


def normalize_contact(text: str | None) -> str | None:
    """A phone number (digits) or an e-mail address (lower case); None when it is neither."""
    raw = (text or "").strip()
    phone = normalize_phone(raw)
    if phone:
        return phone
    if EMAIL_RE.match(raw):
        return raw.lower()
    return None


def mask_contact(contact: str | None) -> str:
    """Show enough to recognise a contact, never a whole phone number."""
    if not contact:
        return "không để lại"
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:2]}***@{domain}"
    return mask_phone(contact, keep=3)
