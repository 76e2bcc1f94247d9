"""Staff accounts in SQL: add, disable, log in (with lock-out), change passwords; each change audited.

The rules are `bot.core.accounts`; this class only stores. A password is
verified outside any write transaction (argon2 takes tens of milliseconds), then
the outcome is written with the row locked (`with_for_update` on PostgreSQL;
SQLite's write transaction holds the database), so concurrent wrong passwords
all count.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.core.accounts import (
    Account,
    AccountError,
    LockPolicy,
    check_full_name,
    check_name,
    check_role,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from bot.core.audit import Change
from bot.core.clock import now_utc
from bot.db.audit_store import record
from bot.db.engine import serialize, session_factory
from bot.db.models import AppSecretRow, StaffAccountRow

# Outcomes of a login.
OK, WRONG, LOCKED, DISABLED = "ok", "wrong", "locked", "disabled"
_STATE = {False: "đang dùng", True: "đã khóa"}


def _account(row: StaffAccountRow) -> Account:
    return Account(row.id, row.name, row.full_name, row.role, row.disabled, row.failed_logins, row.locked_until,
                   row.session_version, row.created_at, row.changed_at, row.last_login_at)


@dataclass(frozen=True)
class Login:
    outcome: str  # ok | wrong | locked | disabled
    account: Account | None = None
    locked_until: dt.datetime | None = None


class AccountStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc, policy: LockPolicy = LockPolicy()):
        self._sessions = session_factory(engine)
        self._clock = clock
        self.policy = policy

    # --- reading --------------------------------------------------------------------

    def get(self, name: str) -> Account | None:
        with self._sessions() as session:
            row = session.scalar(select(StaffAccountRow).where(StaffAccountRow.name == (name or "").strip().lower()))
            return _account(row) if row else None

    def by_id(self, account_id: int) -> Account | None:
        with self._sessions() as session:
            row = session.get(StaffAccountRow, account_id)
            return _account(row) if row else None

    def all(self) -> list[Account]:
        with self._sessions() as session:
            return [_account(r) for r in session.scalars(select(StaffAccountRow).order_by(StaffAccountRow.name))]

    # --- changes (each with its audit entry) ------------------------------------------

    def add(self, name: str, role: str, password: str, *, actor: str, full_name: str | None = None) -> Account:
        """A new account; AccountError for a bad or taken name, an unknown role or a weak password."""
        name, role = check_name(name), check_role(role)
        full_name = check_full_name(full_name, name)
        problem = password_problem(password, name)
        if problem:
            raise AccountError(problem)
        password_hash = hash_password(password)
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                if session.scalar(select(StaffAccountRow.id).where(StaffAccountRow.name == name)) is not None:
                    raise AccountError(f"Tên đăng nhập '{name}' đã có.")
                row = StaffAccountRow(name=name, full_name=full_name, role=role, password_hash=password_hash,
                                      disabled=False, failed_logins=0, session_version=1, created_at=now,
                                      changed_at=now)
                session.add(row)
                record(session, actor, [Change("account_add", f"tài khoản {name}", "vai trò", None, role)], now)
                session.flush()
                return _account(row)
        except IntegrityError:  # the same name added at the same moment by someone else
            raise AccountError(f"Tên đăng nhập '{name}' đã có.") from None

    def set_disabled(self, name: str, disabled: bool, *, actor: str, reason: str | None = None) -> Account:
        """Disable (every open session ends at its next request) or enable an account."""
        now = self._clock()
        with self._sessions.begin() as session:
            row = self._locked_row(session, name)
            if row.disabled != disabled:
                row.disabled = disabled
                row.session_version += 1
                row.changed_at = now
                if not disabled:
                    row.failed_logins, row.locked_until = 0, None
                action = "account_disable" if disabled else "account_enable"
                record(session, actor, [Change(action, f"tài khoản {row.name}", "trạng thái", _STATE[not disabled],
                                               _STATE[disabled], reason)], now)
            return _account(row)

    def set_password(self, name: str, new_password: str, *, actor: str, current_password: str | None = None,
                     keep_version: bool = False) -> Account:
        """A new password; with `current_password`, only if it is right. Other sessions end unless `keep_version`
        (the console keeps the session that changed it, by storing the new version in it)."""
        account = self.get(name)
        if account is None:
            raise AccountError(f"Không có tài khoản '{str(name)[:40]}'.")
        if current_password is not None and not verify_password(self._hash(account.id), current_password):
            raise AccountError("Mật khẩu hiện tại không đúng.")
        problem = password_problem(new_password, account.name)
        if problem:
            raise AccountError(problem)
        if verify_password(self._hash(account.id), new_password):
            raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.")
        password_hash = hash_password(new_password)
        now = self._clock()
        with self._sessions.begin() as session:
            row = self._locked_row(session, account.name)
            row.password_hash = password_hash
            row.session_version += 1
            row.failed_logins, row.locked_until = 0, None
            row.changed_at = now
            record(session, actor, [Change("password_change", f"tài khoản {row.name}")], now)
            return _account(row)

    # --- logging in -----------------------------------------------------------------------

    def login(self, name: str, password: str) -> Login:
        """Check a password, counting failures and locking per `policy`. An unknown name takes as long as a
        known one and is WRONG; a locked account is not checked (so guessing during a lock learns nothing) but
        takes as long too; a disabled one says so only to the right password."""
        now = self._clock()
        account = self.get(name)
        if account is not None and account.is_locked(now):
            verify_password(None, password)  # the time of a check, so a lock cannot be told apart by timing
            return Login(LOCKED, locked_until=account.locked_until)
        right = verify_password(self._hash(account.id) if account else None, password)
        if account is None:
            return Login(WRONG)
        if account.disabled:
            return Login(DISABLED if right else WRONG)
        with self._sessions.begin() as session:
            row = self._locked_row(session, account.name)
            if right:
                row.failed_logins, row.locked_until = 0, None
                row.last_login_at = now
                if needs_rehash(row.password_hash):
                    row.password_hash = hash_password(password)
                return Login(OK, _account(row))
            row.failed_logins, until = self.policy.after_failure(row.failed_logins, now)
            if until is not None:
                row.locked_until = until
                return Login(LOCKED, locked_until=until)
            return Login(WRONG)

    def _hash(self, account_id: int) -> str | None:
        with self._sessions() as session:
            return session.scalar(select(StaffAccountRow.password_hash).where(StaffAccountRow.id == account_id))

    def _locked_row(self, session, name: str) -> StaffAccountRow:
        row = session.scalar(select(StaffAccountRow).where(StaffAccountRow.name == (name or "").strip().lower())
                             .with_for_update())
        if row is None:
            raise AccountError(f"Không có tài khoản '{str(name)[:40]}'.")
        return row


class SecretStore:
    """Secrets the application makes for itself, the same for every process and across restarts."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def get_or_create(self, name: str) -> str:
        """The stored secret `name`; the first caller makes it (32 random bytes, URL-safe base64)."""
        with self._sessions() as session:
            value = session.scalar(select(AppSecretRow.value).where(AppSecretRow.name == name))
        if value:
            return value
        with self._sessions.begin() as session:
            serialize(session, f"app-secret:{name}")
            value = session.scalar(select(AppSecretRow.value).where(AppSecretRow.name == name))
            if not value:
                value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
                session.add(AppSecretRow(name=name, value=value, created_at=self._clock()))
            return value
