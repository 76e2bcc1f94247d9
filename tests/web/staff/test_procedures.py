"""Procedure pages: search both tiers, the assistant's own answers, marking a curated record checked."""

from __future__ import annotations

import pytest

from bot.core.answers import ASPECTS
from bot.core.portal import parse_record
from bot.core.portal_plan import plan_import
from bot.core.published import PUBLISHED
from tests.core.portal_records import COLLECTED, portal_record
from tests.web.staff.conftest import csrf, logged_in

CODE = "1.001193"  # Đăng ký khai sinh, curated
PUBLISHED_CODE = "9.000001"


@pytest.fixture
def with_published(staff_services):
    record = parse_record(portal_record(code=PUBLISHED_CODE, name="Cấp giấy phép bay flycam thử nghiệm"), COLLECTED)
    staff_services.published.apply(plan_import({}, [record]), run_by="test", source="test", files=1)
    return staff_services


async def test_procedure_pages_need_a_login(console):
    for path in ("/staff/procedures", f"/staff/procedures/{CODE}"):
        assert (await console.get(path, allow_redirects=False)).status == 303
    response = await console.post(f"/staff/procedures/{CODE}/verify", data={"csrf": await csrf(console)},
                                  allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login")


async def test_search_covers_both_tiers(console, with_published):
    await logged_in(console, "hl1")
    listing = await (await console.get("/staff/procedures")).text()
    assert CODE in listing and PUBLISHED_CODE not in listing  # without a query: the curated records
    assert "1 thủ tục lấy từ Cổng" in listing
    found = await (await console.get("/staff/procedures", params={"q": "lam giay khai sinh"})).text()
    assert f'href="/staff/procedures/{CODE}"' in found
    found = await (await console.get("/staff/procedures", params={"q": "giấy phép bay flycam"})).text()
    assert f'href="/staff/procedures/{PUBLISHED_CODE}"' in found and "Từ Cổng DVC" in found


@pytest.mark.parametrize("query", ["", "<script>alert(1)</script>", "x" * 5000, "\x00", "%%%", "🙂"])
async def test_any_query_gets_a_page(console, query):
    await logged_in(console, "canbo1")
    response = await console.get("/staff/procedures", params={"q": query})
    assert response.status == 200
    assert "<script>alert" not in await response.text()


async def test_a_record_shows_each_aspect_exactly_as_the_assistant_answers(console, staff_services):
    await logged_in(console, "hl1")
    html = await (await console.get(f"/staff/procedures/{CODE}")).text()
    guide = staff_services.guide()
    today = staff_services.clock().date()
    for aspect, (_intent, label) in ASPECTS.items():
        assert f"<h3>{label}</h3>" in html
        for page in guide.answer(CODE, aspect, today=today).pages:
            assert page.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") \
                .replace("<", "&lt;").replace(">", "&gt;") in html
    assert 'id="verify"' not in html  # a trainer changes nothing


async def test_a_published_record_shows_its_answers_and_cannot_be_marked(console, with_published):
    await logged_in(console, "canbo1")
    html = await (await console.get(f"/staff/procedures/{PUBLISHED_CODE}")).text()
    assert "Theo Cổng Dịch vụ công quốc gia" in html and 'id="verify"' not in html
    token = await csrf(console, "/staff/procedures")
    assert (await console.post(f"/staff/procedures/{PUBLISHED_CODE}/verify", data={"csrf": token})).status == 404


@pytest.mark.parametrize("code", ["9.999999", "không-phải-mã", "..%2F..%2Fetc"])
async def test_unknown_codes_are_a_404_page(console, code):
    await logged_in(console, "canbo1")
    response = await console.get(f"/staff/procedures/{code}")
    assert response.status == 404 and "Không tìm thấy trang" in await response.text()


async def test_marking_checked_changes_what_the_assistant_says_and_is_audited(console, staff_services):
    staff_services.catalog.replace_all(  # an older date, so that the change shows
        [p.copy(update={"verified_on": p.verified_on.replace(year=2025)}) if p.code == CODE else p
         for p in staff_services.catalog.all_procedures()])
    old_title = staff_services.guide().answer(CODE, "fees").pages[0].splitlines()[0]
    await logged_in(console, "canbo1")
    token = await csrf(console, f"/staff/procedures/{CODE}")
    response = await console.post(f"/staff/procedures/{CODE}/verify", data={"csrf": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"/staff/procedures/{CODE}?verified=1"
    page = await (await console.get(response.headers["Location"])).text()
    assert "Đã ghi: Người canbo1 kiểm tra thủ tục này ngày 02/03/2026" in page
    assert "02/03/2026, bởi Người canbo1" in page
    new_title = staff_services.guide().answer(CODE, "fees").pages[0].splitlines()[0]  # what the actions call
    assert new_title != old_title and "thông tin kiểm tra ngày 02/03/2026" in new_title
    entry = staff_services.audit.entries()[0]
    assert (entry.actor, entry.action, entry.new) == ("canbo1", "procedure_verify", "02/03/2026")


async def test_a_trainer_cannot_mark_checked_and_a_missing_token_is_refused(console, staff_services):
    await logged_in(console, "hl1")
    token = await csrf(console, "/staff/procedures")
    assert (await console.post(f"/staff/procedures/{CODE}/verify", data={"csrf": token})).status == 403
    await logged_in(console, "canbo1")
    assert (await console.post(f"/staff/procedures/{CODE}/verify", data={})).status == 403
    assert staff_services.audit.entries()[0].action == "account_add"
