"""Account rules: names, roles, password strength, hashes, lock-out, permissions."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.accounts import (
    AccountError,
    LockPolicy,
    check_full_name,
    check_name,
    check_role,
    hash_password,
    may,
    needs_rehash,
    password_problem,
    verify_password,
)

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("raw, stored", [("Nguyen.Van.A", "nguyen.van.a"), (" cb01 ", "cb01"), ("a_b-c", "a_b-c")])
def test_login_names_are_stored_lower_case(raw, stored):
    assert check_name(raw) == stored


@pytest.mark.parametrize("bad", ["", "ab", "nguyễn", "a b", ".abc", "x" * 41, "tên;drop", None])
def test_bad_login_names_are_refused_with_a_sentence(bad):
    with pytest.raises(AccountError, match="Tên đăng nhập"):
        check_name(bad)


def test_roles_and_full_names():
    assert check_role("trainer") == "trainer"
    with pytest.raises(AccountError, match="Vai trò"):
        check_role("root")
    assert check_full_name("  Nguyễn   Văn A ", "nva") == "Nguyễn Văn A"
    assert check_full_name("", "nva") == "nva"
    with pytest.raises(AccountError):
        check_full_name("a\x00b", "nva")


@pytest.mark.parametrize("weak, why", [
    ("ngắn", "ít nhất"),
    ("aaaaaaaaaaaa", "ít ký tự khác nhau"),
    ("Password123", "phổ biến"),
    ("matkhau 2024", "phổ biến"),
    ("xnguyen.van.a!9", "tên đăng nhập"),
    ("abcdefghijkl", "hai loại"),
    (" Khoảng cách 9", "dấu cách"),
    ("A1" * 101, "tối đa"),
])
def test_weak_passwords_are_refused_with_the_reason(weak, why):
    assert why in (password_problem(weak, "nguyen.van.a") or "")


@pytest.mark.parametrize("strong", ["Mot-cua-2026!", "con mèo trèo cây cau", "ZxQ7#tk29Lm"])
def test_strong_passwords_pass(strong):
    assert password_problem(strong, "nguyen.van.a") is None


def test_hashes_verify_only_the_right_password_and_never_a_missing_hash():
    stored = hash_password("Mot-cua-2026!")
    assert stored.startswith("$argon2id$") and "Mot-cua" not in stored
    assert verify_password(stored, "Mot-cua-2026!")
    assert not verify_password(stored, "Mot-cua-2026?")
    assert not verify_password(None, "Mot-cua-2026!")
    assert not verify_password("not a hash", "Mot-cua-2026!")
    assert not verify_password(stored, "x" * 10_000)
    assert not needs_rehash(stored) and needs_rehash("not a hash")


def test_an_account_locks_at_the_limit_and_the_count_starts_again():
    policy = LockPolicy(max_failures=3, lock_for=dt.timedelta(minutes=15))
    assert policy.after_failure(0, NOW) == (1, None)
    assert policy.after_failure(1, NOW) == (2, None)
    assert policy.after_failure(2, NOW) == (0, NOW + dt.timedelta(minutes=15))


def test_permissions_by_role():
    assert may("trainer", "view_procedures") and not may("trainer", "change_procedures")
    assert may("staff", "change_procedures") and not may("staff", "manage_accounts")
    assert all(may("admin", p) for p in ("view_procedures", "change_procedures", "manage_accounts", "read_audit"))
