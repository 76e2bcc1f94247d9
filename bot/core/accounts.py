"""Staff accounts: login names, roles, password rules and hashes, lock-out after failed logins.

Framework-free: the store (`bot.db.account_store`), the command line
(`bot staff ...`) and the console (`bot.web.staff`) all ask this module.

- Roles: `staff` (one-stop staff: procedures, dossiers, feedback), `trainer`
  (reads procedures to write NLU examples, changes nothing), `admin` (everything,
  and accounts and the audit log).
- Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106 low-memory
  profile); a hash made with older parameters is re-made at the next login.
- There is no default account and no default password: the first admin is made
  with `bot staff add NAME --role admin`, which asks for the password twice.
- After `max_failures` wrong passwords in a row an account is locked for
  `lock_for`; a right password resets the count.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("staff", "trainer", "admin")
ROLE_LABELS = {"staff": "Cán bộ một cửa", "trainer": "Người huấn luyện", "admin": "Quản trị"}

# What each role may do in the console; checked on the server for every request.
PERMISSIONS = {
    "view_procedures": frozenset(ROLES),
    "change_procedures": frozenset({"staff", "admin"}),
    "manage_accounts": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
    # Dossiers and feedback hold citizens' names, phones and words: trainers see neither.
    "view_dossiers": frozenset({"staff", "admin"}),
    "change_dossiers": frozenset({"staff", "admin"}),
    "view_feedback": frozenset({"staff", "admin"}),
    "answer_feedback": frozenset({"staff", "admin"}),
    # The trainers' inbox shows citizens' words, masked; adding writes data/nlu.
    "train_nlu": frozenset({"trainer", "admin"}),
}

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200  # argon2 takes any length; a megabyte "password" is an attack, not a password
MAX_FULL_NAME_CHARS = 100

# Passwords people pick first; refused whatever their length (compared without case, spaces and digits at the end).
COMMON_PASSWORDS = frozenset({
    "password", "matkhau", "admin", "administrator", "qwerty", "qwertyuiop", "abcdef", "abcdefgh", "abcdefghij",
    "letmein", "welcome", "iloveyou", "motcua", "tthc", "1234567890", "0123456789", "vietnam", "hanoi",
    "saigon", "abc", "asdfghjkl", "zxcvbnm", "changeme", "secret", "matkhaumoi", "canbo", "quantri",
})

_HASHER = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, verified when the name is unknown so that a wrong
    name takes as long as a wrong password (made on first use, not at import)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A problem a person can fix; the message is in Vietnamese."""


def check_name(name: str) -> str:
    """The login name as stored (lower case), or AccountError."""
    name = (name or "").strip().lower()
    if not NAME_RE.fullmatch(name):
        raise AccountError("Tên đăng nhập dài 3–40 ký tự, chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang "
                           "hoặc gạch dưới, bắt đầu bằng chữ hoặc số (ví dụ: nguyen.van.a).")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"Vai trò '{str(role)[:20]}' không có. Chọn một trong: {', '.join(ROLES)}.")
    return role


def check_full_name(full_name: str | None, name: str) -> str:
    text = " ".join((full_name or "").split())
    if not text:
        return name
    if len(text) > MAX_FULL_NAME_CHARS or any(ord(c) < 32 for c in text):
        raise AccountError(f"Họ tên tối đa {MAX_FULL_NAME_CHARS} ký tự, không có ký tự điều khiển.")
    return text


def password_problem(password: str, name: str = "") -> str | None:
    """Why `password` is too weak (a Vietnamese sentence), or None when it will do."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"Mật khẩu tối đa {MAX_PASSWORD_CHARS} ký tự."
    if password != password.strip():
        return "Mật khẩu không được bắt đầu hay kết thúc bằng dấu cách."
    if len(set(password)) < 5:
        return "Mật khẩu lặp lại quá ít ký tự khác nhau. Hãy dùng một câu dài hơn hoặc nhiều loại ký tự hơn."
    folded = re.sub(r"[\s\d]+$", "", password.lower().replace(" ", ""))
    if folded in COMMON_PASSWORDS or password.lower() in COMMON_PASSWORDS:
        return "Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."
    if name and len(name) >= 3 and name.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập."
    kinds = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    classes = sum(any(kind(c) for c in password) for kind in kinds)
    if classes < 2 and len(password) < 16:
        return "Mật khẩu ngắn hơn 16 ký tự cần có ít nhất hai loại: chữ thường, chữ hoa, số, ký hiệu."
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing or broken hash never matches (and takes as long)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def may(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


@dataclass(frozen=True)
class LockPolicy:
    """Wrong passwords in a row before an account is locked, and for how long."""

    max_failures: int = 5
    lock_for: dt.timedelta = dt.timedelta(minutes=15)

    def after_failure(self, failures: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """The new failure count and, when this failure reaches the limit, when the lock ends (count reset)."""
        failures += 1
        if failures >= self.max_failures:
            return 0, now + self.lock_for
        return failures, None


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    full_name: str
    role: str
    disabled: bool
    failed_logins: int
    locked_until: dt.datetime | None
    session_version: int
    created_at: dt.datetime
    changed_at: dt.datetime
    last_login_at: dt.datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def may(self, permission: str) -> bool:
        return not self.disabled and may(self.role, permission)
