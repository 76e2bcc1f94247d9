"""`bot report` (= `bot report usage`): text, CSV safe for spreadsheets, a self-contained HTML file, words for
bad dates and for charts with nothing to draw."""

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
    assert html.count('src="data:image/png;base64,') == 2 and "<style>" in html and "@media print" in html
    assert "Chưa có đánh giá trong khoảng này." in html  # no rating: words, not empty axes
    assert "0912345678" not in html and "=HYPERLINK(&#34;http://x&#34;) gọi *******678</td>" in html, "masked, escaped"


async def test_report_without_an_action_is_the_usage_report(services, tmp_path, capsys):
    await _store(services, "thủ tục nuôi khủng long")
    period = ["--from", "2026-03-01", "--to", "2026-03-31"]
    assert main(["report", *period], services=services) == 0
    assert capsys.readouterr().out.startswith("BÁO CÁO HOẠT ĐỘNG CỦA TRỢ LÝ")
    for fmt in ("csv", "html"):
        short, long = tmp_path / f"ngan.{fmt}", tmp_path / f"dai.{fmt}"
        assert main(["report", *period, "--format", fmt, "--out", str(short)], services=services) == 0
        assert main(["report", "usage", *period, "--format", fmt, "--out", str(long)], services=services) == 0
        assert short.read_bytes() == long.read_bytes() and "khủng long" in short.read_text(encoding="utf-8-sig")
    assert main(["report", "--from", "2026-03-01", "usage", "--to", "2026-03-02"], services=services) == 0
    assert "Tin nhắn của người dân: 0" in capsys.readouterr().out  # --from before the action counts too


def test_a_period_with_no_data_says_so_instead_of_empty_charts(services, tmp_path):
    page = tmp_path / "trong.html"
    assert main(["report", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "html", "--out", str(page)],
                services=services) == 0
    html = page.read_text(encoding="utf-8")
    assert 'src="data:image/png' not in html
    for words in ("Chưa có tin nhắn trong khoảng này.", "Chưa có lượt hỏi trong khoảng này.",
                  "Chưa có đánh giá trong khoảng này."):
        assert words in html


def test_bad_dates_are_refused_in_words(services, capsys):
    assert main(["report", "usage", "--from", "2026-03-10", "--to", "2026-03-01"], services=services) == 2
    assert "Ngày bắt đầu phải trước" in capsys.readouterr().err
    assert main(["report", "--from", "hôm qua"], services=services) == 2
    assert "Ngày bắt đầu \"hôm qua\" không đúng" in capsys.readouterr().err


def test_satisfaction_still_works(services, capsys):
    services.ratings.record(sender_id="zalo:1", channel="zalo", topic="khac", context="procedure_answer", level=5)
    assert main(["report", "satisfaction"], services=services) == 0
    assert "Theo kênh" in capsys.readouterr().out
