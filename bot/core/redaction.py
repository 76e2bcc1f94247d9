"""Masking what identifies a citizen in free text: for log lines.

`redact(text)` hides every dossier code, phone number and e-mail address in a
line, keeping just enough to tell two apart while debugging (the same masks the
assistant shows citizens: `bot.core.contact`, `bot.core.dossiers.codes`).
Pure and fast: the log filter in `bot.log_redaction` calls it on every line.

`redact_personal(text)` goes further, for citizens' words shown to people who
do not need them (the trainers' inbox, `bot.core.trainer_inbox`): on top of
`redact`, a name introduced as one ("tên tôi là Nguyễn Văn An", "tôi là Lê
Thị Hoa") becomes `[tên]`, and a street address (a house number with
"số/ngõ/ngách/hẻm/kiệt", or a number before "đường/phố") becomes `[địa chỉ]`;
any other run of 7 or more digits (a citizen ID, an account number) becomes
`[số]`. Names written without an introduction are not detected.
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

_UPPER = "A-ZĐÀ-ỸÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĨŨƠƯẠ-Ỹ"
_NAME_WORD = rf"[{_UPPER}][^\s\d.,;:!?()\[\]]*"
# "tên (tôi|em|con|mình) (là)", "tôi tên (là)", "tôi là", "họ tên" … then one to five capitalised words.
_NAME_RE = re.compile(
    rf"(?i:\b(?:(?:họ\s+)?tên(?:\s+(?:tôi|em|con|mình|cháu|của tôi))?(?:\s+là)?|(?:tôi|em|con|mình|cháu)"
    rf"\s+(?:tên\s+)?là|ho ten|ten(?:\s+(?:toi|em|con|minh))?(?:\s+la)?|(?:toi|em|con|minh)\s+la)\s*:?\s+)"
    rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})"
)
_STREET_WORDS = r"(?:đường|phố|duong|pho|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|tổ|to|thôn|thon|ấp|ap|xóm|xom)"
_ADDRESS_RE = re.compile(
    rf"(?i:\b(?:số\s+nhà|so\s+nha|số|so|nhà|nha|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet)\s*\d+[\w/\-]*"
    rf"(?:[\s,]+{_STREET_WORDS}\s*[\w/\-]+(?:\s+[{_UPPER}][^\s\d.,;:!?()]*)*)*"
    rf"|\b\d+[a-z]?(?:/\d+[a-z]?)*\s+{_STREET_WORDS}\s+[\w/\-]+(?:\s+[{_UPPER}][^\s\d.,;:!?()]*)*)"
)
_LONG_NUMBER_RE = re.compile(r"(?<![\w*])\d{7,}(?![\w*])")


def redact(text: str) -> str:
    """`text` with dossier codes, phone numbers and e-mail addresses masked."""
    if not text:
        return text
    text = _CODE_RE.sub(lambda m: mask_code(m.group(0)), text)
    text = _EMAIL_RE.sub(lambda m: mask_contact(m.group(0).lower()), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def redact_personal(text: str) -> str:
    """`redact(text)`, then introduced names, street addresses and long numbers replaced
    (see the module docstring)."""
    if not text:
        return text
    text = redact(text)
    text = _NAME_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[tên]", text)
    text = _ADDRESS_RE.sub("[địa chỉ]", text)
    return _LONG_NUMBER_RE.sub("[số]", text)
