"""Masking what identifies a citizen in free text: for log lines.

`redact(text)` hides every dossier code, phone number and e-mail address in a
line, keeping just enough to tell two apart while debugging (the same masks the
assistant shows citizens: `bot.core.contact`, `bot.core.dossiers.codes`).
Pure and fast: the log filter in `bot.log_redaction` calls it on every line.
"""

from __future__ import annotations

import re

from bot.core.contact import mask_contact, mask_phone
from bot.core.dossiers.codes import CODE_PATTERN, mask_code

_CODE_RE = re.compile(CODE_PATTERN)
# A Vietnamese mobile or landline number as typed in a sentence: 0 or (+)84, then
# 8–10 more digits, single spaces, dots or dashes allowed between digits.
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+?84|0)(?:[ .\-]?\d){8,10}(?!\w)")
_EMAIL_RE = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+")


def redact(text: str) -> str:
    """`text` with dossier codes, phone numbers and e-mail addresses masked."""
    if not text:
        return text
    text = _CODE_RE.sub(lambda m: mask_code(m.group(0)), text)
    text = _EMAIL_RE.sub(lambda m: mask_contact(m.group(0).lower()), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
