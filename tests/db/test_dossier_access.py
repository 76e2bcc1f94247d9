"""The dossier store's access rules: limits shared by every conversation and process,
a successful check recorded server-side, and no overshoot under concurrent failures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

from bot.app import Services
from bot.core.dossiers.access import CODE, IP, OVERALL, SENDER, VERIFIED_FOR
from bot.core.dossiers.planning import Incoming
from bot.db.dossier_store import DossierStore
from bot.db.engine import session_factory
from bot.db.models import DossierCheckFailureRow
from tests.core.dossiers.samples import CODE as DOSSIER, row as sample_row
from tests.core.times import vn

NOW = vn(2025, 3, 20, 10, 0)
OTHER = "000.00.12.H12-250312-0043"


def minutes(m: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=m)


def _with_dossier(services) -> DossierStore:
    row = sample_row(phone="0912345678", due_at="2025-03-25")
    assert not services.dossiers.apply([Incoming("dòng 2", row)], "import", now=NOW).errors
    return services.dossiers


def test_ten_senders_failing_on_one_code_send_that_code_to_the_desk(services):
    store = _with_dossier(services)
    kinds = [store.check(f"rest:guess-{i}", DOSSIER, f"{i:04d}", now=minutes(i)).kind for i in range(10)]
    assert kinds == ["no_match"] * 9 + ["locked"]
    owner = store.check("telegram:owner", DOSSIER, "5678", now=minutes(11))
    assert (owner.kind, owner.scope, owner.locked_until) == ("locked", CODE, minutes(60))
    assert store.check("telegram:owner", DOSSIER, "5678", now=minutes(60)).kind == "ok"


def test_unknown_codes_count_per_code_too(services):
    store = _with_dossier(services)
    for i in range(10):
        store.check(f"s{i}", OTHER, "5678", now=minutes(i))
    assert store.check("s-new", OTHER, "5678", now=minutes(10)).scope == CODE
    assert store.check("s-new", DOSSIER, "5678", now=minutes(10)).kind == "ok"


def test_a_kiosk_address_is_limited_across_sessions(services, settings):
    store = Services.from_settings(dataclasses.replace(settings, dossier_check_failures_per_ip=3)).dossiers
    _with_dossier(services)
    for i in range(3):
        store.check(f"kiosk:1.s{i}", f"000.00.12.H12-250312-00{i:02d}", "5678", now=minutes(i), ip="10.0.0.7")
    locked = store.check("kiosk:1.new", DOSSIER, "5678", now=minutes(3), ip="10.0.0.7")
    assert (locked.kind, locked.scope) == ("locked", IP)
    assert store.lockout("kiosk:1.other", ip="10.0.0.7", now=minutes(3)).scope == IP
    assert store.check("kiosk:2.new", DOSSIER, "5678", now=minutes(3), ip="10.0.0.8").kind == "ok"


def test_the_overall_budget_holds_across_codes_and_senders(services, settings):
    store = Services.from_settings(dataclasses.replace(settings, dossier_check_failures_global=5)).dossiers
    _with_dossier(services)
    for i in range(5):
        store.check(f"s{i}", f"000.00.12.H12-250312-00{i:02d}", "1111", now=minutes(i))
    refused = store.check("someone", DOSSIER, "5678", now=minutes(5))
    assert (refused.kind, refused.scope, refused.locked_until) == ("locked", OVERALL, minutes(60))
    assert store.lockout("someone", now=minutes(5)).scope == OVERALL
    assert store.check("someone", DOSSIER, "5678", now=minutes(60)).kind == "ok"


def test_the_conversation_lock_is_as_before(services):
    store = _with_dossier(services)
    kinds = [store.check("rest-2", f"000.00.12.H12-250312-00{i:02d}", "0000", now=minutes(i)).kind for i in range(5)]
    assert kinds == ["no_match"] * 4 + ["locked"]
    assert store.lockout("rest-2", now=minutes(6)).scope == SENDER
    assert store.lockout("rest-3", now=minutes(6)) is None


def test_a_good_check_is_recorded_for_thirty_minutes(services):
    store = _with_dossier(services)
    assert store.verified_code("telegram:42", now=NOW) is None
    assert store.check("telegram:42", DOSSIER, "5678", now=NOW).kind == "ok"
    assert store.verified_code("telegram:42", now=minutes(29)) == DOSSIER
    assert store.verified_code("telegram:42", DOSSIER.lower(), now=minutes(29)) == DOSSIER
    assert store.verified_code("telegram:43", now=minutes(1)) is None  # another conversation
    assert store.verified_code("telegram:42", now=NOW + VERIFIED_FOR) is None
    assert store.check("telegram:42", DOSSIER, "1111", now=minutes(40)).kind == "no_match"
    assert store.verified_code("telegram:42", now=minutes(40)) is None  # a failure verifies nothing


def test_concurrent_failures_on_one_code_stop_at_the_limit(services):
    store = _with_dossier(services)
    results: list[str] = []
    start = threading.Barrier(12)

    def guess(i: int) -> None:
        start.wait()
        results.append(store.check(f"rest:bot-{i}", DOSSIER, "0000", now=minutes(1)).kind)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_factory(services.engine)() as session:
        recorded = session.query(DossierCheckFailureRow).filter_by(dossier_code=DOSSIER).count()
    assert recorded == 10  # 12 tried at once; the 11th and 12th were refused, not counted
    assert sorted(results) == ["locked"] * 3 + ["no_match"] * 9
