"""The kiosk page in real headless Chromium, against `bot web`, Rasa and the action server.

Covers the start screen, tapping a topic, searching without diacritics on the
on-screen keyboard, the checklist and its print view (the QR code is decoded
back with zbarimg), read-aloud, and the idle reset. Screenshots go to
test-output/kiosk/.
"""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest

from bot.settings import PROJECT_ROOT
from tests.e2e.browser import chromium_session
from tests.e2e.servers import start_web

pytestmark = pytest.mark.model

OUTPUT = PROJECT_ROOT / "test-output" / "kiosk"
WAIT = 60  # seconds: generous, the first answer loads the model's graph

# A stand-in for the browser's speech engine with one Vietnamese voice; it
# records what it was asked to say.
FAKE_VIETNAMESE_VOICE = """
(() => {
  const voice = {name: "Giọng thử", lang: "vi-VN", voiceURI: "test-vi", localService: true, default: false};
  window.__spoken = [];
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  const engine = {
    getVoices: () => [voice], cancel: () => {}, addEventListener: () => {},
    speak: (u) => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}),
  };
  Object.defineProperty(window, "speechSynthesis", {value: engine, configurable: true});
})();
"""


def _report(capsys, line: str) -> None:
    """Print past pytest's capture, so the paths show in every run's output."""
    with capsys.disabled():
        print(f"\n{line}", flush=True)


@pytest.fixture(scope="module")
def kiosk_url(assistant, tmp_path_factory):
    """`bot web` on a free port, using the assistant's database and Rasa."""
    web = start_web(assistant.env, tmp_path_factory.mktemp("kiosk"), ready_path="/kiosk/")
    yield f"{web.url}/kiosk/"
    web.stop()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    with chromium_session(tmp_path_factory.mktemp("chromium-profile"), OUTPUT, 1280, 1024, WAIT) as browser:
        yield browser


class Kiosk:
    """What a citizen does and sees, in the page's own terms."""

    def __init__(self, driver, base_url: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.By = driver, base_url, By
        self.wait = WebDriverWait(driver, WAIT, poll_frequency=0.2)

    def open(self, screen: str, idle: int = 600) -> "Kiosk":
        self.d.get(f"{self.base}?screen={screen}&idle={idle}")
        self.wait.until(lambda d: len(self.all(".topic")) >= 6)
        return self

    def one(self, css: str):
        return self.d.find_element(self.By.CSS_SELECTOR, css)

    def all(self, css: str):
        return self.d.find_elements(self.By.CSS_SELECTOR, css)

    def shown(self, css: str) -> bool:
        found = self.all(css)
        return bool(found) and found[0].is_displayed()

    def bot_messages(self) -> list[str]:
        return [m.text for m in self.all(".msg.bot .text")]

    def tap(self, css: str, text: str | None = None):
        candidates = [e for e in self.all(css) if e.is_displayed() and e.is_enabled()]
        if text is not None:
            candidates = [e for e in candidates if e.text.split("\n")[0] == text]
        assert candidates, f"nothing to tap: {css} {text or ''}"
        candidates[0].click()

    def suggestions_for(self, query: str) -> list[str]:
        """The suggestion names once the list answers `query` (not an earlier prefix of it)."""
        self.wait.until(lambda d: self.one("#suggestions").get_attribute("data-query") == query)
        return [s.text.split("\n")[0] for s in self.all(".suggestion")]

    def tap_and_wait_for_answer(self, css: str, text: str | None = None) -> list[str]:
        before = len(self.all(".msg.bot"))
        self.tap(css, text)
        self.wait.until(lambda d: len(self.all(".msg.bot")) > before and not self.shown("#busy"))
        return self.bot_messages()[before:]

    def type_on_screen(self, keys: str) -> None:
        """Letters, space, and marks written as [sắc] [huyền] [hỏi] [ngã] [nặng] [hat] [breve] [horn] [dd]."""
        import re

        for token in re.findall(r"\[[^\]]+\]|.", keys):
            if token == " ":
                self.one('[data-action="space"]').click()
            elif token.startswith("["):
                name = token[1:-1]
                attr = "data-mark" if name in ("hat", "breve", "horn", "dd") else "data-tone"
                self.one(f'[{attr}="{name}"]').click()
            else:
                self.one(f'[data-key="{token}"]').click()

    def page_through(self) -> list[str]:
        """Tap "Xem thêm" until the answer ends; every bubble's text."""
        for _ in range(12):
            if not [b for b in self.all(".msg.bot:not(.spent) .choice") if b.text == "Xem thêm"]:
                break
            self.tap_and_wait_for_answer(".msg.bot:not(.spent) .choice", "Xem thêm")
        return self.bot_messages()


@pytest.fixture
def kiosk(driver, kiosk_url):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    return Kiosk(driver, kiosk_url)


def test_start_screen_shows_big_topic_buttons_and_a_search_box(kiosk, capsys):
    kiosk.open("test-start")
    assert kiosk.one("#start-title").text == "Xin chào! Bạn cần làm thủ tục gì?"
    titles = [b.text for b in kiosk.all(".topic")]
    assert "Làm thẻ căn cước" in titles and "Đăng ký khai sinh" in titles
    for button in kiosk.all(".topic"):
        assert button.size["height"] >= 64 and button.size["width"] >= 200
    assert kiosk.d.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert kiosk.shown("#search") and kiosk.shown("#send")
    assert not kiosk.shown("#conversation") and not kiosk.one("#home").is_displayed()
    path = OUTPUT / "start-screen.png"
    kiosk.d.save_screenshot(str(path))
    _report(capsys, f"kiosk screenshot (start screen): {path}")


def test_tapping_a_topic_answers_in_short_bubbles_with_buttons(kiosk, capsys):
    kiosk.open("test-topic")
    first = kiosk.tap_and_wait_for_answer(".topic", "Đăng ký khai sinh")
    text = "\n".join(first)
    assert "Đăng ký khai sinh" in text and "1.001193" in text
    assert kiosk.all(".msg.user")[-1].text == "Đăng ký khai sinh"
    assert kiosk.all(".msg.bot:not(.spent) .choice"), "every choice is a button"
    path = OUTPUT / "answer.png"
    kiosk.d.save_screenshot(str(path))
    _report(capsys, f"kiosk screenshot (answer): {path}")

    everything = kiosk.page_through()
    assert all(len(t.split()) <= 80 for t in everything), "at most 80 words a bubble"
    assert "Giấy chứng sinh" in "\n".join(everything)
    fee = kiosk.tap_and_wait_for_answer(".msg.bot:not(.spent) .choice", "Lệ phí")
    assert "1.001193" in "\n".join(fee) and "lệ phí" in "\n".join(fee).lower()
    assert kiosk.shown("#print-offer")
    # Speech: headless Chromium has no Vietnamese voice, so no read-aloud button.
    assert kiosk.all(".speak") and not any(b.is_displayed() for b in kiosk.all(".speak"))


def test_search_without_diacritics_on_the_screen_keyboard(kiosk):
    kiosk.open("test-search")
    kiosk.one("#search").click()
    assert kiosk.shown("#keyboard")
    keys_at = kiosk.one('[data-action="space"]').rect
    kiosk.type_on_screen("lam can cuoc")
    assert kiosk.one("#search").get_attribute("value") == "lam can cuoc"
    suggestions = kiosk.suggestions_for("lam can cuoc")
    # Suggestions arriving never move the keys under the citizen's finger, nor push them out of sight.
    assert len(suggestions) >= 4 and kiosk.one('[data-action="space"]').rect == keys_at
    assert "căn cước" in suggestions[0]
    assert "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên" in suggestions

    # The same words with marks typed as letter + tone buttons give the same list.
    kiosk.one("#clear").click()
    kiosk.one("#search").click()
    kiosk.type_on_screen("lam[huyền] can[breve] cuoc[horn][sắc]")
    assert kiosk.one("#search").get_attribute("value") == "làm căn cước"
    assert kiosk.suggestions_for("làm căn cước") == suggestions

    answer = kiosk.tap_and_wait_for_answer(".suggestion", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên")
    assert "1.014061" in "\n".join(answer)
    assert not kiosk.shown("#keyboard") and kiosk.one("#search").get_attribute("value") == ""

    # Or ask the assistant in words typed without diacritics.
    kiosk.one("#search").click()
    kiosk.type_on_screen("lam giay khai sinh can giay to gi")
    answer = kiosk.tap_and_wait_for_answer("#send")
    assert kiosk.all(".msg.user")[-1].text == "lam giay khai sinh can giay to gi"
    assert "1.001193" in "\n".join(answer)


def test_checklist_prints_cleanly_with_a_qr_code_to_the_official_page(kiosk, capsys):
    kiosk.open("test-print")
    kiosk.tap_and_wait_for_answer(".topic", "Đăng ký khai sinh")
    kiosk.wait.until(lambda d: kiosk.shown("#open-checklist"))
    kiosk.tap("#open-checklist")
    kiosk.wait.until(lambda d: kiosk.shown("#checklist") and kiosk.all("#cl-qr svg"))
    assert kiosk.one("#cl-title").text == "Đăng ký khai sinh"
    assert "1.001193" in kiosk.one("#cl-meta").text
    documents = [li.text for li in kiosk.all("#cl-documents li")]
    assert any(d.startswith("Giấy chứng sinh") for d in documents)
    url = kiosk.one("#cl-url").text
    assert url.startswith("https://dichvucong.gov.vn/")
    assert not kiosk.shown("#ask"), "the keyboard and search are out of the way"

    # The QR code carries the official page's address.
    qr_png = OUTPUT / "checklist-qr.png"
    kiosk.one("#cl-qr").screenshot(str(qr_png))
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: run `make browser`"
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(qr_png)], capture_output=True, text=True)
    assert decoded.stdout.strip() == url

    # Print view: only the sheet, no buttons, header or keyboard.
    kiosk.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert kiosk.shown(".sheet") and kiosk.shown("#cl-qr")
    for css in ("header", "#main", "#ask", "#print", "#close-checklist"):
        assert not kiosk.shown(css), f"{css} is printed"
    path = OUTPUT / "checklist-print.png"
    kiosk.d.save_screenshot(str(path))
    pdf = kiosk.d.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    (OUTPUT / "checklist.pdf").write_bytes(base64.b64decode(pdf["data"]))
    assert (OUTPUT / "checklist.pdf").read_bytes().startswith(b"%PDF")
    _report(capsys, f"kiosk print view: {path} and {OUTPUT / 'checklist.pdf'}")
    kiosk.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    kiosk.d.execute_script("window.print = function () { window.__printed = true; };")
    kiosk.tap("#print")
    assert kiosk.d.execute_script("return window.__printed === true")
    kiosk.tap("#close-checklist")
    assert kiosk.shown("#conversation") and not kiosk.shown("#checklist")


def test_read_aloud_uses_a_vietnamese_voice_when_there_is_one(kiosk):
    script = kiosk.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKE_VIETNAMESE_VOICE})
    try:
        kiosk.open("test-voice")
        answer = kiosk.tap_and_wait_for_answer(".topic", "Đăng ký kết hôn")
        buttons = [b for b in kiosk.all(".msg.bot .speak") if b.is_displayed()]
        assert buttons and buttons[0].text == "Đọc to"
        buttons[0].click()
        spoken = kiosk.d.execute_script("return window.__spoken")
        assert spoken == [{"text": answer[0], "lang": "vi-VN", "voice": "Giọng thử"}]
    finally:
        kiosk.d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def _kiosk_conversations(assistant, screen: str) -> list[str]:
    """The conversations of one kiosk screen stored in the assistant's database."""
    from bot.app import build_engine
    from bot.db.conversation_store import ConversationStore
    from bot.settings import Settings

    engine = build_engine(Settings.from_env(assistant.env))
    try:
        return [s for s in ConversationStore(engine).senders() if s.startswith(f"kiosk:{screen}.")]
    finally:
        engine.dispose()


def test_idle_screen_returns_to_start_and_forgets_the_conversation(kiosk, assistant):
    kiosk.open("test-idle", idle=4)
    kiosk.one("#search").click()
    kiosk.type_on_screen("ho chieu")
    # The list answering an earlier prefix ("ho chi") may still be replaced: wait for the one for "ho chieu".
    assert kiosk.suggestions_for("ho chieu")
    kiosk.tap_and_wait_for_answer(".suggestion")
    assert kiosk.shown("#conversation") and kiosk.bot_messages()
    [first] = _kiosk_conversations(assistant, "test-idle")  # stored by the Rasa server
    # Nobody touches the screen: back to the start, nothing of the conversation left.
    kiosk.wait.until(lambda d: kiosk.shown("#start"))
    assert not kiosk.shown("#conversation")
    assert kiosk.all(".msg") == []
    assert kiosk.one("#search").get_attribute("value") == ""
    assert kiosk.all(".suggestion") == [] and not kiosk.shown("#keyboard")
    assert not kiosk.shown("#print-offer")
    # And the next citizen starts a fresh conversation, under a new sender id; the old one is deleted.
    kiosk.wait.until(lambda d: _kiosk_conversations(assistant, "test-idle") == [])
    answer = kiosk.tap_and_wait_for_answer(".topic", "Đăng ký tạm trú")
    assert "1.004194" in "\n".join(answer)
    [second] = _kiosk_conversations(assistant, "test-idle")
    assert second != first
