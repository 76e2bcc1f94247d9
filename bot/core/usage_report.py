"""How the assistant is doing over a period: figures from stored conversations and the database.

Input is what is stored, never logs: the Rasa server's conversation events
(`StoredEvent`, from its `events` table), ratings and feedback tickets. A *turn*
is one citizen message and what the assistant did until the next one; its
outcome is read from the responses the actions sent (Rasa stores each response's
name as `metadata.utter_action` on the bot event) and the slots they set:

- answered: an answer was sent (`procedure_code` set, or the last page of an answer);
- choose: the assistant offered procedures or aspects to choose from;
- not_found: "no procedure found" (`utter_no_match`, `utter_no_more_candidates`);
- fallback: not understood or out of scope (`utter_ask_rephrase`, `utter_offer_human`,
  `utter_out_of_scope`, Rasa's default fallback);
- other: greetings, dossier lookups, feedback, ratings…

Compaction (`bot.tracker_store`) starts a new session whose last two turns are
copies stamped with that session's start time: those copies are skipped, so a
turn is counted once. Retention (`bot conversations purge`) deletes old events:
figures cover only what is still stored.

Dossier lookups are read from the conversations too (`action_check_dossier` and
the status response it sent; "late" is the assistant's own judgement at the time
of the lookup); the database keeps only short-lived proofs of a lookup.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from bot.core.clock import VN_TZ
from bot.core.conversation_events import StoredEvent
from bot.core.conversations import channel_name
from bot.core.ratings import LEVELS, percent
from bot.core.redaction import redact
from bot.core.text import fold

MAX_DAYS = 366
TOP = 10

ANSWERED, CHOOSE, NOT_FOUND, FALLBACK, OTHER = "answered", "choose", "not_found", "fallback", "other"
OUTCOME_LABELS = {
    ANSWERED: "Đã trả lời",
    CHOOSE: "Hỏi lại để chọn",
    NOT_FOUND: "Không tìm thấy thủ tục",
    FALLBACK: "Chưa hiểu, ngoài phạm vi",
    OTHER: "Việc khác (chào hỏi, hồ sơ, phản ánh…)",
}
NOT_FOUND_RESPONSES = frozenset({"utter_no_match", "utter_no_more_candidates"})
FALLBACK_RESPONSES = frozenset({"utter_ask_rephrase", "utter_offer_human", "utter_out_of_scope", "utter_default"})
CHOOSE_RESPONSES = frozenset({"utter_choose_procedure", "utter_ask_which_procedure", "utter_ask_aspect"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback"})
DOSSIER_ACTION = "action_check_dossier"
DOSSIER_FOUND = "utter_dossier_status"
DOSSIER_LATE = frozenset({"utter_dossier_late", "utter_dossier_late_new_date"})
DOSSIER_NOT_MATCHED = "utter_dossier_not_matched"
DOSSIER_REFUSED = frozenset({"utter_dossier_locked", "utter_dossier_check_at_desk", "utter_dossier_checks_paused"})
UNANSWERED = (NOT_FOUND, FALLBACK)


class ReportError(ValueError):
    """A period that cannot be reported on; the message is for people (Vietnamese)."""


@dataclass(frozen=True)
class Period:
    """Vietnam days `first` to `last`, both included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), VN_TZ)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (midnight after `last`, Vietnam time)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), VN_TZ)

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def parse_day(text: str | None) -> dt.date | None:
    """`2026-03-02` or `02/03/2026`; None when it is neither."""
    text = (text or "").strip()[:20]
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_period(first: str | None, last: str | None, today: dt.date, default_days: int = 28) -> Period:
    """The period between two typed days; a missing day defaults to the last `default_days` days to today."""
    last_day = parse_day(last) if last else today
    if last and last_day is None:
        raise ReportError(f"Ngày kết thúc \"{last[:20]}\" không đúng. Bạn viết theo dạng 2026-03-31 hoặc 31/03/2026.")
    first_day = parse_day(first) if first else last_day - dt.timedelta(days=default_days - 1)
    if first and first_day is None:
        raise ReportError(f"Ngày bắt đầu \"{first[:20]}\" không đúng. Bạn viết theo dạng 2026-03-01 hoặc 01/03/2026.")
    if first_day > last_day:
        raise ReportError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ReportError(f"Mỗi báo cáo xem tối đa {MAX_DAYS} ngày. Bạn chọn khoảng ngắn hơn.")
    return Period(first_day, last_day)


@dataclass(frozen=True)
class RatingRecord:
    level: int
    channel: str
    created_at: dt.datetime


@dataclass(frozen=True)
class TicketTimes:
    created_at: dt.datetime
    answered_at: dt.datetime | None


@dataclass
class Turn:
    """A citizen message and what the assistant did before the next one."""

    sender_id: str
    channel: str
    at: float
    text: str
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    slots: dict = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.at, VN_TZ).date()

    @property
    def procedure(self) -> str | None:
        code = self.slots.get("procedure_code")
        return code if isinstance(code, str) and code else None

    @property
    def outcome(self) -> str:
        said = set(self.responses)
        if said & NOT_FOUND_RESPONSES:
            return NOT_FOUND
        if said & FALLBACK_RESPONSES or FALLBACK_ACTIONS & set(self.actions):
            return FALLBACK
        if said & CHOOSE_RESPONSES:
            return CHOOSE
        if self.procedure or self.slots.get("rating_context") == "procedure_answer":
            return ANSWERED
        if "action_show_more" in self.actions and "utter_no_more_pages" not in said:
            return ANSWERED
        return OTHER


def turns(events: Iterable[StoredEvent]) -> list[Turn]:
    """The turns in `events` (ordered per conversation as stored), compaction copies skipped."""
    result: list[Turn] = []
    current: dict[str, Turn | None] = {}
    session_start: dict[str, float] = {}
    for event in events:
        sender, kind, data = event.sender_id, event.type_name, event.data
        if kind == "session_started":
            session_start[sender] = event.timestamp
            current[sender] = None
        elif kind == "user":
            if session_start.get(sender) == event.timestamp:  # copied into a compacted session
                current[sender] = None
                continue
            turn = Turn(sender, channel_name(sender, data.get("input_channel")), event.timestamp,
                        str(data.get("text") or ""))
            current[sender] = turn
            result.append(turn)
        elif current.get(sender) is not None:
            turn = current[sender]
            if kind == "action" and data.get("name") and data["name"] != "action_listen":
                turn.actions.append(data["name"])
            elif kind == "bot":
                name = (data.get("metadata") or {}).get("utter_action")
                if name:
                    turn.responses.append(name)
            elif kind == "slot" and data.get("name"):
                turn.slots[data["name"]] = data.get("value")
    return result


@dataclass(frozen=True)
class Unanswered:
    text: str  # masked: no phone number, e-mail or dossier code
    count: int
    last_day: dt.date


@dataclass(frozen=True)
class RatingRow:
    week: str  # ISO week, "2026-W10"
    channel: str
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float:
        return sum(level * n for level, n in self.counts.items()) / self.total if self.total else 0.0


@dataclass(frozen=True)
class UsageReport:
    period: Period
    channels: list[str]
    messages: dict[dt.date, dict[str, int]]  # day → channel → citizen messages
    citizens: int
    citizens_by_channel: dict[str, int]
    outcomes: dict[str, int]  # outcome → turns
    top_procedures: list[tuple[str, str, int]]  # code, name, turns
    unanswered: list[Unanswered]
    ratings: list[RatingRow]
    tickets_opened: int
    tickets_answered: int
    median_answer_hours: float | None
    dossier_lookups: int
    dossiers_found: int
    dossiers_late: int

    @property
    def total_messages(self) -> int:
        return sum(sum(by_channel.values()) for by_channel in self.messages.values())

    @property
    def total_turns(self) -> int:
        return sum(self.outcomes.values())

    def outcome_percent(self, outcome: str) -> float:
        return percent(self.outcomes.get(outcome, 0), self.total_turns)

    @property
    def late_percent(self) -> float:
        return percent(self.dossiers_late, self.dossiers_found)


def _iso_week(value: dt.datetime) -> str:
    year, week, _ = value.astimezone(VN_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def _grouping_key(text: str) -> str:
    return re.sub(r"[^\w*@.]+", " ", fold(text)).strip()


def turns_in(period: Period, events: Iterable[StoredEvent]) -> list[Turn]:
    """The turns in `events` whose citizen message is within `period`."""
    start, end = period.start.timestamp(), period.end.timestamp()
    return [t for t in turns(events) if start <= t.at < end]


def ranked_procedures(some_turns: Iterable[Turn]) -> list[tuple[str, int]]:
    """(code, turns that answered it) for every procedure answered, most asked first, then by code."""
    asked = Counter(t.procedure for t in some_turns if t.procedure)
    return sorted(asked.items(), key=lambda item: (-item[1], item[0]))


def compute(period: Period, events: Iterable[StoredEvent], ratings: Sequence[RatingRecord],
            tickets: Sequence[TicketTimes], procedure_name: Callable[[str], str] | None = None) -> UsageReport:
    """Every figure of the report; events, ratings and tickets outside `period` are ignored."""
    all_turns = turns_in(period, events)
    channels = sorted({t.channel for t in all_turns})
    messages: dict[dt.date, dict[str, int]] = {day: {c: 0 for c in channels} for day in period.days()}
    senders: dict[str, set[str]] = defaultdict(set)
    for t in all_turns:
        messages[t.day][t.channel] += 1
        senders[t.channel].add(t.sender_id)
    outcomes = Counter({o: 0 for o in OUTCOME_LABELS})
    outcomes.update(t.outcome for t in all_turns)

    top_procedures = [(code, procedure_name(code) if procedure_name else "", n) for code, n in
                      ranked_procedures(all_turns)[:TOP]]

    groups: dict[str, list[Turn]] = defaultdict(list)
    for t in all_turns:
        if t.outcome in UNANSWERED and t.text.strip():
            groups[_grouping_key(redact(t.text))].append(t)
    unanswered = []
    for group in groups.values():
        newest = max(group, key=lambda t: t.at)
        unanswered.append(Unanswered(redact(newest.text.strip())[:300], len(group), newest.day))
    unanswered.sort(key=lambda u: (-u.count, -u.last_day.toordinal(), u.text))

    by_week: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in ratings:
        if period.start <= r.created_at < period.end:
            by_week[(_iso_week(r.created_at), r.channel)][r.level] += 1
    rating_rows = [RatingRow(week, channel, {level: counts.get(level, 0) for level in sorted(LEVELS)})
                   for (week, channel), counts in sorted(by_week.items())]

    opened = [t for t in tickets if period.start <= t.created_at < period.end]
    waits = [(t.answered_at - t.created_at).total_seconds() / 3600 for t in opened if t.answered_at]

    lookups = [t for t in all_turns if DOSSIER_ACTION in t.actions
               and ({DOSSIER_FOUND, DOSSIER_NOT_MATCHED} | DOSSIER_REFUSED) & set(t.responses)]
    found = [t for t in lookups if DOSSIER_FOUND in t.responses]
    return UsageReport(
        period=period, channels=channels, messages=messages,
        citizens=len({t.sender_id for t in all_turns}),
        citizens_by_channel={c: len(senders[c]) for c in channels},
        outcomes=dict(outcomes), top_procedures=top_procedures, unanswered=unanswered[:TOP],
        ratings=rating_rows, tickets_opened=len(opened), tickets_answered=len(waits),
        median_answer_hours=statistics.median(waits) if waits else None,
        dossier_lookups=len(lookups), dossiers_found=len(found),
        dossiers_late=sum(1 for t in found if DOSSIER_LATE & set(t.responses)),
    )
