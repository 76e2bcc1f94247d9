"""Dossier store: all-or-nothing batches, history, notifications, citizen checks, rate limit."""

from __future__ import annotations

import datetime as dt


from bot.cli.demo_data import demo_dossiers
from bot.core.dossiers.planning import Incoming
from bot.db.models import DossierRow
from bot.db.engine import session_factory
from tests.core.dossiers.samples import CODE, row as sample_row
from tests.core.times import vn

NOW = vn(2025, 3, 20, 10, 0)


def row(**over) -> dict:
    """The core tests' sample row, due after NOW so it is not late."""
    return sample_row(**{"phone": "0912345678", "due_at": "2025-03-25", **over})


def test_import_writes_history_and_reimport_changes_nothing(services):
    store = services.dossiers
    plan = store.apply([Incoming("dòng 2", row())], "import:a.csv", now=NOW)
    assert not plan.errors and plan.count("create") == 1
    again = store.apply([Incoming("dòng 2", row())], "import:a.csv", now=NOW)
    assert again.count("unchanged") == 1
    assert [(h.old_status, h.new_status, h.source) for h in store.history(CODE)] == [
        (None, "processing", "import:a.csv")]
    assert store.get("000 00 12 h12 250312 0042").procedure_code == "1.001193"


def test_a_bad_row_writes_nothing(services):
    store = services.dossiers
    plan = store.apply([Incoming("dòng 2", row()),
                        Incoming("dòng 3", row(code="000.00.12.H12-250312-0043", status="lost"))], "import", now=NOW)
    assert [(w, e.field) for w, e in plan.errors] == [("dòng 3", "status")]
    assert store.count() == 0


def test_dry_run_writes_nothing(services):
    plan = services.dossiers.apply([Incoming("dòng 2", row())], "import", dry_run=True, now=NOW)
    assert plan.count("create") == 1 and services.dossiers.count() == 0


def test_set_status_records_history_and_notifies_subscribers(services):
    store = services.dossiers
    store.apply([Incoming("dòng 2", row())], "import", now=NOW)
    assert store.subscribe(CODE, "telegram:42", "telegram", "42") is True
    assert store.subscribe(CODE, "telegram:42", "telegram", "42") is False
    plan = store.set_status(CODE, "result_ready", note="mang theo giấy hẹn", source="cli", now=NOW)
    assert not plan.errors and plan.count("update") == 1
    assert plan.notifications == 1
    history = store.history(CODE)
    assert (history[-1].old_status, history[-1].new_status, history[-1].source) == ("processing", "result_ready", "cli")
    (message,) = services.outbox.due("telegram")
    assert message.recipient_id == "42" and "Đã có kết quả" in message.text and "0912345678" not in message.text
    # the same status again changes nothing and queues nothing
    store.set_status(CODE, "result_ready", note="mang theo giấy hẹn", source="cli", now=NOW)
    assert len(services.outbox.all()) == 1


def test_set_status_on_an_unknown_code_or_status_is_an_error(services):
    plan = services.dossiers.set_status(CODE, "processing", now=NOW)
    assert plan.errors
    services.dossiers.apply([Incoming("dòng 2", row())], "import", now=NOW)
    assert services.dossiers.set_status(CODE, "finished", now=NOW).errors


def test_citizen_check_needs_code_and_phone(services):
    store = services.dossiers
    store.apply([Incoming("dòng 2", row())], "import", now=NOW)
    assert store.check("rest-1", "0000012h122503120042", "5678", now=NOW).kind == "ok"
    wrong_phone = store.check("rest-1", CODE, "1111", now=NOW)
    unknown = store.check("rest-1", "000.00.12.H12-250312-9999", "5678", now=NOW)
    assert wrong_phone.kind == unknown.kind == "no_match"
    assert wrong_phone.dossier is None and unknown.dossier is None


def test_five_failures_lock_the_conversation_across_restarts(services, settings):
    store = services.dossiers
    store.apply([Incoming("dòng 2", row())], "import", now=NOW)
    kinds = [store.check("rest-2", CODE, "0000", now=NOW + dt.timedelta(minutes=i)).kind for i in range(5)]
    assert kinds == ["no_match"] * 4 + ["locked"]
    from bot.app import Services

    restarted = Services.from_settings(settings)
    locked = restarted.dossiers.check("rest-2", CODE, "5678", now=NOW + dt.timedelta(minutes=6))
    assert locked.kind == "locked" and locked.locked_until == NOW + dt.timedelta(minutes=15)
    assert restarted.dossiers.check("rest-3", CODE, "5678", now=NOW + dt.timedelta(minutes=6)).kind == "ok"
    assert restarted.dossiers.check("rest-2", CODE, "5678", now=NOW + dt.timedelta(minutes=15)).kind == "ok"
    restarted.engine.dispose()


def test_seed_demo_only_when_empty(services):
    demo = demo_dossiers(NOW.date(), ["1.001193"])
    assert services.dossiers.seed_demo(demo, now=NOW) == len(demo)
    assert services.dossiers.seed_demo(demo, now=NOW) == 0
    assert services.dossiers.count() == len(demo)


def test_sql_looking_codes_are_just_not_found(services):
    services.dossiers.apply([Incoming("dòng 2", row())], "import", now=NOW)
    assert services.dossiers.get("' OR 1=1 --") is None
    assert services.dossiers.check("rest-4", "' OR 1=1 --", "5678", now=NOW).kind == "no_match"
    with session_factory(services.engine)() as session:
        assert session.query(DossierRow).count() == 1
