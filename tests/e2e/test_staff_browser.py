"""The staff console in real headless Chromium, against `bot web`, Rasa and the action server.

A staff member logs in, searches a procedure, opens it, reads the assistant's
answers and marks it checked, then edits its fee through the form, the diff
preview and a reason, and the assistant's REST answer carries the new fee at
once; answers a feedback ticket (the citizen's message is queued); uploads a
dossier batch (CSV) with a preview and confirms it; finds a dossier by its code
and updates its status (the subscribed citizen's message is queued); a trainer
is refused the accounts page and a staff member the trainers' inbox. "Sửa tiếp"
on a preview brings back what was typed; the late dossiers, password, accounts
and audit pages are shot for the guide (`make docs-screenshots`).

Then (issue 12) citizens on the REST channel send nonsense twice and ask for a
procedure that does not exist with a phone number in the message; the trainer
sees them in the inbox, masked and grouped, labels one and adds it, and the
dashboard shows the figures. A trainer presses "Huấn luyện lại" and reads the
eval report with its confusion matrix: the job is set (NLU_RETRAIN_COMMAND) to
`bot nlu eval --model` on the trained model, which only predicts the held-out set
(40 s of CPU): nothing here trains.

One set of servers for the module, on a database and a copy of data/nlu of its
own (a trainer's added example never touches the repository). Screenshots go
to test-output/staff/. Fails with the reason when Chromium or ChromeDriver is
missing (`make browser` installs them) or the model is (`make model`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.dossiers.planning import Incoming
from bot.settings import PROJECT_ROOT, Settings
from tests.core.dossiers.samples import CODE as DOSSIER, row as dossier_row
from tests.e2e.browser import chromium_session
from tests.e2e.servers import MODEL, RunningAssistant, start_assistant, start_web

pytestmark = pytest.mark.model

OUTPUT = PROJECT_ROOT / "test-output" / "staff"
WAIT = 60  # seconds: generous, the machine running the suite may be loaded
PASSWORD = "Mot-cua-2026!"
CODE = "1.001193"
NEW_FEE = "9.000 đồng (thử nghiệm trình duyệt)"
FEEDBACK_SENDER = "77"  # a Telegram chat, not the dossier subscriber's


@dataclass
class Stack:
    """The running servers and where their state lives."""

    assistant: RunningAssistant
    url: str  # `bot web`
    var_dir: Path
    nlu_dir: Path

    def services(self):
        from bot.app import Services

        return Services.from_settings(Settings.from_env(self.assistant.env), migrate=False)


def eval_instead_of_training(var_dir: Path) -> dict:
    """The console's reports in the test's own directory, and its retraining job evaluating the trained model."""
    import shlex
    import sys

    reports = var_dir / "reports"
    command = [str(Path(sys.executable).parent / "bot"), "nlu", "eval", "--model", str(MODEL), "--out", str(reports)]
    return {"NLU_REPORT_DIR": str(reports), "NLU_RETRAIN_COMMAND": shlex.join(command)}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from bot.app import Services

    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    var_dir = tmp_path_factory.mktemp("staff-var")
    nlu_dir = tmp_path_factory.mktemp("staff-nlu") / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu_dir)
    assistant = start_assistant(var_dir, extra_env={"NLU_DIR": str(nlu_dir), **eval_instead_of_training(var_dir)})
    try:
        services = Services.from_settings(Settings.from_env(assistant.env))
        try:
            # Checked a year ago, so that marking it checked today shows.
            services.catalog.replace_all([p.copy(update={"verified_on": p.verified_on - dt.timedelta(days=365)})
                                          if p.code == CODE else p for p in services.catalog.all_procedures()])
            services.accounts.add("canbo1", "staff", PASSWORD, actor="test", full_name="Nguyễn Văn Cán Bộ")
            services.accounts.add("hl1", "trainer", PASSWORD, actor="test", full_name="Người Huấn Luyện")
            services.dossiers.apply([Incoming("Dòng 2", dossier_row(code=DOSSIER, due_at="2099-12-31"))],
                                    "import:test.csv")
            services.dossiers.subscribe(DOSSIER, "telegram:42", "telegram", "42")
            services.feedback.create(sender_id=f"telegram:{FEEDBACK_SENDER}", channel="telegram",
                                     content="Tôi nộp hồ sơ khai sinh 10 ngày rồi mà chưa có kết quả.",
                                     contact="0912 345 678")
        finally:
            services.engine.dispose()
        web = start_web(assistant.env, tmp_path_factory.mktemp("staff-web"))
    except BaseException:
        assistant.stop()
        raise
    yield Stack(assistant, web.url, var_dir, nlu_dir)
    web.stop()
    assistant.stop()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    with chromium_session(tmp_path_factory.mktemp("chromium-staff"), OUTPUT, 1366, 768, WAIT) as browser:
        yield browser


def _said(assistant: RunningAssistant, sender: str, message: str) -> str:
    return "\n".join(r.get("text") or "" for r in assistant.say(sender, message))


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


def test_staff_member_finds_a_procedure_and_marks_it_checked(driver, stack):
    base = stack.url
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

    services = stack.services()
    try:  # what the action server reads: the stored catalog, through a new process's guide
        title = services.guide().answer(CODE, "fees").pages[0].splitlines()[0]
        assert f"thông tin kiểm tra ngày {today}" in title
        assert services.audit.entries()[0].actor == "canbo1"
    finally:
        services.engine.dispose()


def test_staff_member_edits_the_fee_with_a_diff_preview_and_the_answer_changes(driver, stack):
    base = stack.url
    before = _said(stack.assistant, f"test-{uuid.uuid4().hex[:8]}", "lệ phí đăng ký khai sinh là bao nhiêu")
    assert CODE in before and NEW_FEE not in before
    c = Console(driver, base)
    c.login("canbo1")
    driver.get(f"{base}/staff/procedures/{CODE}")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit"))
    c.one("#edit").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit-form"))
    fee = c.one("textarea[name=le_phi]")
    fee.clear()
    fee.send_keys(f"Lệ phí {NEW_FEE}.")
    amount = c.one("input[name=so_tien]")
    amount.clear()
    amount.send_keys("9000")
    c.shot("sua-thu-tuc")
    c.one("#preview").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#save-form"))
    rows = [r.text for r in driver.find_elements(c.By.CSS_SELECTOR, "table.diff tr")]
    assert any(r.startswith("Lệ phí ") and f"{NEW_FEE}." in r for r in rows)
    assert any(r.startswith("Số tiền (đồng)") and r.endswith("9000") for r in rows)
    c.shot("xem-truoc-thay-doi")
    c.one("#save").click()  # no reason yet: asked for one, nothing saved
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#save-error"))
    c.one("textarea[name=reason]").send_keys("Quyết định 99/QĐ-UBND (thử nghiệm)")
    c.one("#save").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edited-notice"))
    fee_answer = [e.text for e in driver.find_elements(c.By.CSS_SELECTOR, ".answer") if "Lệ phí" in e.text][0]
    assert NEW_FEE in fee_answer
    c.shot("da-sua-thu-tuc")

    services = stack.services()
    try:  # what the action server reads: the stored catalog, through a new process's guide
        assert NEW_FEE in "\n".join(services.guide().answer(CODE, "fees").pages)
        entries = [e for e in services.audit.entries() if e.action == "procedure_edit"]
        assert sorted(e.field for e in entries) == ["le_phi", "so_tien"]
        assert {e.reason for e in entries} == {"Quyết định 99/QĐ-UBND (thử nghiệm)"}
    finally:
        services.engine.dispose()
    # A citizen asking now gets the new fee: no retraining, no restart.
    after = _said(stack.assistant, f"test-{uuid.uuid4().hex[:8]}", "lệ phí đăng ký khai sinh là bao nhiêu")
    assert CODE in after and NEW_FEE in after

    driver.get(f"{base}/staff/catalog/stale")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#most-asked"))
    c.shot("can-kiem-tra")
    driver.get(f"{base}/staff/catalog/files")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#import-form"))
    c.shot("nhap-xuat-tep")


def test_staff_member_answers_a_feedback_ticket_and_the_citizen_is_told(driver, stack):
    c = Console(driver, stack.url)
    c.login("canbo1")
    c.one("header a[href='/staff/feedback']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#tickets a"))
    listing = c.one("#tickets").text
    assert "10 ngày rồi mà chưa có kết quả" in listing and "0912 345 678" not in listing
    c.shot("phan-anh")
    c.one("#tickets a").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#answer"))
    ticket = c.one("h1").text.removeprefix("Phiếu ").strip()
    assert "0912 345 678" not in c.one("#contact").text
    c.one("#answer textarea[name=answer]").send_keys("Hồ sơ của bạn đã có kết quả. Mời bạn đến nhận ngày mai.")
    c.shot("tra-loi-phan-anh")
    c.one("#answer button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#ticket-done"))
    assert "sẽ được gửi cho người dân" in c.one("#ticket-done").text
    assert c.one("#ticket-status").text == "Đã trả lời"
    assert "Mời bạn đến nhận ngày mai." in c.one("#ticket-answer").text
    c.shot("da-tra-loi-phan-anh")

    services = stack.services()
    try:  # what the Telegram worker sends next
        (message,) = [m for m in services.outbox.due("telegram") if m.recipient_id == FEEDBACK_SENDER]
        assert ticket in message.text and "Mời bạn đến nhận ngày mai." in message.text
        assert services.feedback.get(ticket).status == "answered"
    finally:
        services.engine.dispose()


BATCH = """code,procedure_code,applicant_name,phone,status,received_at,due_at,updated_at,unit,note
000.00.12.H12-261101-0001,1.001193,Trần Thị Bình,0900000202,received,2026-11-01T08:00,2099-11-06,,,
000.00.12.H12-261101-0002,1.001193,Lê Văn Cường,0900000303,processing,2026-11-01T09:00,2099-11-06,,,
"""


def test_staff_member_uploads_a_dossier_batch_after_a_preview(driver, stack, tmp_path):
    batch = tmp_path / "dot-thang-11.csv"
    batch.write_text(BATCH, encoding="utf-8")
    c = Console(driver, stack.url)
    c.login("canbo1")
    driver.get(f"{stack.url}/staff/dossiers/upload")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#upload input[type=file]"))
    c.one("#upload input[type=file]").send_keys(str(batch))
    c.shot("tai-tep-ho-so")
    c.one("#upload button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#confirm"))
    assert "2 thêm mới" in c.one("#preview").text and "Chưa ghi gì" in c.one("#preview").text
    rows = [r.text for r in driver.find_elements(c.By.CSS_SELECTOR, "#upload-rows tbody tr")]
    assert len(rows) == 2 and all("Thêm mới" in r for r in rows)
    assert "000.00.12.H12-261101-0002" in rows[1]
    c.shot("xem-truoc-tep-ho-so")

    services = stack.services()
    try:
        assert services.dossiers.get("000.00.12.H12-261101-0001") is None  # the preview wrote nothing
    finally:
        services.engine.dispose()
    c.one("#confirm button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#upload-done"))
    assert "Đã nhập dot-thang-11.csv: 2 thêm mới" in c.one("#upload-done").text
    c.shot("da-nhap-tep-ho-so")

    services = stack.services()
    try:
        for code in ("000.00.12.H12-261101-0001", "000.00.12.H12-261101-0002"):
            assert services.dossiers.history(code)[-1].source == "console:canbo1 import:dot-thang-11.csv"
    finally:
        services.engine.dispose()


def test_a_trainer_is_refused_the_accounts_page(driver, stack):
    base = stack.url
    c = Console(driver, base)
    c.login("hl1")
    assert not driver.find_elements(c.By.CSS_SELECTOR, "a[href='/staff/accounts']")
    driver.get(f"{base}/staff/accounts")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "h1"))
    assert c.one("h1").text == "Không được phép"
    c.shot("khong-duoc-phep")


LATE_DOSSIER = "000.00.12.H12-261110-0007"


def test_keep_editing_a_preview_the_late_list_the_password_and_admin_pages(driver, stack):
    """"Sửa tiếp" brings back what was typed; the pages the guide shows that the tests above do not open."""
    services = stack.services()
    try:
        services.accounts.add("qt1", "admin", PASSWORD, actor="test", full_name="Quản Trị Viên")
        services.dossiers.apply([Incoming("Dòng 2", dossier_row(
            code=LATE_DOSSIER, applicant_name="Phạm Thị Dung", received_at="2026-11-10T08:00", due_at="2026-11-20",
            updated_at="2026-11-10T08:00"))], "import:test.csv")
    finally:
        services.engine.dispose()
    base = stack.url
    c = Console(driver, base)
    c.login("canbo1")
    driver.get(f"{base}/staff/procedures/{CODE}/edit")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit-form"))
    typed = "Mang theo bản chính để đối chiếu (đang sửa, chưa lưu)."
    notes = c.one("textarea[name=ghi_chu]")
    notes.clear()
    notes.send_keys(typed)
    c.one("#preview").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#keep-editing"))
    c.one("#keep-editing").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#edit-form"))
    assert c.one("textarea[name=ghi_chu]").get_attribute("value") == typed

    driver.get(f"{base}/staff/dossiers/late")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#late"))
    assert LATE_DOSSIER in c.one("#late").text and "Chưa gửi" in c.one("#late").text
    c.shot("ho-so-tre-han")
    driver.get(f"{base}/staff/password")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "input[name=again]"))
    c.shot("doi-mat-khau")

    c.login("qt1")
    c.one("header a[href='/staff/accounts']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#add-account"))
    assert "canbo1" in c.one("#accounts").text
    c.shot("tai-khoan")
    c.one("header a[href='/staff/audit']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#audit"))
    assert "canbo1" in c.one("#audit").text
    c.shot("nhat-ky")


def test_staff_member_updates_a_dossier_status_and_the_citizen_is_told(driver, stack):
    base = stack.url
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

    services = stack.services()
    try:  # what the Telegram worker sends next
        (message,) = [m for m in services.outbox.due("telegram") if m.recipient_id == "42"]
        assert "Cần bổ sung" in message.text
        assert services.audit.entries()[0].actor == "canbo1"
    finally:
        services.engine.dispose()


# --- issue 12: the trainers' inbox and the dashboard, after real conversations ---------------

# The model reads some letter soup ("xyzzy plugh…", "asdf qwer") as a procedure name or a
# yes: see the closing note. These fall back / find nothing with today's model.
NONSENSE = "ừm à thì là mà"
PHONE = "0912 345 678"
UNKNOWN = f"thủ tục cấp phép nuôi khủng long thế nào, số tôi là {PHONE}"
LABELLED = "cho hỏi thủ tục cấp phép nuôi khủng long"


def test_a_trainer_sees_unanswered_questions_masked_and_grouped_adds_one_and_sees_the_report(driver, stack):
    for message in (NONSENSE, NONSENSE + " !", UNKNOWN):  # three citizens on the REST channel
        _said(stack.assistant, f"test-{uuid.uuid4().hex[:8]}", message)

    c = Console(driver, stack.url)
    c.login("canbo1")  # a staff member does not see the inbox
    assert not driver.find_elements(c.By.CSS_SELECTOR, "a[href='/staff/nlu/inbox']")
    driver.get(f"{stack.url}/staff/nlu/inbox")
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "h1"))
    assert c.one("h1").text == "Không được phép"

    c.login("hl1")
    c.one("header a[href='/staff/nlu/inbox']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, ".nlu-group"))
    page = driver.page_source
    assert not [part for part in (PHONE, PHONE.replace(" ", ""), "0912", "345 678") if part in page]
    groups = {g.find_element(c.By.CSS_SELECTOR, "strong").text: g
              for g in driver.find_elements(c.By.CSS_SELECTOR, ".nlu-group")}
    masked = UNKNOWN.replace(PHONE, "*******678")
    assert masked in groups, list(groups)
    nonsense = [g for text, g in groups.items() if text.startswith(NONSENSE)]
    assert len(nonsense) == 1 and "2 lần" in nonsense[0].text  # two wordings, one group
    driver.set_window_size(1366, 1400)
    c.shot("nlu-inbox")
    driver.set_window_size(1366, 768)

    form = groups[masked].find_element(c.By.CSS_SELECTOR, "form")
    text = form.find_element(c.By.CSS_SELECTOR, "input[name=text]")
    text.clear()
    text.send_keys(LABELLED)
    form.find_element(c.By.CSS_SELECTOR, "input[name=intent]").send_keys("ask_procedure")
    form.find_element(c.By.CSS_SELECTOR, "button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#nlu-done"))
    assert "Đã thêm 1 câu mẫu" in c.one("#nlu-done").text
    c.shot("nlu-da-them")
    added = "\n".join(p.read_text(encoding="utf-8") for p in stack.nlu_dir.glob("*.yml"))
    repository = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"))
    assert f"- {LABELLED}" in added and LABELLED not in repository
    services = stack.services()
    try:
        (entry,) = [e for e in services.audit.entries() if e.action == "nlu_add"]
        assert entry.actor == "hl1" and entry.field == "ask_procedure" and LABELLED in entry.new
    finally:
        services.engine.dispose()

    c.one("header a[href='/staff/report']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, ".usage-summary"))
    summary = {row.find_element(c.By.CSS_SELECTOR, "th").text: row.find_element(c.By.CSS_SELECTOR, "td").text
               for row in driver.find_elements(c.By.CSS_SELECTOR, ".usage-summary tr")}
    assert int(summary["Tin nhắn của người dân"]) >= 3
    assert int(summary["Người dân (cuộc trò chuyện khác nhau)"]) >= 3
    outcomes = {}
    for row in driver.find_elements(c.By.XPATH, "//table[thead/tr/th[1]='Kết quả']/tbody/tr"):
        cells = [td.text for td in row.find_elements(c.By.CSS_SELECTOR, "td")]
        outcomes[cells[0]] = int(cells[1])
    assert outcomes["Không tìm thấy thủ tục"] >= 1 and outcomes["Chưa hiểu, ngoài phạm vi"] >= 2
    report = c.one(".usage").text
    assert "Trang web (REST)" in report and masked in report and "0912" not in report
    charts = driver.find_elements(c.By.CSS_SELECTOR, "img.chart")
    assert charts and all(driver.execute_script("return arguments[0].naturalWidth", img) > 0 for img in charts)
    driver.set_window_size(1366, 2400)
    c.shot("report")
    driver.set_window_size(1366, 768)


EVAL_WAIT = 600  # seconds: loading the model and predicting the held-out set, on a loaded machine


def test_a_trainer_retrains_from_the_console_and_reads_the_eval_report(driver, stack):
    from selenium.webdriver.support.ui import WebDriverWait

    c = Console(driver, stack.url)
    c.login("canbo1")  # a staff member has no model page (tests/web/staff/test_nlu_eval.py: nor may open it)
    assert not driver.find_elements(c.By.CSS_SELECTOR, "a[href='/staff/nlu/eval']")
    c.login("hl1")
    c.one("header a[href='/staff/nlu/eval']").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#retrain-form"))
    assert "Chưa có báo cáo đánh giá nào" in c.one("#no-report").text
    c.one("#retrain-form button").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#retrain-running"))
    assert "Đã bắt đầu huấn luyện lại" in c.one("#retrain-notice").text
    c.shot("nlu-huan-luyen-lai")
    # The page reloads itself while the job runs.
    WebDriverWait(driver, EVAL_WAIT, poll_frequency=2).until(
        lambda d: d.find_elements(c.By.CSS_SELECTOR, "#retrain-done, #retrain-failed"))
    log = stack.var_dir / "reports" / "retrain.log"
    assert driver.find_elements(c.By.CSS_SELECTOR, "#retrain-done"), log.read_text(encoding="utf-8")[-2000:]
    cells = [td.text for td in driver.find_elements(c.By.CSS_SELECTOR, "#retrain-figures tbody td")][1:]
    assert len(cells) == 3 and all(float(v.rstrip("%")) >= 90 for v in cells), cells
    assert "chỉ đánh giá" in c.one("#retrain-decision").text  # --model: nothing to switch

    c.one("#retrain-report").click()
    c.wait.until(lambda d: d.find_elements(c.By.CSS_SELECTOR, "#report img.chart"))
    picture = c.one("#report img.chart")
    assert driver.execute_script("return arguments[0].naturalWidth", picture) > 300
    report = c.one("#report").text
    assert "Ma trận nhầm lẫn" in report and "Theo từng ý định" in report and "Câu không dấu" in report
    driver.set_window_size(1366, 3000)
    c.shot("nlu-eval")
    driver.set_window_size(1366, 768)

    services = stack.services()
    try:
        (entry,) = [e for e in services.audit.entries() if e.action == "nlu_retrain"]
        assert entry.actor == "hl1"
    finally:
        services.engine.dispose()
