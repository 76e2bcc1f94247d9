"""'Đánh dấu đã kiểm tra hôm nay' in the store: one transaction with its audit entry and a new fingerprint;
the check outlives a reload of the same content and not of changed content. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.audit_store import AuditStore
from bot.db.catalog_store import CatalogStore, content_hash
from tests.core.records import mini_procedures

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def catalog(engine):
    store = CatalogStore(engine)
    store.replace_all(mini_procedures())
    return store


def _code(catalog) -> str:
    return catalog.all_procedures()[0].code


def test_marking_checked_moves_the_date_records_who_and_changes_the_fingerprint(engine, catalog):
    code = _code(catalog)
    before, fingerprint = catalog.get(code).verified_on, catalog.fingerprint()
    marked = catalog.mark_checked(code, TODAY, actor="canbo1", checked_by="Nguyễn Văn A", at=AT)
    assert marked.verified_on == TODAY == catalog.get(code).verified_on
    assert catalog.fingerprint() != fingerprint
    check = catalog.last_check(code)
    assert (check.checked_on, check.checked_by, check.checked_at) == (TODAY, "Nguyễn Văn A", AT)
    (entry,) = AuditStore(engine).entries()
    assert (entry.actor, entry.action, entry.object, entry.field) == ("canbo1", "procedure_verify", f"thủ tục {code}",
                                                                      "verified_on")
    assert (entry.old, entry.new) == (before.strftime("%d/%m/%Y"), "02/03/2026")
    assert "Nguyễn Văn A" in entry.reason


def test_a_check_never_moves_the_date_back_and_an_unknown_code_changes_nothing(engine, catalog):
    code = _code(catalog)
    catalog.mark_checked(code, TODAY, actor="a", checked_by="A", at=AT)
    assert catalog.mark_checked(code, TODAY - dt.timedelta(days=400), actor="a", checked_by="A",
                                at=AT).verified_on == TODAY
    with pytest.raises(KeyError):
        catalog.mark_checked("9.999999", TODAY, actor="a", checked_by="A", at=AT)
    assert len(AuditStore(engine).entries()) == 2


def test_a_reload_keeps_the_check_for_the_same_content_only(catalog):
    code = _code(catalog)
    catalog.mark_checked(code, TODAY, actor="a", checked_by="A", at=AT)
    catalog.replace_all(mini_procedures())  # `bot procedures load` with the files unchanged
    assert catalog.get(code).verified_on == TODAY
    changed = [p.copy(update={"notes": "Đã đổi nội dung."}) if p.code == code else p for p in mini_procedures()]
    catalog.replace_all(changed)
    assert catalog.get(code).verified_on == mini_procedures()[0].verified_on  # the file's own date again


def test_a_record_read_back_hashes_like_its_file(catalog):
    stored = {p.code: content_hash(p) for p in catalog.all_procedures()}
    assert stored == {p.code: content_hash(p) for p in mini_procedures()}
