"""The console's login, sessions, CSRF, lock-out, roles, accounts, password and audit pages."""

from __future__ import annotations

import csv
import io

import pytest

from tests.web.staff.conftest import PASSWORD, csrf, csrf_of, logged_in, login

PAGES = ["/staff/", "/staff/password", "/staff/accounts", "/staff/audit", "/staff/audit.csv", "/staff/khong-co"]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_sends_a_visitor_without_a_session_to_login(console, path):
    response = await console.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/staff/login")


async def test_login_returns_to_the_page_asked_for(console):
    first = await console.get("/staff/audit?actor=x", allow_redirects=False)
    target = first.headers["Location"]
    assert target.startswith("/staff/login?next=")
    page = await console.get(target)
    html = await page.text()
    assert 'value="/staff/audit?actor=x"' in html
    response = await login(console, "admin1", next_="/staff/audit?actor=x")
    assert response.headers["Location"] == "/staff/audit?actor=x"


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/x", "/kiosk/", "/staff/login"])
async def test_login_never_sends_anyone_elsewhere(console, target):
    response = await login(console, "admin1", next_=target)
    assert response.headers["Location"] == "/staff/"


async def test_the_session_cookie_is_httponly_strict_and_scoped(console):
    response = await login(console, "canbo1")
    cookie = response.headers.getall("Set-Cookie")[-1]
    assert "tthc_staff=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/staff/" in cookie and "Max-Age=1800" in cookie
    assert PASSWORD not in cookie and "canbo1" not in cookie


async def test_wrong_password_and_unknown_name_get_the_same_answer(console):
    for name in ("canbo1", "khong.co"):
        response = await login(console, name, "Sai-mat-khau-1")
        assert response.status == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in await response.text()


async def test_an_account_is_locked_after_repeated_failures(console, staff_services):
    for _ in range(4):
        await login(console, "canbo1", "Sai-mat-khau-1")
    response = await login(console, "canbo1", "Sai-mat-khau-1")
    assert "tạm khóa" in await response.text()
    response = await login(console, "canbo1", PASSWORD)  # the right password waits too
    assert response.status == 200 and "tạm khóa" in await response.text()
    staff_services.clock.advance(minutes=16)
    assert (await login(console, "canbo1", PASSWORD)).status == 303


async def test_a_lock_out_does_not_tell_a_real_login_name_from_an_unknown_one(console, staff_services):
    """Five wrong tries, then the right password and a wrong one: page for page the same for both names."""
    pages = {}
    for name in ("canbo1", "khong.co.ai"):
        pages[name] = []
        for password in ["Sai-mat-khau-1"] * 5 + [PASSWORD, "Sai-mat-khau-2"]:
            response = await login(console, name, password)
            pages[name].append((response.status, (await response.text()).replace(name, "NAME")))
    assert staff_services.accounts.get("canbo1").is_locked(staff_services.clock())
    assert pages["canbo1"] == pages["khong.co.ai"]
    status, html = pages["canbo1"][-2]  # locked, right password
    assert status == 200 and "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert "Sau 5 lần nhập sai liền, tài khoản bị tạm khóa 15 phút." in html


async def test_an_address_is_blocked_after_repeated_failures_on_any_names(console, staff_services):
    for i in range(20):
        await login(console, f"ten{i:02d}", "Sai-mat-khau-1")
    response = await login(console, "admin1", PASSWORD)
    assert response.status == 200 and "Máy này đã đăng nhập sai nhiều lần" in await response.text()
    staff_services.clock.advance(minutes=16)
    assert (await login(console, "admin1", PASSWORD)).status == 303


async def test_a_disabled_account_is_told_so_only_with_the_right_password(console, staff_services):
    staff_services.accounts.set_disabled("canbo1", True, actor="admin1")
    assert "đã bị khóa" in await (await login(console, "canbo1", PASSWORD)).text()
    assert "không đúng" in await (await login(console, "canbo1", "Sai-mat-khau-1")).text()


async def test_an_idle_session_expires(console, staff_services):
    await logged_in(console, "canbo1")
    staff_services.clock.advance(minutes=29)
    assert (await console.get("/staff/", allow_redirects=False)).status == 200  # and this use restarts the clock
    staff_services.clock.advance(minutes=29)
    assert (await console.get("/staff/", allow_redirects=False)).status == 200
    staff_services.clock.advance(minutes=31)
    response = await console.get("/staff/", allow_redirects=False)
    assert response.status == 303 and "expired=1" in response.headers["Location"]
    assert "hết hạn" in await (await console.get(response.headers["Location"])).text()


async def test_disabling_an_account_ends_its_open_session(console, staff_services):
    await logged_in(console, "canbo1")
    staff_services.accounts.set_disabled("canbo1", True, actor="admin1")
    assert (await console.get("/staff/", allow_redirects=False)).status == 303


async def test_a_post_without_the_csrf_token_is_refused_with_a_page(console, staff_services):
    await logged_in(console, "admin1")
    for data in ({}, {"csrf": "forged-token-forged-token-forged"}):
        response = await console.post("/staff/accounts", data={**data, "name": "moi01", "role": "admin",
                                                                "password": PASSWORD, "again": PASSWORD})
        assert response.status == 403
        html = await response.text()
        assert "text/html" in response.headers["Content-Type"] and "Chưa lưu gì" in html
    assert staff_services.accounts.get("moi01") is None
    response = await console.post("/staff/login", data={"name": "admin1", "password": PASSWORD})
    assert response.status == 403  # the login form needs its token too


async def test_logout_ends_the_session(console):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/")
    response = await console.post("/staff/logout", data={"csrf": token}, allow_redirects=False)
    assert response.status == 303
    assert (await console.get("/staff/", allow_redirects=False)).status == 303


@pytest.mark.parametrize("name, allowed", [("admin1", True), ("canbo1", False), ("hl1", False)])
async def test_only_admins_see_accounts_and_the_audit_log(console, name, allowed):
    await logged_in(console, name)
    for path in ("/staff/accounts", "/staff/audit", "/staff/audit.csv"):
        response = await console.get(path, allow_redirects=False)
        assert response.status == (200 if allowed else 403), path
        if not allowed:
            assert "Không được phép" in await response.text()
    home = await (await console.get("/staff/")).text()
    assert ('href="/staff/accounts"' in home) is allowed


async def test_an_admin_adds_and_disables_an_account_with_audit_entries(console, staff_services):
    await logged_in(console, "admin1")
    token = await csrf(console, "/staff/accounts")
    response = await console.post("/staff/accounts", data={
        "csrf": token, "name": "Tran.Thi.B", "full_name": "Trần Thị B", "role": "staff",
        "password": "Mat-khau-moi-9", "again": "Mat-khau-moi-9"})
    assert response.status == 200 and "Đã thêm tài khoản tran.thi.b." in await response.text()
    response = await console.post("/staff/accounts/tran.thi.b/disable", data={"csrf": token, "reason": "chuyển công tác"})
    assert "đã bị khóa" in await response.text()
    entries = staff_services.audit.entries()
    assert [(e.actor, e.action, e.reason) for e in entries[:2]] == [
        ("admin1", "account_disable", "chuyển công tác"), ("admin1", "account_add", None)]
    response = await console.post("/staff/accounts/admin1/disable", data={"csrf": token})
    assert "không thể tự khóa" in await response.text()
    assert not staff_services.accounts.get("admin1").disabled


@pytest.mark.parametrize("form, error", [
    ({"name": "moi01", "role": "staff", "password": "ngắn", "again": "ngắn"}, "ít nhất"),
    ({"name": "moi01", "role": "staff", "password": PASSWORD, "again": PASSWORD + "x"}, "không giống nhau"),
    ({"name": "canbo1", "role": "staff", "password": PASSWORD, "again": PASSWORD}, "đã có"),
    ({"name": "có dấu", "role": "staff", "password": PASSWORD, "again": PASSWORD}, "Tên đăng nhập"),
    ({"name": "moi01", "role": "root", "password": PASSWORD, "again": PASSWORD}, "Vai trò"),
    ({"name": "x" * 5000, "role": "<script>", "password": "\x00", "again": "\x00"}, "Tên đăng nhập"),
])
async def test_bad_account_forms_get_a_sentence_and_change_nothing(console, staff_services, form, error):
    await logged_in(console, "admin1")
    token = await csrf(console, "/staff/accounts")
    response = await console.post("/staff/accounts", data={"csrf": token, **form})
    assert response.status == 200
    html = await response.text()
    assert error in html and "<script>" not in html
    assert len(staff_services.accounts.all()) == 3


async def test_password_change(console, staff_services):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/password")
    response = await console.post("/staff/password", data={"csrf": token, "current": "sai", "new": "Mat-khau-moi-9",
                                                            "again": "Mat-khau-moi-9"})
    assert "hiện tại không đúng" in await response.text()
    response = await console.post("/staff/password", data={"csrf": token, "current": PASSWORD,
                                                            "new": "Mat-khau-moi-9", "again": "Mat-khau-moi-9"})
    assert "Đã đổi mật khẩu" in await response.text()
    assert (await console.get("/staff/", allow_redirects=False)).status == 200  # this session goes on
    assert staff_services.audit.entries()[0].action == "password_change"
    assert staff_services.accounts.login("canbo1", "Mat-khau-moi-9").outcome == "ok"


async def test_the_audit_log_filters_and_exports_safe_csv(console, staff_services):
    staff_services.accounts.set_disabled("hl1", True, actor="=HYPERLINK(\"x\")", reason="@SUM(A1)")
    await logged_in(console, "admin1")
    page = await (await console.get("/staff/audit?actor=setup")).text()
    assert page.count("Thêm tài khoản") == 3 and "Khóa tài khoản" not in page
    assert "=HYPERLINK(&#34;x&#34;)" in (await (await console.get("/staff/audit")).text())
    response = await console.get("/staff/audit.csv?since=2026-03-02&until=2026-03-02")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert rows[0][0] == "thoi_gian" and len(rows) == 5
    disabled = [r for r in rows if r[2] == "Khóa tài khoản"][0]
    assert disabled[1] == "'=HYPERLINK(\"x\")" and disabled[7] == "'@SUM(A1)"
    empty = await (await console.get("/staff/audit?since=2026-03-03")).text()
    assert "Không có thay đổi nào" in empty


@pytest.mark.parametrize("query", ["since=hôm-qua", "until=2026-13-45", "since=2026-03-05&until=2026-03-01"])
async def test_bad_audit_filters_get_a_sentence_not_a_500(console, query):
    await logged_in(console, "admin1")
    response = await console.get(f"/staff/audit?{query}")
    assert response.status == 400 and "class=\"error\"" in await response.text()
    assert (await console.get(f"/staff/audit.csv?{query}")).status == 400


async def test_errors_are_friendly_html_pages_with_security_headers(console):
    await logged_in(console, "canbo1")
    response = await console.get("/staff/khong-co")
    assert response.status == 404 and "text/html" in response.headers["Content-Type"]
    assert "Không tìm thấy trang" in await response.text()
    assert response.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in \
        response.headers["Content-Security-Policy"]
    assert (await console.put("/staff/password", data={"csrf": await csrf(console, "/staff/")})).status == 405
    assert (await console.get("/staff/static/khong-co.css")).status == 404


async def test_the_other_surfaces_keep_their_json_errors(console):
    response = await console.get("/khong-co")
    assert response.status == 404 and (await response.json())["error"]
    assert (await console.get("/staff", allow_redirects=False)).headers["Location"] == "/staff/"


async def test_garbage_cookies_and_bodies_never_give_a_500(console):
    console.session.cookie_jar.update_cookies({"tthc_staff": "gAAAAA-not-a-token"})
    assert (await console.get("/staff/", allow_redirects=False)).status == 303
    token = await csrf(console)
    for body in (b"\xff\xfe", b"csrf=" + token.encode() + b"&name=%FF&password=%00"):
        response = await console.post("/staff/login", data=body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status in (200, 400, 403)
    response = await console.post("/staff/login", data=b"x" * (2 * 1024 * 1024),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413


async def test_the_stylesheet_is_served_and_pages_load_nothing_from_outside(console):
    assert (await console.get("/staff/static/staff.css")).status == 200
    html = await (await console.get("/staff/login")).text()
    assert "http://" not in html and "https://" not in html
    assert csrf_of(html)
