"""Reading a curated record's texts back: each column's text as a value, then the record, validated.

The layout is `bot.core.record_fields`. `from_texts` reads changed texts over a
record and validates the result with the catalog's own model (`Procedure(**...)`),
never a second validator; a text that does not read, and every error of the model
(`bot.core.record_errors`), comes back as a `Problem` naming its column, in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Mapping

from pydantic import ValidationError

from bot.core.catalog import DOCUMENT_KIND_LABELS, Procedure
from bot.core.record_errors import problems_of
from bot.core.record_fields import (ASPECT_LABELS, BY_KEY, CODE_KEY, KEYS, NO, YES, Column, Problem,
                                    RecordProblems)
from bot.core.text import fold

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_GROUPED = re.compile(r"\d{1,3}(?:[., ]\d{3})+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_TRUE = {"co", "x", "1", "true", "yes", "dung"}
_FALSE = {"khong", "0", "false", "no", "sai"}


class _Bad(ValueError):
    """A text that does not read as its column's kind; the message is Vietnamese."""


def _date(text: str) -> dt.date:
    found = _DMY.fullmatch(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    else:
        found = _ISO.fullmatch(text[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", text) else text)
        if not found:
            raise _Bad(f"'{text[:30]}' không phải ngày (viết dạng ngày/tháng/năm, ví dụ 31/12/2026)")
        year, month, day = (int(g) for g in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"ngày '{text[:30]}' không có thật") from None


def _choice(choices: Mapping[str, str], text: str) -> str:
    folded = fold(text)
    for code, label in choices.items():
        if folded in (fold(code), fold(label)):
            return code
    raise _Bad(f"'{text[:40]}' không phải một lựa chọn; dùng một trong: " + ", ".join(choices))


def _int(text: str) -> int:
    compact = text.replace(" ", "")
    if _GROUPED.fullmatch(text) or compact.isdigit():
        return int(re.sub(r"\D", "", text))
    raise _Bad(f"'{text[:30]}' không phải số nguyên (ví dụ 50000 hoặc 50.000)")


def _float(text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise _Bad(f"'{text[:30]}' không phải số (ví dụ 5 hoặc 1,5)")
    return float(text.replace(",", "."))


def _bool(text: str) -> bool:
    folded = fold(text)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _Bad(f"'{text[:30]}' không rõ; ghi {YES} hoặc {NO}")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parts(line: str, most: int, n: int) -> list[str]:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) > most:
        raise _Bad(f"dòng {n} có {len(parts)} phần, nhiều nhất {most} phần ngăn bằng dấu |")
    return parts + [""] * (most - len(parts))


def _documents(text: str) -> list[dict]:
    out = []
    for n, line in enumerate(_lines(text), 1):
        name, kind, quantity, notes = _parts(line, 4, n)
        try:
            out.append({"name": name, "kind": _choice(DOCUMENT_KIND_LABELS, kind) if kind else "ban_chinh",
                        "quantity": _int(quantity) if quantity else 1, "notes": notes or None})
        except _Bad as exc:
            raise _Bad(f"dòng {n}: {exc}") from None
    return out


def _forms(text: str) -> list[dict]:
    out = []
    for n, line in enumerate(_lines(text), 1):
        name, where, code = _parts(line, 3, n)
        out.append({"name": name, "where": where, "code": code or None})
    return out


def _aspects(text: str) -> list[str]:
    out = []
    for item in re.split(r"[,;\n]", text):
        if item.strip():
            code = _choice(ASPECT_LABELS, item.strip())
            if code not in out:
                out.append(code)
    return out


# An empty text is an empty list for these kinds, and None for every other kind.
_LIST_READERS = {"lines": _lines, "documents": _documents, "forms": _forms, "aspects": _aspects}
_VALUE_READERS = {"date": _date, "int": _int, "number": _float, "bool": _bool}


def value_of(column: Column, text: str):
    """The record value a column's text stands for; _Bad when it does not read."""
    text = (text or "").strip()
    kind = column.kind
    if kind in _LIST_READERS:
        return _LIST_READERS[kind](text)
    if not text:
        return None
    if kind in _VALUE_READERS:
        return _VALUE_READERS[kind](text)
    if kind == "choice":
        return _choice(column.choices or {}, text)
    return " ".join(text.split()) if kind == "text" else text


def from_texts(base: Procedure, texts: Mapping[str, str]) -> Procedure:
    """`base` with the given columns' texts read over it, validated by the catalog's model.

    Columns not given keep `base`'s values. The code cannot change. Raises
    RecordProblems naming each bad column (an unknown column is one too).
    """
    raw = json.loads(base.json())
    problems: list[Problem] = []
    for key, text in texts.items():
        column = BY_KEY.get(key)
        if column is None:
            problems.append(Problem(key, f"không có cột '{key[:40]}' (các cột: {', '.join(KEYS)})"))
            continue
        if key == CODE_KEY:
            if " ".join((text or "").split()) != base.code:
                problems.append(Problem(key, "không sửa được mã thủ tục"))
            continue
        try:
            value = value_of(column, text)
        except _Bad as exc:
            problems.append(Problem(key, str(exc)))
            continue
        target = raw
        *parents, last = column.path.split(".")
        for part in parents:
            target = target[part]
        target[last] = value.isoformat() if isinstance(value, dt.date) else value
    try:  # columns that did not read keep their old value here, so every other problem is found too
        record = Procedure(**raw)
    except ValidationError as exc:
        problems += problems_of(exc)
    if problems:
        raise RecordProblems(problems)
    return record
