"""Editing curated records in the store: all or nothing, one audit entry per changed field, a new fingerprint,
stale versions refused, and console edits kept across `bot procedures load`. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.record_fields import version
from bot.core.record_reading import from_texts
from bot.db.audit_store import AuditStore
from bot.db.catalog_store import CatalogStore, Edit, StaleEdits
from tests.core.records import mini_procedures

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
CODE, OTHER = "1.001193", "1.000656"


@pytest.fixture
def catalog(engine):
    store = CatalogStore(engine)
    store.replace_all(mini_procedures())
    return store


def _edit(catalog, code: str, **texts) -> Edit:
    current = catalog.get(code)
    return Edit(version(current), from_texts(current, texts))


def test_an_edit_replaces_the_record_audits_each_field_and_changes_the_fingerprint(engine, catalog):
    before = catalog.fingerprint()
    changed = catalog.apply_edits([_edit(catalog, CODE, le_phi="Lệ phí 8.000 đồng.", so_tien="8.000",
                                         cac_buoc="Nộp hồ sơ.\nChờ xét.\nNhận kết quả.")],
                                  actor="canbo1", reason="Theo quyết định mới", at=AT)
    assert changed == [CODE]
    stored = catalog.get(CODE)
    assert (stored.fees.text, stored.fees.amount_vnd) == ("Lệ phí 8.000 đồng.", 8000)
    assert stored.steps == ["Nộp hồ sơ.", "Chờ xét.", "Nhận kết quả."]
    assert catalog.fingerprint() != before
    entries = {e.field: e for e in AuditStore(engine).entries()}
    assert set(entries) == {"le_phi", "so_tien", "cac_buoc"}
    fee = entries["le_phi"]
    assert (fee.actor, fee.action, fee.object, fee.old, fee.new, fee.reason) == (
        "canbo1", "procedure_edit", f"thủ tục {CODE}", "Miễn lệ phí.", "Lệ phí 8.000 đồng.", "Theo quyết định mới")
    assert (entries["so_tien"].old, entries["so_tien"].new) == ("0", "8000")
    assert [e.code for e in catalog.console_edits()] == [CODE]


def test_an_unchanged_record_writes_nothing(engine, catalog):
    before = catalog.fingerprint()
    assert catalog.apply_edits([_edit(catalog, CODE)], actor="a", reason="r", at=AT) == []
    assert catalog.fingerprint() == before and AuditStore(engine).entries() == [] and catalog.console_edits() == []


def test_a_stale_version_is_refused_and_nothing_of_the_batch_is_saved(engine, catalog):
    first, second = _edit(catalog, CODE, le_phi="Một."), _edit(catalog, OTHER, le_phi="Hai.")
    catalog.apply_edits([_edit(catalog, OTHER, ghi_chu="Người khác sửa trước.")], actor="b", reason="r", at=AT)
    with pytest.raises(StaleEdits) as refused:
        catalog.apply_edits([first, second], actor="a", reason="r", at=AT)
    assert list(refused.value.current) == [OTHER]
    assert refused.value.current[OTHER].notes == "Người khác sửa trước."
    assert catalog.get(CODE).fees.text == "Miễn lệ phí." and catalog.get(OTHER).fees.text == "Miễn lệ phí."
    assert {e.actor for e in AuditStore(engine).entries()} == {"b"}


def test_a_reload_of_unchanged_files_keeps_the_console_edit(catalog):
    catalog.apply_edits([_edit(catalog, CODE, le_phi="Lệ phí 8.000 đồng.")], actor="a", reason="r", at=AT)
    catalog.replace_all(mini_procedures())  # `bot procedures load`, files as before
    assert catalog.get(CODE).fees.text == "Lệ phí 8.000 đồng."
    assert catalog.get(OTHER).fees.text == "Miễn lệ phí."


def test_files_that_caught_up_settle_the_edit_and_prefer_files_drops_it(catalog):
    catalog.apply_edits([_edit(catalog, CODE, le_phi="Lệ phí 8.000 đồng.")], actor="a", reason="r", at=AT)
    updated = [p.copy(update={"fees": p.fees.copy(update={"text": "Lệ phí 8.000 đồng."})}) if p.code == CODE else p
               for p in mini_procedures()]
    catalog.replace_all(updated)  # the repository was updated from the console's export
    assert catalog.console_edits() == [] and catalog.get(CODE).fees.text == "Lệ phí 8.000 đồng."

    catalog.apply_edits([_edit(catalog, CODE, le_phi="Lệ phí 9.000 đồng.")], actor="a", reason="r", at=AT)
    catalog.replace_all(mini_procedures(), prefer_files=True)
    assert catalog.console_edits() == [] and catalog.get(CODE).fees.text == "Miễn lệ phí."


def test_an_unknown_code_is_stale(catalog):
    edit = _edit(catalog, CODE)
    gone = Edit(edit.base_version, edit.record.copy(update={"code": "9.999999"}))
    with pytest.raises(StaleEdits) as refused:
        catalog.apply_edits([gone], actor="a", reason="r", at=AT)
    assert refused.value.current == {"9.999999": None}
