"""The trainers' inbox: citizens' messages the assistant got wrong, masked and grouped.

From stored conversation events (`bot.core.conversation_events`), a user
message is a miss when:

- `fallback`: the NLU fell back (intent `nlu_fallback`) or the dialogue did
  (`action_low_confidence` ran for it);
- `low_confidence`: its intent's confidence was below `LOW_CONFIDENCE` (0.6).
  Below the FallbackClassifier's 0.45 (config.yml) the message already falls
  back; between the two, the assistant answered but was unsure;
- `not_found`: the procedure search found nothing (the reply was `utter_no_match`);
- `denied`: the citizen's next message was a denial (intent `deny`, "không phải");
- `low_rating`: the conversation was rated 1 or 2; the miss is the last question
  asked before the rating.

Button payloads ("/choose_procedure{...}") are not citizens' words and are
never misses. One message with several reasons counts once. Every text is
masked with `redact_personal` (phone numbers, dossier codes, e-mail, introduced
names, street addresses, long numbers) before anything else, so no trainer sees
them. Misses are grouped by similar wording (folded, `rapidfuzz.fuzz.ratio` at
least `GROUP_SIMILARITY` against the group's newest text), counted, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from bot.core.conversation_events import ACTION, BOT, USER, StoredEvent, by_conversation
from bot.core.ratings import parse_rating
from bot.core.redaction import redact_personal
from bot.core.text import fold

LOW_CONFIDENCE = 0.6
GROUP_SIMILARITY = 85.0
LOW_RATING = 2  # ratings at or below this are misses
MAX_VARIANTS = 5  # other wordings kept per group

FALLBACK, LOW_CONF, NOT_FOUND, DENIED, LOW_RATING_REASON = (
    "fallback", "low_confidence", "not_found", "denied", "low_rating")
REASON_LABELS = {
    FALLBACK: "Không hiểu câu hỏi",
    LOW_CONF: "Hiểu nhưng không chắc",
    NOT_FOUND: "Không tìm thấy thủ tục",
    DENIED: "Người dân nói “không phải”",
    LOW_RATING_REASON: "Bị chấm 1–2 sao",
}
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_low_confidence", "action_default_fallback"})
NOT_FOUND_RESPONSES = frozenset({"utter_no_match"})
DENY_INTENT = "deny"
RATE_INTENT = "rate"
# Messages that are not questions: never the one a low rating is about.
CONVERSATIONAL_INTENTS = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "rate", "bot_challenge", "skip", "show_more",
    "choose_procedure", "inform", "subscribe_dossier",
})


@dataclass(frozen=True)
class Miss:
    """One citizen message that went wrong, already masked."""

    sender_id: str
    text: str  # masked
    at: dt.datetime
    reasons: frozenset[str]


@dataclass
class InboxGroup:
    """Similar misses: the newest masked wording, how many, why, when last."""

    text: str
    count: int = 0
    last_seen: dt.datetime | None = None
    reasons: Counter = field(default_factory=Counter)
    variants: list[str] = field(default_factory=list)  # other wordings, newest first
    key: str = ""  # folded text the group is matched on

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[r] for r, _ in sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))]


def _when(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


def _rating(event: StoredEvent) -> int | None:
    for entity in event.entities:
        if entity.get("entity") == "rating":
            return parse_rating(entity.get("value"))
    return parse_rating(event.text)


def _is_citizen_text(event: StoredEvent) -> bool:
    text = event.text.strip()
    return bool(text) and not text.startswith("/")


def find_misses(events: Iterable[StoredEvent], low_confidence: float = LOW_CONFIDENCE) -> list[Miss]:
    """Every miss in the events (see the module docstring), newest first."""
    misses = []
    for sender, conversation in by_conversation(events).items():
        reasons: dict[int, set[str]] = {}
        users = [i for i, e in enumerate(conversation) if e.type_name == USER]
        for n, i in enumerate(users):
            event = conversation[i]
            why = reasons.setdefault(i, set())
            if event.intent == FALLBACK_INTENT:
                why.add(FALLBACK)
            elif event.confidence is not None and event.confidence < low_confidence:
                why.add(LOW_CONF)
            end = users[n + 1] if n + 1 < len(users) else len(conversation)
            for later in conversation[i + 1:end]:
                if later.type_name == ACTION and later.action in FALLBACK_ACTIONS:
                    why.add(FALLBACK)
                elif later.type_name == BOT and later.response in NOT_FOUND_RESPONSES:
                    why.add(NOT_FOUND)
            if n > 0 and event.intent == DENY_INTENT:
                reasons.setdefault(users[n - 1], set()).add(DENIED)
            if event.intent == RATE_INTENT and (_rating(event) or 99) <= LOW_RATING:
                asked = [j for j in users[:n] if conversation[j].intent not in CONVERSATIONAL_INTENTS
                         and _is_citizen_text(conversation[j])]
                if asked:
                    reasons.setdefault(asked[-1], set()).add(LOW_RATING_REASON)
        for i, why in reasons.items():
            event = conversation[i]
            if why and _is_citizen_text(event):
                misses.append(Miss(sender, redact_personal(event.text.strip()), _when(event.timestamp),
                                   frozenset(why)))
    misses.sort(key=lambda m: m.at, reverse=True)
    return misses


def group_misses(misses: Iterable[Miss], known: frozenset[str] | set[str] = frozenset(),
                 since: dt.datetime | None = None, similarity: float = GROUP_SIMILARITY) -> list[InboxGroup]:
    """Misses grouped by similar wording, newest group first. Misses before `since`, and those whose
    folded text is in `known` (already training examples), are left out."""
    groups: list[InboxGroup] = []
    keys: list[str] = []
    for miss in sorted(misses, key=lambda m: m.at, reverse=True):
        if since is not None and miss.at < since:
            continue
        key = fold(miss.text)
        if not key or key in known:
            continue
        best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=similarity) if keys else None
        if best is None:
            group = InboxGroup(text=miss.text, last_seen=miss.at, key=key)
            groups.append(group)
            keys.append(key)
        else:
            group = groups[best[2]]
            if miss.text != group.text and miss.text not in group.variants and len(group.variants) < MAX_VARIANTS:
                group.variants.append(miss.text)
        group.count += 1
        group.reasons.update(miss.reasons)
    return groups


def inbox(events: Iterable[StoredEvent], known: frozenset[str] | set[str] = frozenset(),
          since: dt.datetime | None = None) -> list[InboxGroup]:
    """The trainers' inbox from stored events: `group_misses(find_misses(events))`."""
    return group_misses(find_misses(events), known, since)


EXPORT_HEADER = ("text", "count", "reasons", "last_seen", "variants", "intent", "procedure")


def export_rows(groups: Iterable[InboxGroup]) -> list[list[object]]:
    """The inbox as spreadsheet rows (header first), every text cell neutralised (`safe_row`);
    `intent` and `procedure` are left empty for the trainer."""
    from bot.core.clock import to_local
    from bot.core.spreadsheet import safe_row

    rows: list[list[object]] = [list(EXPORT_HEADER)]
    for g in groups:
        seen = to_local(g.last_seen).strftime("%Y-%m-%d %H:%M") if g.last_seen else ""
        rows.append(safe_row([g.text, g.count, "; ".join(g.reason_labels), seen, " | ".join(g.variants), "", ""]))
    return rows
