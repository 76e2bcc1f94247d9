"""Accounts, lock-out, the audit log and the stored cookie secret, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.accounts import AccountError, LockPolicy
from bot.core.audit import AuditFilter
from bot.db.account_store import DISABLED, LOCKED, OK, WRONG, AccountStore, SecretStore
from bot.db.audit_store import AuditStore
from tests.core.times import SettableClock

PASSWORD = "Mot-cua-2026!"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)  # 08:00 in Vietnam


@pytest.fixture
def clock():
    return SettableClock(START)


@pytest.fixture
def accounts(engine, clock):
    return AccountStore(engine, clock=clock, policy=LockPolicy(3, dt.timedelta(minutes=15)))


def test_add_stores_a_hash_and_an_audit_entry_without_the_password(engine, accounts):
    account = accounts.add("Nguyen.Van.A", "staff", PASSWORD, actor="admin", full_name="Nguyễn Văn A")
    assert (account.name, account.role, account.full_name, account.disabled) == ("nguyen.van.a", "staff",
                                                                                  "Nguyễn Văn A", False)
    assert accounts.login("nguyen.van.a", PASSWORD).outcome == OK
    (entry,) = AuditStore(engine).entries()
    assert (entry.actor, entry.action, entry.object, entry.new) == ("admin", "account_add", "tài khoản nguyen.van.a",
                                                                    "staff")
    assert PASSWORD not in repr(entry)


def test_add_refuses_a_taken_name_a_weak_password_and_an_unknown_role(engine, accounts):
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    with pytest.raises(AccountError, match="đã có"):
        accounts.add("CB01", "admin", PASSWORD, actor="admin")
    with pytest.raises(AccountError, match="ít nhất"):
        accounts.add("cb02", "staff", "ngắn", actor="admin")
    with pytest.raises(AccountError, match="Vai trò"):
        accounts.add("cb03", "root", PASSWORD, actor="admin")
    assert [a.name for a in accounts.all()] == ["cb01"]
    assert len(AuditStore(engine).entries()) == 1


def test_a_locked_account_takes_a_password_check_of_time_but_is_not_checked(accounts, monkeypatch):
    """A locked login must not answer faster than an unknown name (which checks a dummy hash): timing would
    tell which names exist. It still never checks the real hash, so guessing during a lock learns nothing."""
    from bot.db import account_store

    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    for n in range(3):
        accounts.login("cb01", f"sai-mat-khau-{n}")
    checked = []
    real = account_store.verify_password
    monkeypatch.setattr(account_store, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert accounts.login("cb01", PASSWORD).outcome == LOCKED
    assert accounts.login("khong-co", PASSWORD).outcome == WRONG
    assert checked == [None, None]  # one dummy check each, never the account's hash


def test_wrong_passwords_lock_the_account_until_the_lock_ends(accounts, clock):
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    assert accounts.login("cb01", "sai-mat-khau-1").outcome == WRONG
    assert accounts.login("cb01", "sai-mat-khau-2").outcome == WRONG
    locked = accounts.login("cb01", "sai-mat-khau-3")
    assert locked.outcome == LOCKED and locked.locked_until == START + dt.timedelta(minutes=15)
    assert accounts.login("cb01", PASSWORD).outcome == LOCKED  # even the right password waits
    clock.now = START + dt.timedelta(minutes=15, seconds=1)
    ok = accounts.login("cb01", PASSWORD)
    assert ok.outcome == OK and ok.account.failed_logins == 0 and ok.account.last_login_at == clock.now


def test_a_right_password_resets_the_count(accounts):
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    accounts.login("cb01", "sai-mat-khau-1")
    accounts.login("cb01", "sai-mat-khau-2")
    assert accounts.login("cb01", PASSWORD).outcome == OK
    assert accounts.login("cb01", "sai-mat-khau-3").outcome == WRONG  # counting from zero again


def test_unknown_names_and_disabled_accounts(engine, accounts):
    assert accounts.login("khong.co", PASSWORD).outcome == WRONG
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    before = accounts.get("cb01").session_version
    disabled = accounts.set_disabled("cb01", True, actor="admin", reason="nghỉ việc")
    assert disabled.disabled and disabled.session_version == before + 1
    assert accounts.login("cb01", PASSWORD).outcome == DISABLED
    assert accounts.login("cb01", "sai-mat-khau-1").outcome == WRONG
    accounts.set_disabled("cb01", True, actor="admin")  # already disabled: nothing changes, nothing logged
    assert accounts.set_disabled("cb01", False, actor="admin").disabled is False
    actions = [(e.action, e.old, e.new, e.reason) for e in AuditStore(engine).entries()]
    assert actions[:2] == [("account_enable", "đã khóa", "đang dùng", None),
                           ("account_disable", "đang dùng", "đã khóa", "nghỉ việc")]
    with pytest.raises(AccountError, match="Không có"):
        accounts.set_disabled("khong.co", True, actor="admin")


def test_password_change_checks_the_current_one_and_ends_other_sessions(engine, accounts):
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    with pytest.raises(AccountError, match="hiện tại không đúng"):
        accounts.set_password("cb01", "Mat-khau-moi-9", actor="cb01", current_password="sai")
    with pytest.raises(AccountError, match="khác mật khẩu hiện tại"):
        accounts.set_password("cb01", PASSWORD, actor="cb01", current_password=PASSWORD)
    with pytest.raises(AccountError, match="ít nhất"):
        accounts.set_password("cb01", "ngắn", actor="cb01", current_password=PASSWORD)
    changed = accounts.set_password("cb01", "Mat-khau-moi-9", actor="cb01", current_password=PASSWORD)
    assert changed.session_version == 2
    assert accounts.login("cb01", PASSWORD).outcome == WRONG
    assert accounts.login("cb01", "Mat-khau-moi-9").outcome == OK
    entry = AuditStore(engine).entries()[0]
    assert (entry.action, entry.old, entry.new) == ("password_change", None, None)


def test_audit_entries_filter_by_person_and_vietnam_day(engine, accounts, clock):
    accounts.add("cb01", "staff", PASSWORD, actor="admin")
    clock.now = START + dt.timedelta(days=1, hours=16)  # 03/03 17:00 UTC = 04/03 00:00 in Vietnam
    accounts.add("cb02", "staff", PASSWORD, actor="truong.phong")
    audit = AuditStore(engine)
    assert audit.actors() == ["admin", "truong.phong"]
    assert [e.object for e in audit.entries(AuditFilter(actor="admin"))] == ["tài khoản cb01"]
    assert [e.object for e in audit.entries(AuditFilter(since=dt.date(2026, 3, 4)))] == ["tài khoản cb02"]
    assert [e.object for e in audit.entries(AuditFilter(until=dt.date(2026, 3, 3)))] == ["tài khoản cb01"]
    assert audit.entries(AuditFilter(since=dt.date(2026, 3, 5))) == []


def test_the_secret_is_made_once_and_kept(engine, clock):
    first = SecretStore(engine, clock=clock).get_or_create("staff-cookie")
    assert len(first) >= 43
    assert SecretStore(engine, clock=clock).get_or_create("staff-cookie") == first
    assert SecretStore(engine, clock=clock).get_or_create("other") != first
