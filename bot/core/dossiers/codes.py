"""Dossier codes as printed on the receipt, e.g. `000.00.12.H12-250312-0042`.

Agency code, receipt date YYMMDD, sequence. Citizens type them in lower case,
with spaces, or without punctuation: every form is read back to the canonical one.
"""

from __future__ import annotations

import re

from bot.core.text import first_match

_SEP = r"[\s.\-_/]*"
# The same pattern is the `dossier_code` regex in data/nlu/dossiers.yml.
CODE_PATTERN = (
    r"(?<![0-9A-Za-z])\d{3}" + _SEP + r"\d{2}" + _SEP + r"\d{2}" + _SEP + r"[A-Za-z]\d{2}"
    + _SEP + r"\d{6}" + _SEP + r"\d{4}(?![0-9A-Za-z])"
)
_CODE_RE = re.compile(CODE_PATTERN)
_COMPACT_RE = re.compile(r"^(\d{3})(\d{2})(\d{2})([A-Z]\d{2})(\d{6})(\d{4})$")
CODE_EXAMPLE = "000.00.12.H12-250312-0042"
MAX_CODE_INPUT = 100


def normalize_code(raw: str | None) -> str | None:
    """The canonical code (`000.00.12.H12-250312-0042`) for a typed one, else None.

    Accepts lower case, spaces, and missing or different punctuation.
    """
    if not raw or len(raw) > MAX_CODE_INPUT:
        return None
    compact = re.sub(r"[\s.\-_/]", "", raw).upper()
    match = _COMPACT_RE.match(compact)
    if not match:
        return None
    agency1, agency2, agency3, agency4, day, seq = match.groups()
    return f"{agency1}.{agency2}.{agency3}.{agency4}-{day}-{seq}"


def mask_code(raw: str | None) -> str:
    """`000.00.12.H12-250312-0042` → `000.00.12.H12-******-**42`: the agency, never the whole code.

    Anything that is not a code is masked whole.
    """
    code = normalize_code(raw)
    if code is None:
        return "*" * min(len(raw or ""), 20)
    agency, day, seq = code.rsplit("-", 2)
    return f"{agency}-{'*' * len(day)}-**{seq[-2:]}"


def find_code(text: str | None) -> str | None:
    """The first dossier code written anywhere in a message, canonical, else None."""
    return first_match(_CODE_RE, text, normalize_code)
