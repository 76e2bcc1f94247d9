"""The published tier's store: one transaction per import with its audit entry, idempotent, all or nothing."""

from __future__ import annotations

import pytest

from bot.core.portal import parse_record
from bot.core.portal_plan import plan_import
from bot.db.published_store import EMPTY_FINGERPRINT, PublishedStore
from tests.core.portal_records import COLLECTED, portal_record
from tests.core.times import utc

NOW = utc(2026, 3, 2, 8, 0)


@pytest.fixture
def store(engine):
    return PublishedStore(engine, clock=lambda: NOW)


def _records(*codes, **overrides):
    return [parse_record(portal_record(code=c, **overrides), COLLECTED) for c in codes]


def test_an_import_is_stored_whole_with_its_audit_entry(store):
    assert store.all() == [] and store.fingerprint() == EMPTY_FINGERPRINT
    records = _records("9.000001", "9.000002")
    entry = store.apply(plan_import({}, records), run_by="cán bộ A", source="/data/export", files=2)
    assert store.all() == records and store.get("9.000002") == records[1]
    assert (entry.run_by, entry.run_at, entry.source, entry.files, entry.added) == ("cán bộ A", NOW, "/data/export", 2, 2)
    assert store.imports()[0] == entry
    first = store.fingerprint()
    assert first != EMPTY_FINGERPRINT


def test_a_second_identical_import_changes_nothing(store):
    records = _records("9.000001", "9.000002")
    store.apply(plan_import({}, records), run_by="a", source="s", files=2)
    fingerprint = store.fingerprint()
    again = plan_import(store.by_code(), _records("9.000001", "9.000002"))
    assert again.counts()["unchanged"] == 2 and again.writes == 0
    entry = store.apply(again, run_by="a", source="s", files=2)
    assert (entry.added, entry.changed, entry.removed, entry.unchanged) == (0, 0, 0, 2)
    assert store.fingerprint() == fingerprint and len(store.imports()) == 2


def test_changes_and_removals_are_stored_and_change_the_fingerprint(store):
    store.apply(plan_import({}, _records("9.000001", "9.000002")), run_by="a", source="s", files=1)
    before = store.fingerprint()
    changed = _records("9.000001", co_quan_thuc_hien="Ủy ban nhân dân cấp tỉnh")
    plan = plan_import(store.by_code(), changed)
    store.apply(plan, run_by="a", source="s", files=1)
    assert [p.code for p in store.all()] == ["9.000001"]
    assert store.get("9.000001").agency == "Ủy ban nhân dân cấp tỉnh"
    assert store.fingerprint() != before


def test_a_failing_import_leaves_everything_as_it_was(store):
    store.apply(plan_import({}, _records("9.000001")), run_by="a", source="s", files=1)
    fingerprint, imports = store.fingerprint(), store.imports()
    # The added record's code is already stored: the insert fails inside the transaction.
    bad = plan_import({}, _records("9.000002", "9.000001"))
    with pytest.raises(Exception):
        store.apply(bad, run_by="a", source="s", files=1)
    assert [p.code for p in store.all()] == ["9.000001"]
    assert store.fingerprint() == fingerprint and store.imports() == imports


def test_dossiers_of_a_published_procedure_are_named(engine, store):
    from bot.db.dossier_store import DossierStore

    store.apply(plan_import({}, _records("9.000001")), run_by="a", source="s", files=1)
    dossiers = DossierStore(engine, clock=lambda: NOW)
    assert dossiers.procedure_name("9.000001") == "Cấp giấy xác nhận thử nghiệm"
    assert dossiers.procedure_name("9.999999") is None


def test_last_import_changes_lists_what_the_last_run_added_and_changed(engine):
    from bot.core.portal import parse_record
    from bot.core.portal_plan import plan_import
    from bot.db.published_store import PublishedStore
    from tests.core.portal_records import COLLECTED, portal_record
    from tests.core.times import SettableClock, utc

    clock = SettableClock(utc(2026, 3, 1, 1))
    store = PublishedStore(engine, clock=clock)
    assert store.last_import_changes() == (None, [], [])
    first = [parse_record(portal_record(code=c, name=f"Thủ tục {c}"), COLLECTED) for c in ("9.000001", "9.000002")]
    store.apply(plan_import({}, first), run_by="a", source="s", files=1)
    clock.advance(days=1)
    second = [parse_record(portal_record(code="9.000001", name="Thủ tục đổi tên"), COLLECTED), first[1],
              parse_record(portal_record(code="9.000003", name="Thủ tục mới"), COLLECTED)]
    store.apply(plan_import(store.by_code(), second), run_by="b", source="s", files=1)
    last, added, changed = store.last_import_changes()
    assert (last.run_by, added, changed) == ("b", ["9.000003"], ["9.000001"])
