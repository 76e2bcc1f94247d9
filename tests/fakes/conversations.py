"""A known set of stored conversations, as the Rasa server stores them, for the trainers' inbox tests.

`SCRIPT` lists each conversation's turns; `stored_events()` gives them as `StoredEvent`s,
`store(engine)` writes them into an `events` table shaped like Rasa's (`bot.tracker_store`).
`EXPECTED` is the inbox they must give: masked text, count, reasons, newest first.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from bot.core.conversation_events import StoredEvent

START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)
PHONE = "0912345678"
CODE = "000.00.12.H12-250312-0042"
NAME = "Nguyễn Văn An"

# (sender, hours after START, [(text, intent, confidence, [entities], actions, response)])
SCRIPT = [
    ("rest:a", 0, [
        ("lam giay khai sinh can gi", "ask_documents", 0.95, [], ["action_answer_procedure"], "utter_answer"),
        ("thủ tục nhận con nuôi người nước ngoài", "nlu_fallback", 0.45, [], ["action_low_confidence"], ""),
    ]),
    ("rest:b", 1, [
        ("thu tuc nhan con nuoi nguoi nuoc ngoai?", "nlu_fallback", 0.45, [], ["action_low_confidence"], ""),
    ]),
    ("telegram:7", 2, [
        (f"làm sổ đỏ cho đất ông bà để lại, sđt {PHONE}", "ask_procedure", 0.9, [], ["action_answer_procedure"],
         "utter_no_match"),
    ]),
    ("zalo:9", 3, [
        ("đổi bằng lái xe máy mất bao lâu", "ask_processing_time", 0.52, [], ["action_answer_procedure"],
         "utter_answer"),
        ("không phải", "deny", 0.97, [], ["utter_ask_rephrase"], "utter_ask_rephrase"),
    ]),
    ("kiosk:quay-1.x", 4, [
        (f"tên tôi là {NAME}, hồ sơ {CODE} sao chưa xong", "check_dossier", 0.9, [], ["action_check_dossier"],
         "utter_dossier_status"),
        ("cảm ơn", "thank", 0.99, [], ["action_offer_rating"], "utter_ask_rating"),
        ('/rate{"rating": 1}', "rate", 1.0, [{"entity": "rating", "value": 1}], ["action_rate"],
         "utter_rating_thanks_unhappy"),
    ]),
    ("rest:c", 5, [  # nothing wrong: a button, a good answer, a good rating
        ('/choose_procedure{"procedure_code": "1.001"}', "choose_procedure", 1.0, [], ["action_answer_procedure"],
         "utter_answer"),
        ("lam can cuoc o dau", "ask_location", 0.93, [], ["action_answer_procedure"], "utter_answer"),
        ("5 sao", "rate", 0.99, [{"entity": "rating", "value": 5}], ["action_rate"], "utter_rating_thanks"),
    ]),
]

EXPECTED = [  # (text, count, reasons)
    (f"tên tôi là [tên], hồ sơ 000.00.12.H12-******-**42 sao chưa xong", 1, {"low_rating"}),
    ("đổi bằng lái xe máy mất bao lâu", 1, {"low_confidence", "denied"}),
    ("làm sổ đỏ cho đất ông bà để lại, sđt *******678", 1, {"not_found"}),
    ("thu tuc nhan con nuoi nguoi nuoc ngoai?", 2, {"fallback"}),
]


def _rows() -> list[tuple[str, str, float, dict]]:
    rows = []
    for sender, hours, turns in SCRIPT:
        at = (START + dt.timedelta(hours=hours)).timestamp()
        rows.append((sender, "action", at, {"event": "action", "name": "action_session_start", "timestamp": at}))
        rows.append((sender, "session_started", at, {"event": "session_started", "timestamp": at}))
        for n, (text, intent, confidence, entities, actions, response) in enumerate(turns):
            at += 60
            parse = {"intent": {"name": intent, "confidence": confidence}, "entities": entities, "text": text}
            rows.append((sender, "user", at, {"event": "user", "timestamp": at, "text": text, "parse_data": parse,
                                              "message_id": f"{sender}-{n}", "input_channel": "rest"}))
            for action in actions:
                rows.append((sender, "action", at + 1, {"event": "action", "name": action, "timestamp": at + 1}))
            rows.append((sender, "bot", at + 1, {"event": "bot", "text": "…", "timestamp": at + 1,
                                                 "metadata": {"utter_action": response} if response else {}}))
            rows.append((sender, "action", at + 1, {"event": "action", "name": "action_listen", "timestamp": at + 1}))
    return rows


def stored_events() -> list[StoredEvent]:
    return [StoredEvent(sender, kind, at, data) for sender, kind, at, data in _rows()]


EVENTS = sa.Table(
    "events", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def store(engine) -> None:
    """Write SCRIPT into an `events` table shaped like Rasa's SQL tracker store's."""
    EVENTS.create(engine, checkfirst=True)
    with engine.begin() as conn:
        for sender, kind, at, data in _rows():
            conn.execute(EVENTS.insert().values(
                sender_id=sender, type_name=kind, timestamp=at, data=json.dumps(data),
                intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"), action_name=data.get("name")))
