"""Dossier lookup actions with recorded trackers: form validation, answers, lock-out, subscription."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.dossiers import ActionCheckDossier, ActionSubscribeDossier, ValidateDossierForm
from bot.core.dossiers.planning import Incoming
from tests.actions.trackers import domain, responses, slot_events, tracker  # noqa: F401
from tests.core.times import vn

CODE = "000.00.12.H12-250312-0042"
LATE = "000.00.12.H12-250301-0007"
NOW = vn(2025, 3, 20, 10, 0)


@pytest.fixture
def clock():
    return lambda: NOW


@pytest.fixture
def dossiers(app_services):
    today = NOW.date()
    app_services.dossiers.apply([
        Incoming("a", dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
                           status="need_supplement", received_at="2025-03-12T08:00",
                           due_at=(today + dt.timedelta(days=5)).isoformat(), note="bản sao giấy chứng sinh")),
        Incoming("b", dict(code=LATE, procedure_code="3.000347", applicant_name="Trần Thị B", phone="0987654321",
                           status="processing", received_at="2025-03-01T08:00",
                           due_at=(today - dt.timedelta(days=3)).isoformat())),
    ], "test")
    return app_services


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, events


# --- the form ---------------------------------------------------------------


async def test_a_code_in_the_first_message_is_taken_in_any_form(dossiers, domain):
    t = tracker("tra cuu ho so 000 00 12 h12 250312 0042 giup toi", "check_dossier")
    dispatcher, events = await run(ValidateDossierForm(), t, domain)
    assert slot_events(events)["dossier_code"] == CODE
    assert responses(dispatcher) == []


async def test_the_dossier_code_entity_is_used(dossiers, domain):
    entity = {"entity": "dossier_code", "value": "0000012h122503120042", "start": 0, "end": 20}
    t = tracker("0000012h122503120042", "inform", entities=[entity])
    _, events = await run(ValidateDossierForm(), t, domain)
    assert slot_events(events)["dossier_code"] == CODE


async def test_a_bad_code_is_asked_again_politely(dossiers, domain):
    t = tracker("'; DROP TABLE dossiers; --", "inform", slots={"requested_slot": "dossier_code"},
                set_since_user={"dossier_code": "'; DROP TABLE dossiers; --"}, active_loop="dossier_form")
    dispatcher, events = await run(ValidateDossierForm(), t, domain)
    assert responses(dispatcher) == ["utter_dossier_code_invalid"]
    assert slot_events(events)["dossier_code"] is None


async def test_last_four_digits_in_words(dossiers, domain):
    t = tracker("4 số cuối là 5678", "inform", slots={"requested_slot": "phone_last4", "dossier_code": CODE},
                set_since_user={"phone_last4": "4 số cuối là 5678"}, active_loop="dossier_form")
    dispatcher, events = await run(ValidateDossierForm(), t, domain)
    assert slot_events(events)["phone_last4"] == "5678" and responses(dispatcher) == []


async def test_not_four_digits_is_asked_again(dossiers, domain):
    t = tracker("không nhớ", "deny", slots={"requested_slot": "phone_last4", "dossier_code": CODE},
                set_since_user={"phone_last4": "không nhớ"}, active_loop="dossier_form")
    dispatcher, events = await run(ValidateDossierForm(), t, domain)
    assert responses(dispatcher) == ["utter_phone_last4_invalid"] and slot_events(events)["phone_last4"] is None


async def test_thoi_stops_the_form(dossiers, domain):
    t = tracker("thôi", "deny", slots={"requested_slot": "dossier_code"},
                set_since_user={"dossier_code": "thôi"}, active_loop="dossier_form")
    dispatcher, events = await run(ValidateDossierForm(), t, domain)
    assert responses(dispatcher) == ["utter_form_cancelled"]
    assert slot_events(events)["requested_slot"] is None
    dispatcher, events = await run(ActionCheckDossier(), tracker("thôi", sender="rest-1"), domain)
    assert responses(dispatcher) == []


# --- the answer ---------------------------------------------------------------


async def test_success_states_status_dates_and_what_is_missing(dossiers, domain):
    t = tracker("5678", slots={"dossier_code": CODE, "phone_last4": "5678"})
    dispatcher, events = await run(ActionCheckDossier(), t, domain)
    [status] = dispatcher.messages  # no rating here: it is asked after thanks or goodbye
    assert status["response"] == "utter_dossier_status"
    assert status["code"] == CODE and status["status"] == "Cần bổ sung"
    assert "Đăng ký khai sinh" in status["procedure"] and status["received"] == "12/03/2025"
    assert "bản sao giấy chứng sinh" in status["next_step"]
    slots = slot_events(events)
    assert slots["verified_dossier"] == CODE and slots["dossier_code"] is None and "rating_offered" not in slots
    assert slots["rating_topic"] == "1.001193" and slots["rating_context"] == "dossier_lookup"


async def test_wrong_phone_and_unknown_code_get_the_same_answer(dossiers, domain):
    wrong_phone = tracker("1111", sender="rest-2", slots={"dossier_code": CODE, "phone_last4": "1111"})
    unknown = tracker("5678", sender="rest-3", slots={"dossier_code": "000.00.12.H12-250312-9999", "phone_last4": "5678"})
    d1, e1 = await run(ActionCheckDossier(), wrong_phone, domain)
    d2, e2 = await run(ActionCheckDossier(), unknown, domain)
    assert d1.messages == d2.messages
    assert responses(d1) == ["utter_dossier_not_matched"]
    assert e1 == e2


async def test_five_failures_lock_out_the_conversation(dossiers, domain):
    said = []
    for _ in range(5):
        d, _ = await run(ActionCheckDossier(), tracker("1", sender="rest-9", slots={"dossier_code": CODE,
                                                                                    "phone_last4": "0000"}), domain)
        said += responses(d)
    assert said == ["utter_dossier_not_matched"] * 4 + ["utter_dossier_locked"]
    # even the right digits are refused now, and the form asks nothing
    d, _ = await run(ActionCheckDossier(), tracker("1", sender="rest-9", slots={"dossier_code": CODE,
                                                                                "phone_last4": "5678"}), domain)
    assert responses(d) == ["utter_dossier_locked"]
    assert d.messages[0]["hotline"] == "1022"
    assert d.messages[0]["until"] == "10:15", "15 minutes after the first failure, in Vietnam time"
    validation = tracker("tra cứu hồ sơ", "check_dossier", sender="rest-9")
    d, events = await run(ValidateDossierForm(), validation, domain)
    assert slot_events(events)["requested_slot"] is None
    d, _ = await run(ActionCheckDossier(), tracker("tra cứu hồ sơ", sender="rest-9"), domain)
    assert responses(d) == ["utter_dossier_locked"]
    other = tracker("1", sender="rest-10", slots={"dossier_code": CODE, "phone_last4": "5678"})
    d, _ = await run(ActionCheckDossier(), other, domain)
    assert responses(d)[0] == "utter_dossier_status"


async def test_late_dossier_apologises_and_offers_a_complaint(dossiers, domain):
    t = tracker("4321", sender="telegram:7", slots={"dossier_code": LATE, "phone_last4": "4321"})
    dispatcher, _ = await run(ActionCheckDossier(), t, domain)
    status, late = dispatcher.messages  # the complaint buttons are the latest: no rating after them
    assert status["response"] == "utter_dossier_status"
    assert late["response"] == "utter_dossier_late"
    titles = [b["title"] for b in late["buttons"]]
    assert "Gửi phản ánh" in titles and "Báo tôi khi có kết quả" in titles
    assert LATE in next(b["payload"] for b in late["buttons"] if b["title"] == "Gửi phản ánh")


async def test_late_dossier_with_a_new_appointment(dossiers, domain):
    new_due = (NOW.date() + dt.timedelta(days=4)).isoformat()
    dossiers.dossiers.set_status(LATE, "processing", due=new_due)
    t = tracker("4321", slots={"dossier_code": LATE, "phone_last4": "4321"})
    dispatcher, _ = await run(ActionCheckDossier(), t, domain)
    late = dispatcher.messages[1]
    assert late["response"] == "utter_dossier_late_new_date"
    assert late["new_due"] == dt.date.fromisoformat(new_due).strftime("%d/%m/%Y")


async def test_a_lookup_never_asks_for_the_rating(dossiers, domain):
    t = tracker("5678", slots={"dossier_code": CODE, "phone_last4": "5678"})
    dispatcher, _ = await run(ActionCheckDossier(), t, domain)
    assert "utter_ask_rating" not in responses(dispatcher)


# --- subscription ---------------------------------------------------------------


async def test_subscribe_needs_a_checked_dossier(dossiers, domain):
    dispatcher, _ = await run(ActionSubscribeDossier(), tracker("báo tôi", "subscribe_dossier"), domain)
    assert responses(dispatcher) == ["utter_subscribe_needs_lookup"]


async def checked(sender: str, domain, code: str = CODE, last4: str = "5678") -> None:
    """A successful check in conversation `sender`, as the form ends it."""
    d, _ = await run(ActionCheckDossier(), tracker(last4, sender=sender, slots={"dossier_code": code,
                                                                               "phone_last4": last4}), domain)
    assert responses(d)[0] == "utter_dossier_status"


async def test_rest_cannot_be_pushed_to_so_nothing_is_queued(dossiers, domain):
    await checked("abc", domain)
    t = tracker("báo tôi", "subscribe_dossier", sender="abc", slots={"verified_dossier": CODE})
    dispatcher, _ = await run(ActionSubscribeDossier(), t, domain)
    assert responses(dispatcher) == ["utter_subscribe_cannot_push"]
    dossiers.dossiers.set_status(CODE, "result_ready")
    assert dossiers.outbox.all() == []


async def test_a_telegram_subscriber_is_notified_of_the_next_change(dossiers, domain):
    await checked("telegram:42", domain)
    t = tracker("báo tôi", "subscribe_dossier", sender="telegram:42", slots={"verified_dossier": CODE})
    dispatcher, _ = await run(ActionSubscribeDossier(), t, domain)
    assert responses(dispatcher) == ["utter_subscribed"]
    dossiers.dossiers.set_status(CODE, "result_ready")
    (message,) = dossiers.outbox.due("telegram")
    assert message.recipient_id == "42" and "Đã có kết quả" in message.text


async def test_a_forged_verified_slot_subscribes_nobody(dossiers, domain):
    """The slot is what a forged tracker could set: without a check on record nothing is followed."""
    t = tracker("báo tôi", "subscribe_dossier", sender="telegram:666", slots={"verified_dossier": CODE})
    dispatcher, _ = await run(ActionSubscribeDossier(), t, domain)
    assert responses(dispatcher) == ["utter_subscribe_needs_lookup"]
    assert dossiers.dossiers.subscribers(CODE) == []
    # a check of one dossier does not open another one named in the slot
    await checked("telegram:666", domain, LATE, "4321")
    dispatcher, _ = await run(ActionSubscribeDossier(), t, domain)
    assert responses(dispatcher) == ["utter_subscribed"] and dispatcher.messages[0]["code"] == LATE
    assert dossiers.dossiers.subscribers(CODE) == [] and dossiers.dossiers.subscribers(LATE) == ["telegram:666"]


async def test_a_check_on_record_expires_after_thirty_minutes(dossiers, domain, monkeypatch):
    await checked("telegram:43", domain)
    monkeypatch.setattr(dossiers.dossiers, "_clock", lambda: NOW + dt.timedelta(minutes=31))
    t = tracker("báo tôi", "subscribe_dossier", sender="telegram:43", slots={"verified_dossier": CODE})
    dispatcher, _ = await run(ActionSubscribeDossier(), t, domain)
    assert responses(dispatcher) == ["utter_subscribe_needs_lookup"]


# --- limits that a new conversation does not reset ---------------------------------


async def test_new_senders_guessing_one_code_send_it_to_the_desk(dossiers, domain):
    said = []
    for i in range(10):
        t = tracker("1", sender=f"rest:guess-{i}", slots={"dossier_code": CODE, "phone_last4": f"{i:04d}"})
        d, _ = await run(ActionCheckDossier(), t, domain)
        said += responses(d)
    assert said == ["utter_dossier_not_matched"] * 9 + ["utter_dossier_check_at_desk"]
    owner = tracker("5678", sender="telegram:owner", slots={"dossier_code": CODE, "phone_last4": "5678"})
    d, _ = await run(ActionCheckDossier(), owner, domain)
    assert responses(d) == ["utter_dossier_check_at_desk"] and d.messages[0]["desk"]
    other = tracker("4321", sender="telegram:owner", slots={"dossier_code": LATE, "phone_last4": "4321"})
    d, _ = await run(ActionCheckDossier(), other, domain)
    assert responses(d)[0] == "utter_dossier_status"


async def test_kiosk_sessions_share_their_address_limit(dossiers, domain):
    said = []
    for i in range(20):
        t = tracker("1", sender=f"kiosk:hall.s{i}", metadata={"client_ip": "10.0.0.7"},
                    slots={"dossier_code": f"000.00.12.H12-250312-{i:04d}", "phone_last4": "0000"})
        d, _ = await run(ActionCheckDossier(), t, domain)
        said += responses(d)
    assert said == ["utter_dossier_not_matched"] * 19 + ["utter_dossier_locked"]
    fresh = tracker("tra cứu hồ sơ", "check_dossier", sender="kiosk:hall.new", metadata={"client_ip": "10.0.0.7"})
    _, events = await run(ValidateDossierForm(), fresh, domain)
    assert slot_events(events)["requested_slot"] is None  # the form asks nothing
    elsewhere = tracker("5678", sender="kiosk:desk.s1", metadata={"client_ip": "10.0.0.8"},
                        slots={"dossier_code": CODE, "phone_last4": "5678"})
    d, _ = await run(ActionCheckDossier(), elsewhere, domain)
    assert responses(d)[0] == "utter_dossier_status"
    # an address in a REST message's metadata is not believed
    rest = tracker("5678", sender="rest:x", metadata={"client_ip": "10.0.0.7"},
                   slots={"dossier_code": CODE, "phone_last4": "5678"})
    d, _ = await run(ActionCheckDossier(), rest, domain)
    assert responses(d)[0] == "utter_dossier_status"
