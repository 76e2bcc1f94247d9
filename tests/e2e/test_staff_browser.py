"""The staff console in real headless Chromium, against `bot web` in its own process.

A staff member logs in, searches a procedure, opens it, reads the assistant's
answers and marks it checked, then edits its fee through the form, the diff
preview and a reason; finds a dossier by its code and updates its status (the
subscribed citizen's message is queued); a trainer is refused the accounts page.
Needs no model (only `bot web` and the database). Screenshots go to
test-output/staff/. Skips with the reason when Chromium or ChromeDriver is
missing (`make browser` installs them).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from bot.core.dossiers.planning import Incoming
from bot.settings import PROJECT_ROOT, Settings
from tests.core.dossiers.samples import CODE as DOSSIER, row as dossier_row
from tests.e2e.browser import missing_browser, start_chromium
from tests.e2e.servers import start_web

OUTPUT = PROJECT_ROOT / "test-output" / "staff"
WAIT = 30
PASSWORD = "Mot-cua-2026!"
CODE = "1.001193"


@pytest.fixture(scope="module")
def console_url(tmp_path_factory):
    from bot.app import Services

    var_dir = tmp_path_factory.mktemp("staff-var")
    env = {**os.environ, "TTHC_VAR_DIR": str(var_dir), "PYTHONPATH": str(PROJECT_ROOT)}
    services = Services.from_settings(Settings.from_env(env))
    try:
        services.load_catalog()
        # Checked a year ago, so that marking it checked today shows.
        services.catalog.replace_all([p.copy(update={"verified_on": p.verified_on - dt.timedelta(days=365)})
                                      if p.code == CODE else p for p in services.catalog.all_procedures()])
        services.accounts.add("canbo1", "staff", PASSWORD, actor="test", full_name="Nguyễn Văn Cán Bộ")
        services.accounts.add("hl1", "trainer", PASSWORD, actor="test", full_name="Người Huấn Luyện")
        services.dossiers.apply([Incoming("Dòng 2", dossier_row(code=DOSSIER, due_at="2099-12-31"))], "import:test.csv")
        services.dossiers.subscribe(DOSSIER, "telegram:42", "telegram", "42")
    finally:
        services.engine.dispose()
    web = start_web(env, tmp_path_factory.mktemp("staff-web"))
    yield web.url, var_dir
    web.stop()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    problem = missing_browser()
    if problem:
        pytest.skip(problem)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser = start_chromium(tmp_path_factory.mktemp("chromium-staff"), width=1366, height=768)
    browser.set_page_load_timeout(WAIT)
    yield browser
    browser.quit()


class Console:
    def __init__(self, driver, base: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.By = driver, base, By
        self.wait = WebDriverWait(driver, WAIT, poll_frequency=0.2)

    def one(self, css: str):
        return self.d.find_element(self.By.CSS_SELECTOR, css)

    def shot(self, name: str) -> None:
        self.d.save_screenshot(str(OUTPUT / f"{name}.png"))

    def login(self, name: str) -> None:
        self.d.delete_all_cookies()
        self.d.get(f"{self.base}/staff/")
        self.wait.until(lambda d: "/staff/login" in d.current_url)
        self.one("input[name=name]").send_keys(name)
        self.one("input[name=password]").send_keys(PASSWORD)
        self.shot("dang-nhap")
        self.one("#login button").click()
        self.wait.until(lambda d: d.current_url.rstrip("/").endswith("/staff"))


def test_staff_member_finds_a_procedure_and_marks_it_checked(driver, console_url):
    base, var_dir = console_url
    c = Console(driver, base)
    c.login("canbo1")
    assert "Nguyễn Văn Cán Bộ" in c.one("header").text
    c.shot("trang-dau")

    c.one("a[href='/staff/procedures']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#search input[name=q]"))
    box = c.one("#search input[name=q]")
    box.send_keys("lam giay khai sinh cho con")
    c.one("#search button").click()
    c.wait.until(lambda d: "q=" in d.current_url)
    c.shot("tim-thu-tuc")
    c.one(f"#results a[href='/staff/procedures/{CODE}']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#verify"))
    answers = [e.text for e in driver.find_elements(c.By.CSS_SELECTOR, ".answer h3")]
    assert answers[:2] == ["Giấy tờ cần mang", "Lệ phí"] and len(answers) == 7
    assert "thông tin kiểm tra ngày" in c.one(".answer .bubble").text
    c.shot("thu-tuc")

    from bot.core.clock import format_day, today_local

    today = format_day(today_local())
    assert today not in c.one("#verified-on").text
    c.one("#verify button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#verified-notice"))
    assert "Nguyễn Văn Cán Bộ kiểm tra thủ tục này ngày" in c.one("#verified-notice").text
    assert c.one("#verified-on").text == f"{today}, bởi Nguyễn Văn Cán Bộ"
    assert f"thông tin kiểm tra ngày {today}" in c.one(".answer .bubble").text
    c.shot("da-kiem-tra")

    from bot.app import Services

    services = Services.from_settings(Settings.from_env({"TTHC_VAR_DIR": str(var_dir)}), migrate=False)
    try:  # what the action server reads: the stored catalog, through a new process's guide
        title = services.guide().answer(CODE, "fees").pages[0].splitlines()[0]
        assert f"thông tin kiểm tra ngày {today}" in title
        assert services.audit.entries()[0].actor == "canbo1"
    finally:
        services.engine.dispose()


def test_staff_member_edits_the_fee_with_a_diff_preview_and_the_answer_changes(driver, console_url):
    base, var_dir = console_url
    c = Console(driver, base)
    c.login("canbo1")
    driver.get(f"{base}/staff/procedures/{CODE}")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit"))
    c.one("#edit").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit-form"))
    fee = c.one("textarea[name=le_phi]")
    fee.clear()
    fee.send_keys("Lệ phí 9.000 đồng (thử nghiệm trình duyệt).")
    amount = c.one("input[name=so_tien]")
    amount.clear()
    amount.send_keys("9000")
    c.shot("sua-thu-tuc")
    c.one("#preview").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#save-form"))
    rows = [r.text for r in driver.find_elements(c.By.CSS_SELECTOR, "table.diff tr")]
    assert any(r.startswith("Lệ phí ") and "9.000 đồng (thử nghiệm trình duyệt)." in r for r in rows)
    assert any(r.startswith("Số tiền (đồng)") and r.endswith("9000") for r in rows)
    c.shot("xem-truoc-thay-doi")
    c.one("#save").click()  # no reason yet: asked for one, nothing saved
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#save-error"))
    c.one("textarea[name=reason]").send_keys("Quyết định 99/QĐ-UBND (thử nghiệm)")
    c.one("#save").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edited-notice"))
    fee_answer = [e.text for e in driver.find_elements(c.By.CSS_SELECTOR, ".answer") if "Lệ phí" in e.text][0]
    assert "9.000 đồng (thử nghiệm trình duyệt)" in fee_answer
    c.shot("da-sua-thu-tuc")

    from bot.app import Services

    services = Services.from_settings(Settings.from_env({"TTHC_VAR_DIR": str(var_dir)}), migrate=False)
    try:  # what the action server reads: the stored catalog, through a new process's guide
        assert "9.000 đồng (thử nghiệm trình duyệt)" in "\n".join(services.guide().answer(CODE, "fees").pages)
        entries = [e for e in services.audit.entries() if e.action == "procedure_edit"]
        assert sorted(e.field for e in entries) == ["le_phi", "so_tien"]
        assert {e.reason for e in entries} == {"Quyết định 99/QĐ-UBND (thử nghiệm)"}
    finally:
        services.engine.dispose()

    driver.get(f"{base}/staff/catalog/stale")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#most-asked"))
    c.shot("can-kiem-tra")
    driver.get(f"{base}/staff/catalog/files")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#import-form"))
    c.shot("nhap-xuat-tep")


def test_a_trainer_is_refused_the_accounts_page(driver, console_url):
    base, _ = console_url
    c = Console(driver, base)
    c.login("hl1")
    assert not driver.find_elements(c.By.CSS_SELECTOR, "a[href='/staff/accounts']")
    driver.get(f"{base}/staff/accounts")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "h1"))
    assert c.one("h1").text == "Không được phép"
    c.shot("khong-duoc-phep")


def test_staff_member_updates_a_dossier_status_and_the_citizen_is_told(driver, console_url):
    base, var_dir = console_url
    c = Console(driver, base)
    c.login("canbo1")
    c.one("header a[href='/staff/dossiers']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#dossier-search input[name=q]"))
    c.one("#dossier-search input[name=q]").send_keys(DOSSIER.lower().replace(".", " "))
    c.shot("tim-ho-so")
    c.one("#dossier-search button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#status-form"))
    assert DOSSIER not in driver.current_url and c.one("#dossier-code").text == DOSSIER
    from selenium.webdriver.support.ui import Select

    Select(c.one("#status-form select[name=status]")).select_by_value("need_supplement")
    note = c.one("#status-form textarea[name=note]")
    note.clear()
    note.send_keys("bản sao giấy khai sinh có chứng thực")
    c.one("#status-form button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#dossier-done"))
    assert "Đã xếp 1 tin báo" in c.one("#dossier-done").text
    assert c.one("#dossier-status").text.startswith("Cần bổ sung")
    assert "Trang quản lý: Nguyễn Văn Cán Bộ" in c.one("#history").text
    c.shot("ho-so")

    from bot.app import Services

    services = Services.from_settings(Settings.from_env({"TTHC_VAR_DIR": str(var_dir)}), migrate=False)
    try:  # what the Telegram worker sends next
        (message,) = services.outbox.due("telegram")
        assert message.recipient_id == "42" and "Cần bổ sung" in message.text
        assert services.audit.entries()[0].actor == "canbo1"
    finally:
        services.engine.dispose()
