"""The trainers' inbox page: trainers and admins only, masked groups, adding with CSRF, an audit entry,
a friendly refusal that writes nothing, never a 500."""

from __future__ import annotations

import shutil

import pytest

from bot.settings import PROJECT_ROOT, Settings
from tests.fakes import conversations
from tests.web.staff.conftest import csrf, logged_in

PAGE = "/staff/nlu/inbox"


@pytest.fixture
def nlu_dir(tmp_path):
    directory = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", directory)
    return directory


@pytest.fixture
def settings(tmp_path, nlu_dir) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path), "DOSSIER_API_TOKEN": "test-token",
                              "NLU_DIR": str(nlu_dir)})


@pytest.fixture
def stored(staff_services):
    conversations.store(staff_services.engine)
    return staff_services


def _snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.yml"))}


async def test_the_inbox_needs_a_login_and_the_trainer_or_admin_role(console, stored, nlu_dir):
    assert (await console.get(PAGE, allow_redirects=False)).status == 303
    await logged_in(console, "canbo1")
    response = await console.get(PAGE)
    assert response.status == 403 and "nhan con nuoi" not in await response.text()
    token = await csrf(console, "/staff/")
    before = _snapshot(nlu_dir)
    response = await console.post(PAGE + "/add", data={"csrf": token, "text": "thu tuc nhan con nuoi",
                                                       "intent": "ask_procedure"})
    assert response.status == 403 and _snapshot(nlu_dir) == before
    for name in ("hl1", "admin1"):
        await console.get("/staff/logout")
        await logged_in(console, name)
        page = await (await console.get(PAGE)).text()
        assert "4 nhóm câu" in page and "Câu chưa trả lời được" in page


async def test_the_page_shows_groups_masked_newest_first(console, stored):
    await logged_in(console, "hl1")
    page = await (await console.get(PAGE)).text()
    positions = [page.index(text) for text, _, _ in conversations.EXPECTED]
    assert positions == sorted(positions)
    assert "2 lần" in page and "Không tìm thấy thủ tục" in page
    for secret in (conversations.PHONE, conversations.CODE, conversations.NAME):
        assert secret not in page
    for query in ("since=2026-03-02", "since=abc", "since=" + "9" * 40, "since=2026-13-45"):
        assert (await console.get(f"{PAGE}?{query}")).status == 200, query
    later = await (await console.get(f"{PAGE}?since=2026-03-03")).text()
    assert "0 nhóm câu" in later


async def test_adding_a_group_writes_the_yaml_and_an_audit_entry(console, stored, nlu_dir):
    await logged_in(console, "hl1")
    token = await csrf(console, PAGE)
    before = _snapshot(nlu_dir)
    response = await console.post(PAGE + "/add", data={
        "csrf": token, "text": "đổi bằng lái xe máy mất bao lâu", "intent": "ask_processing_time",
        "procedure": "đổi bằng lái xe máy"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == PAGE + "?added=1"
    after = _snapshot(nlu_dir)
    assert [n for n in after if after[n] != before[n]] == ["procedures.yml"]
    assert "      - [đổi bằng lái xe máy](procedure) mất bao lâu\n" in after["procedures.yml"].decode()
    (entry,) = [e for e in stored.audit.entries() if e.action == "nlu_add"]
    assert entry.actor == "hl1" and entry.field == "ask_processing_time" and entry.object.startswith("procedures.yml:")
    page = await (await console.get(PAGE + "?added=1")).text()
    assert "Đã thêm 1 câu mẫu" in page and "đổi bằng lái xe máy mất bao lâu" not in page


@pytest.mark.parametrize("form, message", [
    ({"intent": "ask_everything"}, "không có ý định"),
    ({"intent": ""}, "Chọn một ý định"),
    ({"intent": "greet", "text": "làm cccd cần những gì"}, "không qua được"),
    ({"intent": "ask_fee", "text": "sđt *******678 lệ phí"}, "còn phần bị che"),
    ({"intent": "ask_fee", "procedure": "hộ chiếu"}, "không thấy tên thủ tục"),
    ({"intent": "ask_fee", "text": "x" * 900}, "dài quá"),
])
async def test_a_refused_add_says_why_and_writes_nothing(console, stored, nlu_dir, form, message):
    await logged_in(console, "hl1")
    token = await csrf(console, PAGE)
    before = _snapshot(nlu_dir)
    data = {"csrf": token, "text": "thu tuc nhan con nuoi nguoi nuoc ngoai?", **form}
    response = await console.post(PAGE + "/add", data=data)
    assert response.status == 200 and message in await response.text()
    assert _snapshot(nlu_dir) == before
    assert not [e for e in stored.audit.entries() if e.action == "nlu_add"]


async def test_an_add_without_the_csrf_token_is_refused(console, stored, nlu_dir):
    await logged_in(console, "hl1")
    before = _snapshot(nlu_dir)
    response = await console.post(PAGE + "/add", data={"text": "thu tuc nhan con nuoi", "intent": "ask_procedure"})
    assert response.status == 403 and "Chưa lưu gì" in await response.text()
    assert _snapshot(nlu_dir) == before


async def test_the_page_works_without_any_stored_conversation(console, staff_services):
    await logged_in(console, "admin1")
    response = await console.get(PAGE)
    assert response.status == 200 and "Không có câu nào cần xem" in await response.text()
