"""The usage report from a known set of stored conversations, ratings and tickets: each figure exact.

Conversations are written through the real tracker store (Rasa's `events` table on
our database), a compacted session included; SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store
from bot.app import Services
from bot.core.usage_report import Period, ReportError, Unanswered, parse_period
from bot.settings import Settings
from bot.tracker_store import TrackerStore
from tests.core.times import vn
from tests.db.test_conversations import domain

KHAI_SINH, CAN_CUOC = "1.001193", "1.014061"
PERIOD = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 9))


def turn(at: dt.datetime, text: str, action: str, responses=(), slots=None, intent: str = "ask_procedure") -> list:
    t = at.timestamp()
    events = [UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=t), ActionExecuted(action, timestamp=t)]
    events += [SlotSet(k, v, timestamp=t) for k, v in (slots or {}).items()]
    events += [BotUttered(f"({r})", metadata={"utter_action": r}, timestamp=t) for r in responses]
    if not responses:
        events.append(BotUttered("Câu trả lời…", timestamp=t))
    return events + [ActionExecuted("action_listen", timestamp=t)]


def start(at: dt.datetime) -> list:
    t = at.timestamp()
    return [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t),
            ActionExecuted("action_listen", timestamp=t)]


def minutes(base: dt.datetime, n: int) -> dt.datetime:
    return base + dt.timedelta(minutes=n)


async def store_conversations(store: TrackerStore) -> None:
    async def save(sender: str, events: list) -> None:
        tracker = DialogueStateTracker.from_events(sender, events, store.domain.slots)
        await store.save(tracker)

    a = vn(2026, 3, 2, 9)
    await save("telegram:1", start(a)
               + turn(minutes(a, 1), "làm khai sinh cần gì", "action_answer_procedure",
                      slots={"procedure_code": KHAI_SINH})
               + turn(minutes(a, 2), "làm thẻ", "action_answer_procedure", ["utter_choose_procedure"],
                      slots={"candidate_codes": [CAN_CUOC]})
               + turn(minutes(a, 3), "/choose_procedure", "action_choose_procedure",
                      slots={"procedure_code": CAN_CUOC, "rating_context": "procedure_answer"})
               + turn(minutes(a, 4), "số tôi 0912345678 hỏi cái xe", "action_low_confidence",
                      ["utter_ask_rephrase"], intent="nlu_fallback"))
    b = vn(2026, 3, 3, 14)
    await save("zalo:9", start(b)
               + turn(minutes(b, 1), "khai sinh", "action_answer_procedure", slots={"procedure_code": KHAI_SINH})
               + turn(minutes(b, 2), "cấp phép bay drone", "action_answer_procedure", ["utter_no_match"])
               + turn(minutes(b, 3), "Cấp phép bay DRONE!", "action_answer_procedure", ["utter_no_match"])
               + turn(minutes(b, 4), "4321", "action_check_dossier", ["utter_dossier_status", "utter_dossier_late"],
                      intent="inform"))
    c = vn(2026, 3, 3, 8)
    await save("kiosk:quay-1.abc", start(c)
               + turn(minutes(c, 1), "xin chào", "utter_greet", ["utter_greet"], intent="greet")
               + turn(minutes(c, 2), "1234", "action_check_dossier", ["utter_dossier_status"], intent="inform")
               + turn(minutes(c, 3), "9999", "action_check_dossier", ["utter_dossier_not_matched"], intent="inform"))
    # Outside the period, one on each side (Vietnam days).
    await save("rest:before", start(vn(2026, 3, 1, 23, 50))
               + turn(vn(2026, 3, 1, 23, 59), "hỏi gì đó", "action_out_of_scope", ["utter_out_of_scope"]))
    await save("rest:after", start(vn(2026, 3, 10))
               + turn(vn(2026, 3, 10, 0, 1), "hỏi gì đó", "action_out_of_scope", ["utter_out_of_scope"]))
    await save("rest:y", start(vn(2026, 3, 9, 23, 30))
               + turn(vn(2026, 3, 9, 23, 31), "tạm biệt", "utter_goodbye", ["utter_goodbye"], intent="goodbye"))



async def store_compacted_conversation(settings: Settings, monkeypatch) -> None:
    """A long conversation that `TrackerStore.retrieve` compacts (its last two turns copied into a
    new session), then one more turn: the copies must not be counted again."""
    store = TrackerStore(domain(), settings=dataclasses.replace(settings, session_max_events=12))
    e = vn(2026, 3, 4, 10)
    try:
        events = start(e)
        for i in range(3):
            events += turn(minutes(e, i + 1), f"lệ phí khai sinh {i}", "action_answer_procedure",
                           slots={"procedure_code": KHAI_SINH})
        await store.save(DialogueStateTracker.from_events("telegram:2", events, store.domain.slots))
        monkeypatch.setattr(tracker_store.time, "time", lambda: minutes(e, 30).timestamp())
        tracker = await store.retrieve("telegram:2")
        assert [x.text for x in tracker.events if isinstance(x, UserUttered)] == ["lệ phí khai sinh 1",
                                                                               "lệ phí khai sinh 2"]
        tracker.update_with_events(turn(minutes(e, 31), "thế còn lệ phí", "action_answer_procedure",
                                        slots={"procedure_code": KHAI_SINH}), None, override_timestamp=False)
        await store.save(tracker)
    finally:
        store.engine.dispose()


def store_ratings_and_tickets(services: Services) -> None:
    rate = services.ratings.record
    rate(sender_id="telegram:1", channel="telegram", topic=KHAI_SINH, context="procedure_answer", level=5,
         now=vn(2026, 3, 2, 9, 10))
    rate(sender_id="zalo:9", channel="zalo", topic="khac", context="dossier_lookup", level=2, now=vn(2026, 3, 3, 15))
    rate(sender_id="telegram:2", channel="telegram", topic=KHAI_SINH, context="procedure_answer", level=4,
         now=vn(2026, 3, 8, 20))
    rate(sender_id="kiosk:quay-1.abc", channel="kiosk", topic="khac", context="dossier_lookup", level=4,
         now=vn(2026, 3, 9, 8))
    rate(sender_id="rest:before", channel="rest", topic="khac", context="procedure_answer", level=1,
         now=vn(2026, 3, 1, 23, 59))

    def ticket(opened: dt.datetime, answered: dt.datetime | None) -> None:
        t = services.feedback.create(sender_id="rest:t", channel="rest", content="Chờ lâu", now=opened)
        if answered:
            services.feedback.answer(t.ticket, "Đã xử lý", now=answered)

    ticket(vn(2026, 3, 2, 8), vn(2026, 3, 2, 10))  # 2 hours
    ticket(vn(2026, 3, 3, 8), vn(2026, 3, 4, 8))  # 24 hours
    ticket(vn(2026, 3, 4, 8), None)
    ticket(vn(2026, 3, 1, 8), vn(2026, 3, 2, 8))  # opened before the period


@pytest.fixture
async def services_with_data(database_url, tmp_path, monkeypatch):
    settings = Settings.from_env({"TTHC_VAR_DIR": str(tmp_path), "DATABASE_URL": database_url})
    services = Services.from_settings(settings)
    services.load_catalog()
    store = TrackerStore(domain(), settings=settings)
    try:
        await store_conversations(store)
        await store_compacted_conversation(settings, monkeypatch)
        store_ratings_and_tickets(services)
        yield services
    finally:
        store.engine.dispose()
        services.engine.dispose()


def test_every_figure_from_a_known_set_of_conversations(services_with_data):
    r = services_with_data.usage_report(PERIOD)

    assert r.channels == ["kiosk", "rest", "telegram", "zalo"]
    assert {d: {c: n for c, n in by.items() if n} for d, by in r.messages.items() if any(by.values())} == {
        dt.date(2026, 3, 2): {"telegram": 4},
        dt.date(2026, 3, 3): {"kiosk": 3, "zalo": 4},
        dt.date(2026, 3, 4): {"telegram": 4},  # 3 turns, the compacted copies skipped, 1 more
        dt.date(2026, 3, 9): {"rest": 1},
    }
    assert len(r.messages) == 8 and r.total_messages == 16
    assert r.citizens == 5
    assert r.citizens_by_channel == {"kiosk": 1, "rest": 1, "telegram": 2, "zalo": 1}
    assert r.outcomes == {"answered": 7, "choose": 1, "not_found": 2, "fallback": 1, "other": 5}
    assert r.outcome_percent("answered") == pytest.approx(100 * 7 / 16)
    assert r.top_procedures == [(KHAI_SINH, "Đăng ký khai sinh", 6),
                                (CAN_CUOC, "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", 1)]
    assert r.unanswered == [
        Unanswered("Cấp phép bay DRONE!", 2, dt.date(2026, 3, 3)),
        Unanswered("số tôi *******678 hỏi cái xe", 1, dt.date(2026, 3, 2)),
    ]
    assert [(row.week, row.channel, {k: v for k, v in row.counts.items() if v}) for row in r.ratings] == [
        ("2026-W10", "telegram", {4: 1, 5: 1}),
        ("2026-W10", "zalo", {2: 1}),
        ("2026-W11", "kiosk", {4: 1}),
    ]
    assert r.ratings[0].average == 4.5
    assert (r.tickets_opened, r.tickets_answered, r.median_answer_hours) == (3, 2, 13.0)
    assert (r.dossier_lookups, r.dossiers_found, r.dossiers_late, r.late_percent) == (3, 2, 1, 50.0)


def test_with_data_every_chart_is_a_picture(services_with_data):
    from bot.core.usage_output import NO_DATA, charts, figures_html

    r = services_with_data.usage_report(PERIOD)
    assert sorted(charts(r)) == ["messages", "outcomes", "ratings"]
    html = figures_html(r)
    assert html.count('src="data:image/png;base64,') == 3 and not [w for w in NO_DATA.values() if w in html]


def test_an_empty_database_gives_zeros_not_errors(tmp_path):
    services = Services.from_settings(Settings.from_env({"TTHC_VAR_DIR": str(tmp_path)}))
    try:
        r = services.usage_report(PERIOD)
    finally:
        services.engine.dispose()
    assert r.total_messages == 0 and r.citizens == 0 and r.channels == [] and r.unanswered == []
    assert r.median_answer_hours is None and r.late_percent == 0.0 and r.outcome_percent("answered") == 0.0


@pytest.mark.parametrize("first, last, message", [
    ("2026-13-01", None, "Ngày bắt đầu"),
    (None, "hôm qua", "Ngày kết thúc"),
    ("2026-03-10", "2026-03-01", "phải trước"),
    ("2024-01-01", "2026-03-01", "tối đa"),
])
def test_bad_periods_are_refused_in_words(first, last, message):
    with pytest.raises(ReportError, match=message):
        parse_period(first, last, dt.date(2026, 3, 28))


def test_default_period_is_the_last_28_days_and_both_day_formats_work():
    assert parse_period(None, None, dt.date(2026, 3, 28)) == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 28))
    assert parse_period("02/03/2026", "2026-03-09", dt.date(2026, 3, 28)) == PERIOD
