"""Short answers citizens type in any form: yes, no, skip, cancel ("thôi", "bỏ qua").

Words are compared folded (no diacritics, lower case); button payloads such as
/affirm, /deny and /skip count as the words they stand for.
"""

from __future__ import annotations

from bot.core.text import fold

SKIP_WORDS = frozenset({
    "bo qua", "khong", "khong co", "ko", "k", "khong can", "thoi", "skip", "-", "khong de lai",
    "khong lien quan", "khong co ma",
})
CANCEL_WORDS = frozenset({
    "thoi", "huy", "huy bo", "dung", "dung lai", "thoat", "khong tra nua", "khong gui nua", "thoi khong can",
    "stop", "cancel", "/deny",
})
YES_WORDS = frozenset({"co", "gui", "gui di", "dong y", "ok", "oke", "u", "vang", "da", "dung roi", "yes", "/affirm"})
NO_WORDS = frozenset({"khong", "ko", "k", "huy", "khong gui", "thoi", "no", "/deny"})


def is_cancel(text: str | None) -> bool:
    """"thôi", "hủy"...: the citizen wants to stop what the assistant is asking."""
    raw = (text or "").strip()
    return raw in ("/deny",) or fold(raw)[:40] in CANCEL_WORDS


def yes_or_no(text: str | None, intent: str | None = None) -> bool | None:
    if intent == "affirm" or (text or "").strip() == "/affirm":
        return True
    if intent == "deny" or (text or "").strip() == "/deny":
        return False
    folded = fold(text or "")[:40]
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    return None


def is_skip(text: str | None) -> bool:
    folded = fold(text or "")
    return folded in SKIP_WORDS or (text or "").strip() in ("/skip", "-")
