"""Dossier lookup (a form: code, then the phone's last 4 digits) and following a dossier.

An unknown code and a wrong phone get the same answer. Failures are limited per
conversation, per kiosk address, per code and overall (bot.core.dossiers.access,
counted in the database): nobody learns which codes exist, and a new sender id
resets nothing. Following a dossier needs a successful check recorded by the
server for this conversation, never a slot the caller could set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.actions.forms import code_from_opening, validate_typed
from bot.actions.rating import DOSSIER_LOOKUP, rated
from bot.app import services
from bot.core.clock import to_local
from bot.core.contact import last4_from_text
from bot.core.conversations import push_target
from bot.core.dossiers.access import CODE, OVERALL
from bot.core.delivery import payload
from bot.core.dossiers.codes import find_code, normalize_code
from bot.core.dossiers.status import Dossier, is_open
from bot.core.dossiers.wording import status_report

FORM_SLOTS = ("dossier_code", "phone_last4")
DEFAULT_HOTLINE = "1022"
DEFAULT_DESK = "bộ phận một cửa"


def _help_contacts() -> dict[str, str]:
    office = services().office()
    return {"hotline": office.hotline if office else DEFAULT_HOTLINE, "desk": office.desk if office else DEFAULT_DESK}


def _say_refused(dispatcher: CollectingDispatcher, scope: str | None, until: dt.datetime) -> None:
    """Checks are refused until `until` (aware, said in Vietnam time): for this code only at the desk,
    for everyone for a while, or for this conversation or kiosk."""
    response = {CODE: "utter_dossier_check_at_desk", OVERALL: "utter_dossier_checks_paused"}.get(
        scope or "", "utter_dossier_locked")
    dispatcher.utter_message(response=response, until=to_local(until).strftime("%H:%M"), **_help_contacts())


def client_ip(tracker: Tracker) -> str | None:
    """The kiosk's address, which the kiosk server puts in the message metadata (kiosk messages only)."""
    if not tracker.sender_id.startswith("kiosk:"):
        return None
    metadata = (tracker.latest_message or {}).get("metadata")
    ip = metadata.get("client_ip") if isinstance(metadata, dict) else None
    return ip[:64] if isinstance(ip, str) and ip else None


class ValidateDossierForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_dossier_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        # A locked-out conversation is not asked anything: the form ends and the
        # submit action says why.
        if services().dossiers.lockout(tracker.sender_id, ip=client_ip(tracker)):
            return []
        return domain_slots

    async def extract_dossier_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        """A code in the message that starts the lookup ("tra cứu hồ sơ 000.00...")."""
        return code_from_opening(tracker, "dossier_code", normalize_code, find_code)

    def validate_dossier_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        return validate_typed(value, dispatcher, "dossier_code", lambda t: normalize_code(t) or find_code(t),
                              "utter_dossier_code_invalid", FORM_SLOTS)

    def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        return validate_typed(value, dispatcher, "phone_last4", last4_from_text, "utter_phone_last4_invalid",
                              FORM_SLOTS)


def _status_buttons(dossier: Dossier, sender_id: str, late: bool) -> list[dict]:
    buttons = []
    if late:
        buttons.append({"title": "Gửi phản ánh", "payload": payload("submit_feedback", dossier_code=dossier.code)})
    if is_open(dossier) and push_target(sender_id):
        buttons.append({"title": "Báo tôi khi có kết quả", "payload": payload("subscribe_dossier")})
    return buttons


class ActionCheckDossier(Action):
    """After the form: check code + last 4 digits and answer, or the neutral answer, or the lock-out."""

    def name(self) -> Text:
        return "action_check_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        store = services().dossiers
        code, last4 = tracker.get_slot("dossier_code"), tracker.get_slot("phone_last4")
        events: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        ip = client_ip(tracker)
        if not code or not last4:  # the form was cancelled, or refused because of the lock-out
            lockout = store.lockout(tracker.sender_id, ip=ip)
            if lockout:
                _say_refused(dispatcher, lockout.scope, lockout.until)
            return events
        result = store.check(tracker.sender_id, code, last4, ip=ip)
        if result.kind == "locked":
            _say_refused(dispatcher, result.scope, result.locked_until)
            return events
        if result.kind != "ok":
            dispatcher.utter_message(response="utter_dossier_not_matched")
            return events
        dossier = result.dossier
        now = services().clock()
        report = status_report(dossier, store.procedure_name(dossier.procedure_code), now, services().place())
        values = dict(code=report.code, procedure=report.procedure, status=report.status, received=report.received,
                      due=report.due, next_step=report.next_step)
        buttons = _status_buttons(dossier, tracker.sender_id, report.late)
        if report.late:
            dispatcher.utter_message(response="utter_dossier_status", **values)
            response = "utter_dossier_late_new_date" if report.new_due else "utter_dossier_late"
            dispatcher.utter_message(response=response, buttons=buttons, missed_due=report.missed_due,
                                     new_due=report.new_due or "")
        else:
            dispatcher.utter_message(response="utter_dossier_status", buttons=buttons, **values)
        events.append(SlotSet("verified_dossier", dossier.code))  # which one; the store keeps the proof
        return events + rated(dossier.procedure_code, DOSSIER_LOOKUP)


class ActionSubscribeDossier(Action):
    """"Báo cho tôi khi có kết quả": follow the dossier checked in this conversation.

    The check must be on record in the store (within the last 30 minutes); the
    slot only says which of the checked dossiers is meant.
    """

    def name(self) -> Text:
        return "action_subscribe_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        code = services().dossiers.verified_code(tracker.sender_id, tracker.get_slot("verified_dossier"))
        if not code:
            dispatcher.utter_message(response="utter_subscribe_needs_lookup",
                                     buttons=[{"title": "Tra cứu hồ sơ", "payload": payload("check_dossier")}])
            return []
        target = push_target(tracker.sender_id)
        if target is None:
            dispatcher.utter_message(response="utter_subscribe_cannot_push", code=code)
            return []
        try:
            services().dossiers.subscribe(code, tracker.sender_id, target[0], target[1])
        except LookupError:  # removed since it was checked
            dispatcher.utter_message(response="utter_dossier_not_matched")
            return [SlotSet("verified_dossier", None)]
        dispatcher.utter_message(response="utter_subscribed", code=code)
        return []
