"""`bot report usage`: text, CSV safe for spreadsheets, a self-contained HTML file, words for bad dates."""

from __future__ import annotations

import csv

from rasa.shared.core.trackers import DialogueStateTracker

from bot.cli import main
from bot.tracker_store import TrackerStore
from tests.core.times import vn
from tests.db.test_conversations import domain
from tests.db.test_usage_report import minutes, start, turn


async def _store(services, text: str) -> None:
    store = TrackerStore(domain(), settings=services.settings)
    at = vn(2026, 3, 3, 9)
    events = start(at) + turn(minutes(at, 1), text, "action_answer_procedure", ["utter_no_match"])
    await store.save(DialogueStateTracker.from_events("telegram:7", events, store.domain.slots))
    store.engine.dispose()


async def test_text_csv_and_html(services, tmp_path, capsys):
    await _store(services, "=HYPERLINK(\"http://x\") gọi 0912345678")
    period = ["--from", "2026-03-01", "--to", "31/03/2026"]

    assert main(["report", "usage", *period], services=services) == 0
    out = capsys.readouterr().out
    assert "Tin nhắn của người dân: 1" in out and "Không tìm thấy thủ tục                         1 (100.0%)" in out

    target = tmp_path / "bao-cao.csv"
    assert main(["report", "usage", *period, "--format", "csv", "--out", str(target)], services=services) == 0
    rows = list(csv.reader(target.open(encoding="utf-8-sig", newline="")))
    unanswered = [r for r in rows if r[0] == "chua_tra_loi"]
    assert unanswered == [["chua_tra_loi", "'=HYPERLINK(\"http://x\") gọi *******678", "2026-03-03", "1"]]
    assert ["tin_nhan_theo_ngay", "2026-03-03", "telegram", "1"] in rows

    page = tmp_path / "bao-cao.html"
    assert main(["report", "usage", *period, "--format", "html", "--out", str(page)], services=services) == 0
    html = page.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3 and "<style>" in html and "@media print" in html
    assert "0912345678" not in html and "=HYPERLINK(&#34;http://x&#34;) gọi *******678</td>" in html, "masked, escaped"


def test_bad_dates_are_refused_in_words(services, capsys):
    assert main(["report", "usage", "--from", "2026-03-10", "--to", "2026-03-01"], services=services) == 2
    assert "Ngày bắt đầu phải trước" in capsys.readouterr().err


def test_satisfaction_still_works(services, capsys):
    services.ratings.record(sender_id="zalo:1", channel="zalo", topic="khac", context="procedure_answer", level=5)
    assert main(["report", "satisfaction"], services=services) == 0
    assert "Theo kênh" in capsys.readouterr().out
