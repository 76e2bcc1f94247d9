"""Editing curated records in the console: form, diff preview, reason, save, stale forms; spreadsheets in and out;
the YAML export; the staleness board. Every route: login, role, CSRF, bad input answered with a page."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html import unescape

import pytest
from aiohttp import FormData
from openpyxl import Workbook, load_workbook
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.catalog import load_catalog
from bot.core.portal import parse_record
from bot.core.portal_plan import plan_import
from bot.core.record_fields import KEYS, to_texts, version
from bot.core.record_reading import from_texts
from bot.core.spreadsheet import xlsx_bytes
from bot.db.catalog_store import Edit
from bot.tracker_store import TrackerStore
from tests.core.portal_records import COLLECTED, portal_record
from tests.core.times import vn
from tests.db.test_conversations import domain
from tests.db.test_usage_report import minutes, start, turn
from tests.web.staff.conftest import csrf, csrf_of, logged_in

CODE = "1.001193"  # Đăng ký khai sinh, curated
GETS = ["/staff/procedures/1.001193/edit", "/staff/catalog/files", "/staff/catalog/export.xlsx",
        "/staff/catalog/export.csv", "/staff/catalog/export-yaml.zip", "/staff/catalog/stale"]
POSTS = ["/staff/procedures/1.001193/edit", "/staff/catalog/save", "/staff/catalog/import",
         "/staff/procedures/1.001193/edit/again"]


def _form_fields(html: str) -> dict:
    """What the browser would send for the edit form as shown."""
    fields = {k: unescape(v) for k, v in re.findall(r'<input name="([a-z_]+)" value="([^"]*)"', html)}
    fields.update({k: unescape(v) for k, v in re.findall(r'<textarea name="([a-z_]+)"[^>]*>(.*?)</textarea>', html,
                                                         re.S)})
    for name, body in re.findall(r'<select name="([a-z_]+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = unescape(chosen.group(1)) if chosen else ""
    fields["version"] = re.search(r'name="version" value="([^"]+)"', html).group(1)
    fields["csrf"] = csrf_of(html)
    return fields


def _hidden(html: str, name: str) -> str:
    return unescape(re.search(rf'name="{name}" value="([^"]*)"', html).group(1))


async def _preview(console, **changes):
    html = await (await console.get(f"/staff/procedures/{CODE}/edit")).text()
    fields = _form_fields(html)
    fields.update(changes)
    return await console.post(f"/staff/procedures/{CODE}/edit", data=fields)


async def test_every_route_needs_a_login(console):
    for path in GETS:
        response = await console.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/staff/login"), path
    token = await csrf(console)
    for path in POSTS:
        response = await console.post(path, data={"csrf": token}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/staff/login"), path


async def test_a_trainer_reads_and_downloads_but_changes_nothing(console):
    await logged_in(console, "hl1")
    for path in GETS[1:]:
        assert (await console.get(path)).status == 200, path
    assert (await console.get(GETS[0])).status == 403
    token = await csrf(console, "/staff/catalog/files")
    for path in POSTS:
        response = await console.post(path, data={"csrf": token})
        assert response.status == 403 and "Không được phép" in await response.text(), path


async def test_posts_without_the_csrf_token_are_refused(console, staff_services):
    await logged_in(console, "canbo1")
    for path in POSTS:
        response = await console.post(path, data={"le_phi": "x"})
        assert response.status == 403 and "Chưa lưu gì" in await response.text(), path
    assert staff_services.catalog.console_edits() == []


async def test_edit_preview_save_changes_the_answer_at_once_with_one_entry_per_field(console, staff_services):
    old_answer = staff_services.guide().answer(CODE, "fees").pages
    await logged_in(console, "canbo1")
    response = await _preview(console, le_phi="Lệ phí 5.000 đồng.", so_tien="5000")
    html = await response.text()
    assert response.status == 200 and "Xem trước thay đổi" in html
    assert re.search(r'<td>Lệ phí</td><td class="value old">[^<]+</td><td class="value new">Lệ phí 5.000 đồng.</td>',
                     html)
    assert staff_services.guide().answer(CODE, "fees").pages == old_answer  # nothing saved by a preview
    data = {"csrf": csrf_of(html), "payload": _hidden(html, "payload"), "back": f"/staff/procedures/{CODE}"}
    refused = await console.post("/staff/catalog/save", data={**data, "reason": "   "})
    assert refused.status == 400 and "ghi lý do" in await refused.text()
    saved = await console.post("/staff/catalog/save", data={**data, "reason": "Quyết định 12/QĐ-UBND"},
                               allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == f"/staff/procedures/{CODE}?edited=1"
    assert "Đã lưu thay đổi" in await (await console.get(saved.headers["Location"])).text()
    assert "5.000 đồng" in "\n".join(staff_services.guide().answer(CODE, "fees").pages)  # what the actions call
    entries = [e for e in staff_services.audit.entries() if e.action == "procedure_edit"]
    assert sorted(e.field for e in entries) == ["le_phi", "so_tien"]
    assert {(e.actor, e.reason) for e in entries} == {("canbo1", "Quyết định 12/QĐ-UBND")}


async def test_bad_values_come_back_on_the_form_with_vietnamese_errors(console, staff_services):
    await logged_in(console, "canbo1")
    response = await _preview(console, so_tien="năm nghìn", link_nguon="http://x", cac_buoc="",
                              le_phi="<script>alert(1)</script>")
    html = await response.text()
    assert response.status == 400
    assert "không phải số nguyên" in html and "https://" in html and "cần ít nhất 1 dòng" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html  # kept, escaped
    assert staff_services.catalog.console_edits() == []


async def test_a_stale_form_is_refused_with_the_values_now_stored(console, staff_services):
    await logged_in(console, "canbo1")
    html = await (await _preview(console, le_phi="Của tôi.")).text()
    current = staff_services.catalog.get(CODE)  # someone else saves first
    staff_services.catalog.apply_edits([Edit(version(current), from_texts(current, {"le_phi": "Của người khác."}))],
                                       actor="admin1", reason="r", at=staff_services.clock())
    response = await console.post("/staff/catalog/save", data={
        "csrf": csrf_of(html), "payload": _hidden(html, "payload"), "reason": "r", "back": "/staff/"})
    page = await response.text()
    assert response.status == 409 and "chưa lưu gì" in page
    assert "Của người khác." in page and "Của tôi." in page
    assert staff_services.catalog.get(CODE).fees.text == "Của người khác."


@pytest.mark.parametrize("payload", ["", "không phải json", "[]", '{"1.001193": {"version": 1}}',
                                     '{"1.001193": {"version": "x", "texts": {"la": "x"}}}'])
async def test_a_broken_payload_is_a_page_and_nothing_is_saved(console, staff_services, payload):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/catalog/files")
    response = await console.post("/staff/catalog/save", data={"csrf": token, "payload": payload, "reason": "r"})
    assert response.status == 400 and "Chưa lưu gì" in await response.text()
    assert staff_services.catalog.console_edits() == []


async def test_keep_editing_brings_back_the_form_with_what_was_typed_not_what_is_saved(console, staff_services):
    saved_fee = staff_services.catalog.get(CODE).fees.text
    await logged_in(console, "canbo1")
    preview = await (await _preview(console, le_phi="Lệ phí 5.000 đồng.", so_tien="5000",
                                    ghi_chu="Ghi chú <mới> của tôi.")).text()
    button = re.search(r'<button type="submit" id="keep-editing"[^>]*formaction="([^"]+)"[^>]*>Sửa tiếp</button>',
                       preview)
    assert button and button.group(1) == f"/staff/procedures/{CODE}/edit/again"
    response = await console.post(button.group(1), data={"csrf": csrf_of(preview),
                                                          "payload": _hidden(preview, "payload"), "reason": ""})
    form = await response.text()
    assert response.status == 200 and 'id="edit-form"' in form
    fields = _form_fields(form)
    assert fields["le_phi"] == "Lệ phí 5.000 đồng." != saved_fee
    assert fields["so_tien"] == "5000" and fields["ghi_chu"] == "Ghi chú <mới> của tôi."
    assert "Ghi chú &lt;mới&gt;" in form  # escaped
    assert fields["ten"] == to_texts(staff_services.catalog.get(CODE))["ten"]  # untouched fields as stored
    assert staff_services.catalog.get(CODE).fees.text == saved_fee and staff_services.catalog.console_edits() == []
    again = await console.post(f"/staff/procedures/{CODE}/edit", data={**fields, "so_tien": "6000"})
    assert again.status == 200 and re.search(r'<td class="value new">6000</td>', html := await again.text())
    assert "Lệ phí 5.000 đồng." in html  # the earlier edit is still part of the change


async def test_keep_editing_refuses_a_broken_or_foreign_payload_and_a_stale_one(console, staff_services):
    await logged_in(console, "canbo1")
    preview = await (await _preview(console, le_phi="Của tôi.")).text()
    token, payload = csrf_of(preview), _hidden(preview, "payload")
    for bad in ("", "không phải json", payload.replace(CODE, "1.000001")):
        response = await console.post(f"/staff/procedures/{CODE}/edit/again", data={"csrf": token, "payload": bad})
        assert response.status == 400 and "Chưa lưu gì" in await response.text(), bad
    other = await console.post("/staff/procedures/9.999999/edit/again", data={"csrf": token, "payload": payload})
    assert other.status == 404
    current = staff_services.catalog.get(CODE)  # someone else saves meanwhile
    staff_services.catalog.apply_edits([Edit(version(current), from_texts(current, {"le_phi": "Của người khác."}))],
                                       actor="admin1", reason="r", at=staff_services.clock())
    stale = await console.post(f"/staff/procedures/{CODE}/edit/again", data={"csrf": token, "payload": payload})
    page = await stale.text()
    assert stale.status == 409 and "Của người khác." in page and "Của tôi." in page


async def test_an_unchanged_preview_offers_to_keep_editing_and_a_file_preview_does_not(console):
    await logged_in(console, "canbo1")
    unchanged = await (await _preview(console)).text()
    assert 'id="no-changes"' in unchanged and f'href="/staff/procedures/{CODE}/edit" id="keep-editing"' in unchanged
    from_file = await (await _upload(console, "phi.csv", "ma_thu_tuc;so_tien\n1.001193;12.000\n".encode())).text()
    assert "1 thủ tục sẽ thay đổi" in from_file and "keep-editing" not in from_file


async def test_unknown_and_published_codes_have_no_edit_form(console):
    await logged_in(console, "canbo1")
    for code in ("9.999999", "..%2Fx"):
        assert (await console.get(f"/staff/procedures/{code}/edit")).status == 404


async def _upload(console, name: str, body: bytes):
    token = await csrf(console, "/staff/catalog/files")
    data = FormData()
    data.add_field("csrf", token)
    data.add_field("file", body, filename=name)
    return await console.post("/staff/catalog/import", data=data)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_excel_export_is_the_template_and_an_edited_copy_imports_with_a_preview(console, staff_services):
    await logged_in(console, "canbo1")
    response = await console.get("/staff/catalog/export.xlsx")
    assert response.status == 200 and response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(await response.read()))
    rows = [[c or "" for c in r] for r in book["thu_tuc"].iter_rows(values_only=True)]
    assert tuple(rows[0]) == KEYS and len(rows) == 1 + staff_services.catalog.count()
    row = next(r for r in rows if r[0] == CODE)
    assert row == list(to_texts(staff_services.catalog.get(CODE)).values())
    fee = KEYS.index("le_phi")
    row[fee] = "=HYPERLINK(\"http://x\")"  # formula-looking text in a text cell: kept as text
    html = await (await _upload(console, "sua.xlsx", xlsx_bytes([("thu_tuc", [rows[0], row])]))).text()
    assert "1 thủ tục sẽ thay đổi" in html and "=HYPERLINK(&#34;http://x&#34;)" in html
    saved = await console.post("/staff/catalog/save", data={
        "csrf": csrf_of(html), "payload": _hidden(html, "payload"), "reason": "Nhập từ Excel",
        "back": "/staff/catalog/files"}, allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == "/staff/catalog/files?saved=1"
    assert staff_services.catalog.get(CODE).fees.text == '=HYPERLINK("http://x")'
    again = load_workbook(io.BytesIO(await (await console.get("/staff/catalog/export.xlsx")).read()))
    cell = [r for r in again["thu_tuc"].iter_rows() if r[0].value == CODE][0][fee]
    assert cell.data_type == "s" and cell.quotePrefix  # a text cell, never a formula


async def test_the_whole_exported_file_with_many_changes_saves(console, staff_services):
    await logged_in(console, "canbo1")
    book = load_workbook(io.BytesIO(await (await console.get("/staff/catalog/export.xlsx")).read()))
    rows = [[c or "" for c in r] for r in book["thu_tuc"].iter_rows(values_only=True)]
    fee = KEYS.index("so_tien")
    for row in rows[1:21]:
        row[fee] = "1234"
    html = await (await _upload(console, "tat-ca.xlsx", xlsx_bytes([("thu_tuc", rows)]))).text()
    assert "20 thủ tục sẽ thay đổi" in html
    saved = await console.post("/staff/catalog/save", data={
        "csrf": csrf_of(html), "payload": _hidden(html, "payload"), "reason": "Phí mới",
        "back": "/staff/catalog/files"}, allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == "/staff/catalog/files?saved=20"
    assert {staff_services.catalog.get(r[0]).fees.amount_vnd for r in rows[1:21]} == {1234}


async def test_a_csv_with_some_columns_updates_only_those(console, staff_services):
    await logged_in(console, "canbo1")
    body = "ma_thu_tuc;so_tien\n1.001193;12.000\n".encode("utf-8")
    html = await (await _upload(console, "phi.csv", body)).text()
    assert "1 thủ tục sẽ thay đổi" in html and "12000" in html
    exported = (await (await console.get("/staff/catalog/export.csv")).read()).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(exported))) == list(KEYS)


@pytest.mark.parametrize("name, body, words", [
    ("a.xlsx", _xlsx([["ma_thu_tuc", "so_tien"], [CODE, "=1+1"]]), "Ô B2 là công thức"),
    ("a.xlsx", _xlsx([["ma_thu_tuc", "so_tien"], [CODE, "mười"]]), "Dòng 2, cột so_tien (B): &#39;mười&#39; không"),
    ("a.xlsx", _xlsx([["ma_thu_tuc", "cot_la"], [CODE, "x"]]), "Cột B có tên “cot_la”"),
    ("a.xlsx", _xlsx([["ma_thu_tuc"], ["9.999999"]]), "Dòng 2, cột ma_thu_tuc (A)"),
    ("a.xlsx", _xlsx([["so_tien"], ["1"]]), "Thiếu cột ma_thu_tuc"),
    ("a.xlsx", b"PK\x03\x04 not really a zip", "không phải tệp Excel"),
    ("a.csv", "ma_thu_tuc,le_phi\n1.001193,Phí\n".encode("cp1258"), "không ở dạng UTF-8"),
    ("a.csv", b"ma_thu_tuc\n1.001193\n1.001193\n", "đã có ở dòng 2"),
    ("a.xls", b"x", "Chỉ nhận tệp Excel .xlsx hoặc .csv"),
    ("a.csv", b"x" * (600 * 1024), "Tệp quá lớn"),
    ("a.csv", b"", "không có dòng nào"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "…")
async def test_bad_files_are_named_by_row_and_column_and_nothing_is_saved(console, staff_services, name, body, words):
    await logged_in(console, "canbo1")
    response = await _upload(console, name, body)
    assert response.status == 400, await response.text()
    assert words in await response.text()
    assert staff_services.catalog.console_edits() == []


async def test_an_upload_without_a_file_is_asked_again(console):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/catalog/files")
    response = await console.post("/staff/catalog/import", data={"csrf": token})
    assert response.status == 400 and "chọn một tệp" in await response.text()


async def test_the_yaml_export_loads_back_to_the_same_records(console, staff_services, tmp_path):
    await logged_in(console, "hl1")
    response = await console.get("/staff/catalog/export-yaml.zip")
    with zipfile.ZipFile(io.BytesIO(await response.read())) as archive:
        archive.extractall(tmp_path)
    loaded = sorted(load_catalog(tmp_path / "procedures"), key=lambda p: p.code)
    assert [json.loads(p.json()) for p in loaded] == [
        json.loads(p.json()) for p in sorted(staff_services.catalog.all_procedures(), key=lambda p: p.code)]
    assert (tmp_path / "procedures" / "ho-tich.yml").exists()  # the repository's own file names


async def test_the_staleness_board(console, staff_services):
    p = staff_services.catalog.get(CODE)
    staff_services.catalog.apply_edits([Edit(version(p), from_texts(p, {
        "le_phi": "Giảm 50% đến hết 31/03/2026.", "le_phi_den_ngay": "31/03/2026"}))], actor="a", reason="r",
        at=staff_services.clock())
    await logged_in(console, "hl1")
    html = await (await console.get("/staff/catalog/stale", params={"days": "1"})).text()
    assert "chưa kiểm tra quá 1 ngày" in html and f'href="/staff/procedures/{CODE}"' in html
    ending = html.split('id="ending"')[1].split("</section>")[0]
    assert "31/03/2026" in ending and CODE in ending and "Mức lệ phí" in ending
    most_asked = html.split('id="most-asked"')[1].split("</section>")[0]
    assert "Chưa có cuộc trò chuyện nào được lưu trong 30 ngày qua" in most_asked  # no silent stand-in list
    assert "<table" not in most_asked and "Chưa nhập lần nào từ Cổng" in html
    default = await (await console.get("/staff/catalog/stale")).text()
    assert 'value="180"' in default
    for bad in ("0", "abc", "-5", "99999"):
        response = await console.get("/staff/catalog/stale", params={"days": bad})
        assert response.status == 400 and "Số ngày phải là số nguyên" in await response.text()


async def _save_conversation(services, sender: str, at, codes: list[str]) -> None:
    """One stored conversation from `at`: one citizen question answered per code, a minute apart."""
    store = TrackerStore(domain(), settings=services.settings)
    events = start(at)
    for i, code in enumerate(codes, 1):
        events += turn(minutes(at, i), f"hỏi thủ tục {code}", "action_answer_procedure", slots={"procedure_code": code})
    await store.save(DialogueStateTracker.from_events(sender, events, store.domain.slots))
    store.engine.dispose()


async def test_the_board_ranks_what_citizens_asked_over_30_days_answered_from_the_portal_only(console, staff_services):
    records = [parse_record(portal_record(code=c, name=n), COLLECTED) for c, n in [
        ("9.000001", "Cấp giấy phép bay flycam"), ("9.000002", "Đăng ký nuôi ong"), ("9.000003", "Cấp phép đào ao"),
        (CODE, "Đăng ký khai sinh (bản Cổng)")]]  # CODE is also curated: the curated record answers
    staff_services.published.apply(plan_import({}, records), run_by="test", source="test", files=1)
    # Today is 02/03/2026 (Vietnam): the 30 days are 01/02 to 02/03.
    await _save_conversation(staff_services, "telegram:1", vn(2026, 3, 1, 9), ["9.000002", CODE, "9.000001"])
    await _save_conversation(staff_services, "zalo:2", vn(2026, 2, 1, 0, 30), ["9.000002", CODE, CODE])
    await _save_conversation(staff_services, "rest:old", vn(2026, 1, 31, 22), ["9.000003", "9.000003"])
    await logged_in(console, "canbo1")
    html = await (await console.get("/staff/catalog/stale")).text()
    most_asked = html.split('id="most-asked"')[1].split("</section>")[0]
    rows = re.findall(r'<tr><td><a href="/staff/procedures/([^"]+)">[^<]+</a></td><td>([^<]+)</td><td>(\d+)</td></tr>',
                      most_asked)
    assert rows == [("9.000002", "Đăng ký nuôi ong", "2"), ("9.000001", "Cấp giấy phép bay flycam", "1")]
    assert "Số câu hỏi" in most_asked and "Chưa có cuộc trò chuyện" not in most_asked


async def test_the_board_says_when_every_asked_procedure_is_curated(console, staff_services):
    await _save_conversation(staff_services, "kiosk:quay-1.a", vn(2026, 3, 2, 7), [CODE])
    await logged_in(console, "hl1")
    html = await (await console.get("/staff/catalog/stale")).text()
    most_asked = html.split('id="most-asked"')[1].split("</section>")[0]
    assert "mọi thủ tục trợ lý đã trả lời đều có bản biên soạn" in most_asked and "<table" not in most_asked
