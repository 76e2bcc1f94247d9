"""Dossier pages: search by code, a dossier and its history, status updates with notifications,
apologies for late dossiers, the late list, and batch upload (CSV and Excel) with a preview."""

from __future__ import annotations

import base64
import io
import re

import pytest
from aiohttp import FormData

from bot.core.clock import VN_TZ
from bot.core.dossiers.planning import Incoming
from tests.core.dossiers.samples import CODE, row
from tests.web.staff.conftest import csrf, logged_in

OTHER = "000.00.12.H12-260225-0007"
HEADER = "code,procedure_code,applicant_name,phone,status,received_at,due_at,updated_at,unit,note"


@pytest.fixture
def with_dossiers(staff_services):
    # START is 2 March 2026: CODE (due 2025-03-19) is late, OTHER is not.
    staff_services.dossiers.apply([Incoming("Dòng 2", row()),
                                   Incoming("Dòng 3", row(code=OTHER, received_at="2026-02-25T08:00",
                                                          updated_at="2026-02-25T08:00", due_at="2026-03-10"))],
                                  "import:a.csv")
    staff_services.dossiers.subscribe(CODE, "telegram:42", "telegram", "42")
    return staff_services


def dossier_entries(services) -> list:
    return [e for e in services.audit.entries() if e.action.startswith("dossier")]


def dossier_id(services, code=CODE) -> int:
    return services.dossiers.find(code)[0][0]


async def test_dossier_pages_need_a_login(console, with_dossiers):
    i = dossier_id(with_dossiers)
    for path in ("/staff/dossiers", "/staff/dossiers/late", "/staff/dossiers/upload", f"/staff/dossiers/{i}"):
        response = await console.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/staff/login"), path
    token = await csrf(console)
    for path in ("/staff/dossiers/search", f"/staff/dossiers/{i}/status", "/staff/dossiers/upload"):
        response = await console.post(path, data={"csrf": token, "q": CODE, "status": "rejected"},
                                      allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/staff/login"), path
    assert with_dossiers.dossiers.get(CODE).status.value == "processing"


async def test_trainers_see_no_dossier_at_all(console, with_dossiers):
    await logged_in(console, "hl1")
    i = dossier_id(with_dossiers)
    for path in ("/staff/dossiers", "/staff/dossiers/late", "/staff/dossiers/upload", f"/staff/dossiers/{i}"):
        response = await console.get(path)
        assert response.status == 403, path
        assert CODE not in await response.text()
    token = await csrf(console, "/staff/")
    for path in ("/staff/dossiers/search", f"/staff/dossiers/{i}/status", f"/staff/dossiers/{i}/apology"):
        response = await console.post(path, data={"csrf": token, "q": CODE, "status": "rejected", "due": "2026-03-20"})
        assert response.status == 403, path
    home = await (await console.get("/staff/")).text()
    assert 'href="/staff/dossiers"' not in home and 'href="/staff/feedback"' not in home
    assert with_dossiers.dossiers.get(CODE).status.value == "processing"


async def test_search_by_code_opens_the_dossier_without_the_code_in_any_url(console, with_dossiers):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/dossiers")
    response = await console.post("/staff/dossiers/search", data={"csrf": token, "q": "000 00 12 h12 250312 0042"},
                                  allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/staff/dossiers/{dossier_id(with_dossiers)}"
    page = await (await console.get(response.headers["Location"])).text()
    assert CODE in page and "Nguyễn Văn A" in page and "*******678" in page and "0912345678" not in page
    assert "Trễ hạn" in page and "Nhập tệp a.csv" in page
    many = await (await console.post("/staff/dossiers/search", data={"csrf": token, "q": "12.H12"})).text()
    assert CODE in many and OTHER in many
    none = await (await console.post("/staff/dossiers/search", data={"csrf": token, "q": "999.99"})).text()
    assert "Không có hồ sơ nào khớp" in none


@pytest.mark.parametrize("query", ["", "ab", "<script>x</script>", "x" * 5000, "%%%%", "\x00\x00\x00\x00"])
async def test_any_search_gets_a_page(console, with_dossiers, query):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/dossiers")
    response = await console.post("/staff/dossiers/search", data={"csrf": token, "q": query})
    assert response.status == 200 and "<script>x" not in await response.text()


async def test_a_status_update_notifies_the_citizen_and_is_audited_with_the_name(console, with_dossiers):
    await logged_in(console, "canbo1")
    i = dossier_id(with_dossiers)
    token = await csrf(console, f"/staff/dossiers/{i}")
    response = await console.post(f"/staff/dossiers/{i}/status", data={
        "csrf": token, "status": "need_supplement", "note": "bản sao giấy khai sinh", "due": ""})
    page = await response.text()
    assert response.status == 200 and "Đã lưu thay đổi" in page and "Đã xếp 1 tin báo" in page
    assert "Cần bổ sung" in page and "Trang quản lý: Người canbo1" in page
    (message,) = with_dossiers.outbox.due("telegram")
    assert message.recipient_id == "42" and "Cần bổ sung" in message.text and "bản sao giấy khai sinh" in message.text
    entries = with_dossiers.audit.entries()
    assert {(e.actor, e.action, e.field) for e in entries} >= {("canbo1", "dossier_update", "trạng thái"),
                                                                ("canbo1", "dossier_update", "ghi chú")}
    again = await console.post(f"/staff/dossiers/{i}/status", data={
        "csrf": token, "status": "need_supplement", "note": "bản sao giấy khai sinh"})
    assert "Không có gì thay đổi" in await again.text()


@pytest.mark.parametrize("form, error", [
    ({"status": "lost"}, "không có"),
    ({"status": "processing", "due": "31/12/2026"}, "không đúng dạng"),
    ({"status": "processing", "due": "2020-01-01"}, "phải sau ngày tiếp nhận"),
    ({"status": "processing", "note": "x" * 1500}, "dài quá"),
    ({}, "Chọn một trạng thái"),
])
async def test_a_bad_status_form_gets_a_sentence_and_changes_nothing(console, with_dossiers, form, error):
    await logged_in(console, "canbo1")
    i = dossier_id(with_dossiers)
    token = await csrf(console, f"/staff/dossiers/{i}")
    response = await console.post(f"/staff/dossiers/{i}/status", data={"csrf": token, **form})
    page = await response.text()
    assert response.status == 200 and error in page and "Chưa lưu gì" in page
    assert with_dossiers.dossiers.get(CODE).status.value == "processing" and dossier_entries(with_dossiers) == []


async def test_unknown_or_odd_dossier_ids_are_404_pages(console, with_dossiers):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/dossiers")
    for path in ("/staff/dossiers/99999", "/staff/dossiers/-1", "/staff/dossiers/1e3", "/staff/dossiers/" + "9" * 40):
        assert (await console.get(path)).status == 404, path
    response = await console.post("/staff/dossiers/99999/status", data={"csrf": token, "status": "rejected"})
    assert response.status == 404 and "Không tìm thấy" in await response.text()


async def test_the_late_list_and_an_apology(console, with_dossiers):
    await logged_in(console, "canbo1")
    late = await (await console.get("/staff/dossiers/late")).text()
    assert CODE in late and OTHER not in late and "Chưa gửi" in late and "1 hồ sơ chưa gửi thư xin lỗi" in late
    i = dossier_id(with_dossiers)
    token = await csrf(console, f"/staff/dossiers/{i}")
    bad = await console.post(f"/staff/dossiers/{i}/apology", data={"csrf": token, "due": "2026-03-01"})
    assert "sau hôm nay" in await bad.text() and with_dossiers.dossiers.apologies(CODE) == []
    response = await console.post(f"/staff/dossiers/{i}/apology", data={
        "csrf": token, "due": "2026-03-09", "reason": "chờ kết quả xác minh"})
    assert "Đã ghi thư xin lỗi" in await response.text()
    late = await (await console.get("/staff/dossiers/late")).text()
    assert "Đã gửi 02/03/2026" in late and "Người canbo1" in late and "hẹn mới 09/03/2026" in late
    (message,) = with_dossiers.outbox.due("telegram")
    assert "xin lỗi" in message.text and "chờ kết quả xác minh" in message.text
    other = dossier_id(with_dossiers, OTHER)
    not_late = await console.post(f"/staff/dossiers/{other}/apology", data={"csrf": token, "due": "2026-03-20"})
    assert "chưa trễ hạn" in await not_late.text()


# --- batch upload -------------------------------------------------------------------


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join((HEADER,) + rows) + "\n").encode("utf-8")


NEW_ROW = "000.00.12.H12-260301-0001,1.001193,Trần Thị Bình,0900000202,received,2026-03-01T08:00,2026-03-06,,,"
UPDATE_ROW = (f"{CODE},1.001193,Nguyễn Văn A,0912 345 678,result_ready,2025-03-12T08:00,2025-03-19,"
              "2026-03-02T07:00,Phòng Tư pháp,")


async def upload(client, raw: bytes, name: str = "dot1.csv", token: str | None = None):
    token = token or await csrf(client, "/staff/dossiers/upload")
    data = FormData()
    data.add_field("csrf", token)
    data.add_field("stage", "preview")
    data.add_field("file", raw, filename=name, content_type="application/octet-stream")
    return await client.post("/staff/dossiers/upload", data=data)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


async def confirm(client, html: str):
    data = FormData()
    for name in ("csrf", "stage", "filename", "fingerprint", "content"):
        data.add_field(name, hidden(html, name))
    return await client.post("/staff/dossiers/upload", data=data)


async def test_an_upload_shows_every_row_then_imports_all_of_it(console, with_dossiers):
    await logged_in(console, "canbo1")
    response = await upload(console, csv_bytes(NEW_ROW, UPDATE_ROW))
    preview = await response.text()
    assert response.status == 200 and "Xem trước: dot1.csv" in preview and "Chưa ghi gì" in preview
    assert "1 thêm mới, 1 cập nhật" in preview and "Dòng 2" in preview and "Dòng 3" in preview
    assert "Đang xử lý → Đã có kết quả" in preview
    assert with_dossiers.dossiers.count() == 2  # the preview wrote nothing
    done = await (await confirm(console, preview)).text()
    assert "Đã nhập dot1.csv: 1 thêm mới, 1 cập nhật" in done and "Đã xếp 1 tin báo" in done
    assert with_dossiers.dossiers.count() == 3
    assert with_dossiers.dossiers.get(CODE).status.value == "result_ready"
    history = with_dossiers.dossiers.history(CODE)
    assert history[-1].source == "console:canbo1 import:dot1.csv"
    assert {e.action for e in dossier_entries(with_dossiers)} == {"dossier_create", "dossier_update"}


async def test_a_confirm_after_someone_else_changed_the_dossiers_shows_the_preview_again(console, with_dossiers):
    await logged_in(console, "canbo1")
    preview = await (await upload(console, csv_bytes(UPDATE_ROW))).text()
    with_dossiers.dossiers.set_status(CODE, "result_ready", source="cli")
    page = await (await confirm(console, preview)).text()
    assert "đã thay đổi từ lúc xem trước" in page or "Không đổi" in page
    assert "Đã nhập" not in page


@pytest.mark.parametrize("raw, name, expected", [
    (csv_bytes(NEW_ROW, NEW_ROW.replace("received", "lost").replace("0001", "0002")), "a.csv",
     "Dòng 3, cột status (E): trạng thái &#39;lost&#39; không có"),
    (csv_bytes(NEW_ROW.replace("2026-03-06", "06/03/2026")), "a.csv", "Dòng 2, cột due_at (G)"),
    (csv_bytes(NEW_ROW, NEW_ROW), "a.csv", "Dòng 3, cột code (A): mã"),
    (csv_bytes(NEW_ROW + ",thừa"), "a.csv", "Dòng 2: có 11 ô, cần 10 ô"),
    ("code,tên\n1,2\n".encode(), "a.csv", "Dòng 1 (tiêu đề): thiếu cột"),
    (csv_bytes(NEW_ROW).replace("Trần".encode(), "Tr\xe2n".encode("latin-1")), "a.csv", "không phải UTF-8 (lỗi ở dòng 2)"),
    (csv_bytes(NEW_ROW).decode().encode("utf-16"), "a.csv", "UTF-16"),
    (b"", "a.csv", "trống"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "a.xls", "Excel cũ (.xls)"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "bị hỏng"),
    (b"%PDF-1.4", "a.pdf", "không phải CSV hay Excel"),
    (HEADER.encode() + b"\n", "a.csv", "không có dòng hồ sơ nào"),
])
async def test_a_bad_file_names_the_row_and_column_and_writes_nothing(console, with_dossiers, raw, name, expected):
    await logged_in(console, "canbo1")
    response = await upload(console, raw, name)
    page = await response.text()
    assert response.status == 200 and expected in page and "Chưa nhập gì" in page, page[-1500:]
    assert 'name="stage" value="confirm"' not in page
    assert with_dossiers.dossiers.count() == 2 and dossier_entries(with_dossiers) == []


async def test_a_file_over_the_cap_is_refused(console, with_dossiers):
    await logged_in(console, "canbo1")
    page = await (await upload(console, csv_bytes(*[NEW_ROW] * 6000))).text()
    assert "lớn quá" in page and with_dossiers.dossiers.count() == 2
    huge = await upload(console, b"x" * (2 * 1024 * 1024))
    assert huge.status == 413 and "quá lớn" in await huge.text()


async def test_upload_without_a_file_or_with_a_forged_confirm(console, with_dossiers):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/dossiers/upload")
    page = await (await console.post("/staff/dossiers/upload", data={"csrf": token, "stage": "preview"})).text()
    assert "chưa chọn tệp" in page
    response = await console.post("/staff/dossiers/upload", data={"csrf": token, "stage": "confirm",
                                                                  "content": "không phải base64", "filename": "a.csv"})
    assert response.status == 400 and "Yêu cầu không hợp lệ" in await response.text()
    forged = base64.b64encode(csv_bytes(NEW_ROW)).decode()
    page = await (await console.post("/staff/dossiers/upload", data={
        "csrf": token, "stage": "confirm", "content": forged, "filename": "a.csv", "fingerprint": "x"})).text()
    assert "Xem trước" in page and with_dossiers.dossiers.count() == 2  # a wrong fingerprint only previews


# --- Excel ---------------------------------------------------------------------------


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_excel_file_is_read_like_a_csv(console, with_dossiers):
    import datetime as dt

    await logged_in(console, "canbo1")
    raw = xlsx_bytes([HEADER.split(","),
                      ["000.00.12.H12-260301-0001", "1.001193", "Trần Thị Bình", 900000202, "received",
                       dt.datetime(2026, 3, 1, 8, 0), dt.date(2026, 3, 6), None, None, None]])
    preview = await (await upload(console, raw, "dot2.xlsx")).text()
    assert "1 thêm mới" in preview, preview[-2000:]
    assert "Đã nhập dot2.xlsx: 1 thêm mới" in await (await confirm(console, preview)).text()
    added = with_dossiers.dossiers.get("000.00.12.H12-260301-0001")
    assert added.phone == "0900000202"  # Excel had dropped the phone's leading 0
    assert added.due_at == dt.datetime(2026, 3, 6, tzinfo=VN_TZ)


async def test_an_excel_formula_cell_is_refused_with_its_row_and_column(console, with_dossiers):
    await logged_in(console, "canbo1")
    raw = xlsx_bytes([HEADER.split(","),
                      ["000.00.12.H12-260301-0001", "1.001193", "Trần Thị Bình", "0900000202", "=A1",
                       "2026-03-01", "2026-03-06", None, None, None]])
    page = await (await upload(console, raw, "dot3.xlsx")).text()
    assert "Dòng 2, cột status (E): ô có công thức" in page and with_dossiers.dossiers.count() == 2
