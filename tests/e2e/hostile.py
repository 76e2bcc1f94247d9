"""Send the hostile corpus (tests/hostile_corpus.py) to every surface of a running assistant.

Used by tests/e2e/test_hostile_input.py and `benchmarks/hostile.py`. Surfaces:
Rasa's REST webhook, the Zalo webhook (unsigned bodies, and signed events with
hostile fields stamped now), the kiosk API (message and reset) and the dossier
push API (with and without the token). Each request goes on a fresh connection:
a server that refuses a large body early may close the connection it came on.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

import aiohttp

from bot.core.zalo_signature import signature
from tests.hostile_corpus import corpus, raw_cases

ZALO_APP_ID = "4312298743211234"
ZALO_SECRET = "oa-secret-key-for-hostile-tests"
DOSSIER_TOKEN = "hostile-test-token"

Request = tuple[str, str, bytes, dict]  # (surface, case name, body, headers)


def zalo_event(user: str, text, msg_id: str, **over) -> dict:
    body = {"app_id": ZALO_APP_ID, "user_id_by_app": "9" + str(user)[:20], "event_name": "user_send_text",
            "sender": {"id": user}, "recipient": {"id": "579745863508352884"},
            "message": {"text": text, "msg_id": msg_id}, "timestamp": str(int(time.time() * 1000))}
    body.update(over)
    return body


def signed_zalo(body: dict) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode("utf-8")
    return raw, {"Content-Type": "application/json",
                 "X-ZEvent-Signature": signature(ZALO_APP_ID, raw, str(body.get("timestamp")), ZALO_SECRET)}


def _zalo_events(run: str) -> Iterator[tuple[str, dict]]:
    user = f"77{abs(hash(run)) % 10**8}"
    hostile_texts = [("text as list", ["a"]), ("text as number", 5), ("text null", None), ("NUL text", "\x00"),
                     ("lone surrogate", "\ud800 chào"), ("10 kB text", "x" * 10_000),
                     ("control characters", "\x1b[31mxin\x07 chào"), ("braces payload", "/ask_fee{\"a\": [[1]]}")]
    for i, (name, text) in enumerate(hostile_texts):
        yield name, zalo_event(user, text, f"{run}-t{i}")
    yield "sender as list", zalo_event(["1"], "chào", f"{run}-s1")
    yield "huge sender id", zalo_event("9" * 20_000, "chào", f"{run}-s2")
    yield "sender with NUL", zalo_event("10\x0001", "chào", f"{run}-s3")
    yield "message as list", zalo_event(user, "chào", f"{run}-m1", message=["x"])
    yield "msg_id object", zalo_event(user, "chào", "", message={"text": "chào", "msg_id": {"a": 1}})
    yield "huge msg_id", zalo_event(user, "chào", "m" * 20_000)
    yield "stale event", zalo_event(user, "chào", f"{run}-old", timestamp=str(int((time.time() - 3600) * 1000)))
    yield "timestamp not a number", zalo_event(user, "chào", f"{run}-ts", timestamp="soon")


def _dossier_bodies() -> Iterator[tuple[str, bytes]]:
    yield from ((name, raw) for name, raw, _ in raw_cases())
    good = dict(code="000.00.12.H12-250312-0999", procedure_code="1.001193", applicant_name="Nguyễn Văn A",
                phone="0912345678", status="processing", received_at="2025-03-12T08:00:00+07:00",
                due_at="2025-03-25", updated_at="2025-03-12T08:00:00+07:00", unit="Phòng Tư pháp")
    values = [None, 42, [], {}, "x" * 10_000, "\x00", "\ud800", "9999-12-31T23:59:59-23:59", "'; DROP TABLE x; --"]
    for name in good:
        for i, value in enumerate(values):
            yield f"{name}={i}", json.dumps([{**good, name: value}]).encode()


def requests(run: str = "r") -> Iterator[Request]:
    """Every hostile request of one round; `run` keeps Zalo message ids distinct between rounds."""
    for name, raw, content_type in corpus("sender", "message"):
        yield "rest", name, raw, {"Content-Type": content_type}
    for name, raw, content_type in corpus("session", "message", {"screen": "quay-1"}):
        yield "kiosk", name, raw, {"Content-Type": content_type}
    for name, raw, content_type in corpus("session", "unused", {"screen": "quay-1"}):
        yield "kiosk-reset", name, raw, {"Content-Type": content_type}
    for name, raw, content_type in raw_cases():
        yield "zalo", f"unsigned {name}", raw, {"Content-Type": content_type}
    for name, body in _zalo_events(run):
        raw, headers = signed_zalo(body)
        yield "zalo", f"signed {name}", raw, headers
    for name, raw in _dossier_bodies():
        yield "dossiers", name, raw, {"Content-Type": "application/json", "Authorization": f"Bearer {DOSSIER_TOKEN}"}
    yield "dossiers", "no token", b"[]", {"Content-Type": "application/json"}


PATHS = {
    "rest": ("rasa", "/webhooks/rest/webhook"),
    "zalo": ("rasa", "/webhooks/zalo/webhook"),
    "kiosk": ("web", "/kiosk/api/message"),
    "kiosk-reset": ("web", "/kiosk/api/reset"),
    "dossiers": ("web", "/api/dossiers"),
}


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)  # (surface, status) -> count; status 0: connection closed
    server_errors: list = field(default_factory=list)  # (surface, case, status, body) of every 5xx

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def count_5xx(self) -> int:
        return len(self.server_errors)


async def send_all(rasa_url: str, web_url: str, reqs, outcome: Outcome | None = None,
                   timeout: float = 120) -> Outcome:
    """Send `reqs`, one at a time, and count the answers."""
    outcome = outcome or Outcome()
    bases = {"rasa": rasa_url, "web": web_url}
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        for surface, name, raw, headers in reqs:
            base, path = PATHS[surface]
            try:
                async with http.post(bases[base] + path, data=raw, headers=headers) as response:
                    status, text = response.status, await response.text(errors="replace")
            except aiohttp.ClientConnectionError:
                status, text = 0, ""  # the server refused the body early and closed: not an error answer
            outcome.statuses[(surface, status)] += 1
            if status >= 500:
                outcome.server_errors.append((surface, name, status, text[:300]))
    return outcome
