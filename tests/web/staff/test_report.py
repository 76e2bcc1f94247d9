"""The dashboard page: every role sees it, it shows the stored figures, bad dates get words, not a 500."""

from __future__ import annotations

import pytest
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import TrackerStore
from tests.core.times import vn
from tests.db.test_conversations import domain
from tests.db.test_usage_report import minutes, start, turn
from tests.web.staff.conftest import logged_in


@pytest.fixture
async def conversation(staff_services):
    store = TrackerStore(domain(), settings=staff_services.settings)
    at = vn(2026, 3, 1, 9)
    events = start(at) + turn(minutes(at, 1), "gọi 0912345678 hỏi cấp phép bay", "action_answer_procedure", ["utter_no_match"])
    await store.save(DialogueStateTracker.from_events("zalo:5", events, store.domain.slots))
    store.engine.dispose()


async def test_login_is_required(console):
    response = await console.get("/staff/report", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("name", ["admin1", "canbo1", "hl1"])
async def test_every_role_sees_the_last_28_days_with_masked_questions(console, conversation, name):
    client = await logged_in(console, name)
    response = await client.get("/staff/report")
    html = await response.text()
    assert response.status == 200
    assert 'name="from" value="2026-02-03"' in html and 'name="to" value="2026-03-02"' in html
    assert "gọi *******678 hỏi cấp phép bay" in html and "0912345678" not in html
    assert html.count('src="data:image/png;base64,') == 2  # messages and outcomes; no rating yet:
    assert "Chưa có đánh giá trong khoảng này." in html
    assert "Zalo" in html


async def test_a_period_without_the_conversation_shows_none(console, conversation):
    client = await logged_in(console, "canbo1")
    html = await (await client.get("/staff/report?from=2026-03-02&to=2026-03-02")).text()
    assert "cấp phép bay" not in html and "Chưa có tin nhắn nào" in html
    assert 'src="data:image/png' not in html and "Chưa có tin nhắn trong khoảng này." in html
    assert "Chưa có lượt hỏi trong khoảng này." in html and "Chưa có đánh giá trong khoảng này." in html


@pytest.mark.parametrize("query, words", [
    ("from=hôm-qua", "Ngày bắt đầu"),
    ("from=2026-03-05&to=2026-03-01", "phải trước"),
    ("from=2020-01-01&to=2026-03-01", "tối đa"),
    ("to=" + "9" * 500, "Ngày kết thúc"),
])
async def test_bad_dates_get_the_form_again_with_a_message(console, query, words):
    client = await logged_in(console, "hl1")
    response = await client.get("/staff/report?" + query)
    html = await response.text()
    assert response.status == 400
    assert words in html and 'action="/staff/report"' in html


async def test_the_styles_are_served_to_the_page(console):
    client = await logged_in(console, "hl1")
    response = await client.get("/staff/report.css")
    assert response.status == 200 and "@media print" in await response.text()
