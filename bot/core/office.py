"""The deployment file (data/deployment.yml): the office, its hours, hotline and desk.

Staff edit the file; `load_office` validates it and names every problem so a
typo is caught before the assistant tells citizens a wrong opening time.
Hours are Vietnam time: `is_open` and `next_opening` take any aware time and
reason on the Vietnam clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot.core.clock import VN_TZ, to_local
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_OFFICE_FIELDS = ("name", "address", "desk", "hotline")
_TOP_KEYS = ("example", "office", "working_hours", "holidays")


class DeploymentError(ValueError):
    """The deployment file has problems; `problems` lists them, in Vietnamese."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = problems
        super().__init__(f"Tệp {path} có lỗi:\n" + "\n".join(f"  - {p}" for p in problems))


Span = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Place:
    """Where results are collected: from the deployment file."""

    desk: str
    address: str


DEFAULT_PLACE = Place(desk="bộ phận một cửa", address="nơi bạn đã nộp hồ sơ")


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    desk: str
    hotline: str
    hours: tuple[tuple[Span, ...], ...]  # one entry per weekday, Monday first
    holidays: frozenset[dt.date] = frozenset()
    example: bool = False

    @property
    def place(self) -> Place:
        return Place(desk=self.desk, address=self.address)

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        if day in self.holidays:
            return ()
        return self.hours[day.weekday()]

    def is_open(self, now: dt.datetime) -> bool:
        """Whether the desk is open at `now` (aware), by the Vietnam clock."""
        local = to_local(now)
        return any(start <= local.time() < end for start, end in self.spans_on(local.date()))

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """The next time (aware, Vietnam time) the desk opens after `now` (within three weeks)."""
        local = to_local(now)
        for offset in range(22):
            day = local.date() + dt.timedelta(days=offset)
            for start, _ in self.spans_on(day):
                opening = dt.datetime.combine(day, start, tzinfo=VN_TZ)
                if opening > local:
                    return opening
        return None

    def hours_summary(self) -> str:
        """"Thứ Hai đến Thứ Sáu: 7h30–11h30, 13h30–17h00. Chủ nhật: nghỉ." """
        groups: list[tuple[int, int, tuple[Span, ...]]] = []
        for i, spans in enumerate(self.hours):
            if groups and groups[-1][2] == spans and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, spans)
            else:
                groups.append((i, i, spans))
        parts = []
        for first, last, spans in groups:
            days = WEEKDAY_LABELS[first] if first == last else (
                f"{WEEKDAY_LABELS[first]}, {WEEKDAY_LABELS[last]}" if last == first + 1
                else f"{WEEKDAY_LABELS[first]} đến {WEEKDAY_LABELS[last]}")
            parts.append(f"{days}: {format_spans(spans)}")
        return ". ".join(parts) + "."


def format_time(t: dt.time) -> str:
    return f"{t.hour}h{t.minute:02d}"


def format_spans(spans: tuple[Span, ...]) -> str:
    if not spans:
        return "nghỉ"
    return ", ".join(f"{format_time(a)}–{format_time(b)}" for a, b in spans)


def format_opening(opening: dt.datetime, now: dt.datetime) -> str:
    """"8h00 sáng mai", "13h30 hôm nay", "7h30 Thứ Hai (17/03/2025)", by the Vietnam clock."""
    opening, now = to_local(opening), to_local(now)
    days = (opening.date() - now.date()).days
    if days == 0:
        when = "hôm nay"
    elif days == 1:
        when = "ngày mai"
    else:
        when = f"{WEEKDAY_LABELS[opening.weekday()]} ({opening.strftime('%d/%m/%Y')})"
    return f"{format_time(opening.time())} {when}"


def _parse_spans(day: str, raw: Any, problems: list[str]) -> tuple[Span, ...]:
    where = f"working_hours.{day}"
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f'{where}: cần một danh sách, ví dụ ["07:30-11:30", "13:30-17:00"], hoặc [] nếu nghỉ')
        return ()
    spans: list[Span] = []
    for item in raw:
        match = _SPAN_RE.match(str(item))
        if not match:
            problems.append(f"{where}: '{item}' không đúng dạng giờ:phút-giờ:phút (ví dụ 07:30-11:30)")
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            problems.append(f"{where}: '{item}' có giờ hoặc phút không hợp lệ")
            continue
        start, end = dt.time(h1, m1), dt.time(h2, m2)
        if end <= start:
            problems.append(f"{where}: '{item}' giờ kết thúc phải sau giờ bắt đầu")
            continue
        if spans and start < spans[-1][1]:
            problems.append(f"{where}: '{item}' chồng lên khoảng giờ trước đó hoặc không theo thứ tự")
            continue
        spans.append((start, end))
    return tuple(spans)


def _unknown_keys(mapping: Mapping, allowed: tuple[str, ...], prefix: str, problems: list[str]) -> None:
    for key in mapping:
        if key not in allowed:
            problems.append(f"{prefix}{key}: không dùng đến; các mục hợp lệ: {', '.join(allowed)}")


def parse_office(data: Any, path: Path | str = "deployment.yml") -> Office:
    """Validate the parsed YAML; raises DeploymentError naming every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise DeploymentError(path, ["tệp phải có các mục office, working_hours"])
    _unknown_keys(data, _TOP_KEYS, "", problems)
    office = data.get("office")
    fields: dict[str, str] = {}
    if not isinstance(office, Mapping):
        problems.append("thiếu mục office (name, address, desk, hotline)")
    else:
        _unknown_keys(office, _OFFICE_FIELDS, "office.", problems)
        for name in _OFFICE_FIELDS:
            value = office.get(name)
            if value is None or not str(value).strip():
                problems.append(f"office.{name}: chưa điền")
            elif len(str(value)) > 300:
                problems.append(f"office.{name}: dài quá (tối đa 300 ký tự)")
            else:
                fields[name] = " ".join(str(value).split())
        hotline = fields.get("hotline", "")
        if hotline and not re.fullmatch(r"[\d\s.\-]{3,20}", hotline):
            problems.append(f"office.hotline: '{hotline}' chỉ gồm chữ số, ví dụ 1022")
    hours_raw = data.get("working_hours")
    hours: list[tuple[Span, ...]] = []
    if not isinstance(hours_raw, Mapping):
        problems.append("thiếu mục working_hours (monday … sunday)")
    else:
        _unknown_keys(hours_raw, WEEKDAYS, "working_hours.", problems)
        for day in WEEKDAYS:
            if day not in hours_raw:
                problems.append(f"working_hours.{day}: thiếu (để [] nếu nghỉ)")
            hours.append(_parse_spans(day, hours_raw.get(day), problems))
        if not any(hours):
            problems.append("working_hours: không có ngày nào làm việc")
    holidays: set[dt.date] = set()
    for item in data.get("holidays") or []:
        try:
            holidays.add(item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item)))
        except ValueError:
            problems.append(f"holidays: '{item}' không đúng dạng năm-tháng-ngày (ví dụ 2025-09-02)")
    example = data.get("example", False)
    if not isinstance(example, bool):
        problems.append("example: chỉ được là true hoặc false")
    if problems:
        raise DeploymentError(path, problems)
    return Office(hours=tuple(hours), holidays=frozenset(holidays), example=bool(example), **fields)


def load_office(path: Path) -> Office:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeploymentError(path, ["không tìm thấy tệp"]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DeploymentError(path, [f"không đọc được tệp: {exc}"]) from None
    return parse_office(data, path)
