"""`bot staff add|disable|enable|password|list`, run in-process; passwords come from a fake terminal."""

from __future__ import annotations

import getpass
import sys

import pytest

from bot.cli import main
from bot.db.account_store import OK

PASSWORD = "Mot-cua-2026!"


@pytest.fixture
def terminal(monkeypatch):
    """What the person types at the two password prompts; prompts are recorded."""
    typed: list[str] = []
    prompts: list[str] = []

    def fake_getpass(prompt=""):
        prompts.append(prompt)
        return typed.pop(0)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    return typed, prompts


def test_add_asks_twice_and_stores_the_account(services, terminal, capsys):
    typed, prompts = terminal
    typed += [PASSWORD, PASSWORD]
    assert main(["staff", "add", "Nguyen.Van.A", "--role", "admin", "--full-name", "Nguyễn Văn A"],
                services=services) == 0
    assert len(prompts) == 2
    assert "Đã thêm tài khoản nguyen.van.a (Quản trị)" in capsys.readouterr().out
    assert services.accounts.login("nguyen.van.a", PASSWORD).outcome == OK
    assert services.audit.entries()[0].actor.startswith("dòng lệnh (")


@pytest.mark.parametrize("first, second, error", [
    (PASSWORD, PASSWORD + "x", "không giống nhau"),
    ("ngắn", "ngắn", "ít nhất"),
])
def test_add_refuses_mismatched_or_weak_passwords_and_adds_nothing(services, terminal, capsys, first, second, error):
    terminal[0].extend([first, second])
    assert main(["staff", "add", "cb01", "--role", "staff"], services=services) == 2
    assert error in capsys.readouterr().err
    assert services.accounts.all() == []


def test_add_refuses_a_taken_or_bad_name_before_asking(services, terminal, capsys):
    terminal[0].extend([PASSWORD, PASSWORD])
    main(["staff", "add", "cb01", "--role", "staff"], services=services)
    assert main(["staff", "add", "CB01", "--role", "staff"], services=services) == 2
    assert main(["staff", "add", "tên có dấu", "--role", "staff"], services=services) == 2
    assert len(terminal[1]) == 2  # only the first add asked
    assert "đã có" in capsys.readouterr().err


def test_the_password_is_never_read_from_a_pipe(services, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main(["staff", "add", "cb01", "--role", "staff"], services=services) == 2
    assert "cửa sổ dòng lệnh" in capsys.readouterr().err


def test_there_is_no_password_option():
    with pytest.raises(SystemExit):
        main(["staff", "add", "cb01", "--role", "staff", "--password", PASSWORD])


def test_disable_enable_password_and_list(services, terminal, capsys):
    terminal[0].extend([PASSWORD, PASSWORD, "Mat-khau-moi-9", "Mat-khau-moi-9"])
    main(["staff", "add", "cb01", "--role", "trainer"], services=services)
    assert main(["staff", "disable", "cb01", "--reason", "nghỉ phép"], services=services) == 0
    assert services.accounts.get("cb01").disabled
    main(["staff", "list"], services=services)
    out = capsys.readouterr().out
    assert "cb01" in out and "đã khóa" in out and "1 tài khoản." in out
    assert main(["staff", "enable", "cb01"], services=services) == 0
    assert main(["staff", "password", "cb01"], services=services) == 0
    assert services.accounts.login("cb01", "Mat-khau-moi-9").outcome == OK
    assert main(["staff", "disable", "khong.co"], services=services) == 2
    assert main(["staff", "password", "khong.co"], services=services) == 2
