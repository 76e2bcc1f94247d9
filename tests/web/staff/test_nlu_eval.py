"""The model's page in the console: the latest eval report with its picture, and retraining with one button.

Trainers and admins only; the press needs the CSRF token; a second press while the
job runs is refused in words; the page shows the job running, then its figures and
whether the model was switched in, or a failure politely. The job is
tests/fakes/retrain.py (NLU_RETRAIN_COMMAND): nothing here trains.
"""

from __future__ import annotations

import shlex
import sys

import pytest

from bot.settings import PROJECT_ROOT, Settings
from bot.web.staff.nlu_eval import RETRAIN_JOB
from tests.fakes.retrain import DECISIONS, write_report
from tests.web.staff.conftest import csrf, logged_in

PAGE = "/staff/nlu/eval"
FAKE = PROJECT_ROOT / "tests" / "fakes" / "retrain.py"


@pytest.fixture
def report_dir(tmp_path):
    return tmp_path / "reports"


@pytest.fixture
def settings(tmp_path, report_dir) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path), "DOSSIER_API_TOKEN": "test-token",
                              "NLU_REPORT_DIR": str(report_dir),
                              "NLU_RETRAIN_COMMAND": shlex.join([sys.executable, str(FAKE), "wait"])})


@pytest.fixture
async def job(console, report_dir):
    job = console.server.app[RETRAIN_JOB]
    yield job
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "release").touch()  # a waiting fake never outlives its test
    if job.watcher:
        job.watcher.join(timeout=60)


def _finish(job, report_dir) -> None:
    (report_dir / "release").touch()
    job.watcher.join(timeout=60)
    assert not job.watcher.is_alive()


async def _press(client, page: str = PAGE, back: str = "eval"):
    token = await csrf(client, page)
    return await client.post("/staff/nlu/retrain", data={"csrf": token, "back": back}, allow_redirects=False)


async def test_a_staff_member_may_neither_see_nor_retrain(console, job, report_dir):
    await logged_in(console, "canbo1")
    home = await (await console.get("/staff/")).text()
    assert 'href="/staff/nlu/eval"' not in home
    assert (await console.get(PAGE)).status == 403
    response = await _press(console, "/staff/")
    assert response.status == 403 and "không có quyền" in await response.text()
    assert job.watcher is None and not report_dir.exists()


async def test_a_press_without_the_csrf_token_starts_nothing(console, job, report_dir):
    await logged_in(console, "hl1")
    response = await console.post("/staff/nlu/retrain", data={"back": "eval"})
    assert response.status == 403 and job.watcher is None and not report_dir.exists()


async def test_a_trainer_retrains_sees_it_running_is_refused_a_second_press_and_sees_the_result(
        console, job, report_dir, staff_services):
    await logged_in(console, "hl1")
    page = await (await console.get(PAGE)).text()
    assert "Chưa có báo cáo đánh giá nào" in page and "Chưa huấn luyện lại lần nào" in page
    assert 'http-equiv="refresh"' not in page

    response = await _press(console)
    assert response.status == 303 and response.headers["Location"] == PAGE + "?retrain=started"
    page = await (await console.get(PAGE + "?retrain=started")).text()
    assert "Đã bắt đầu huấn luyện lại" in page and 'id="retrain-running"' in page
    assert "Đang huấn luyện lại từ 02/03/2026 08:00" in page
    assert '<meta http-equiv="refresh" content="15; url=/staff/nlu/eval">' in page  # the notice is not kept

    response = await _press(console)
    assert response.headers["Location"] == PAGE + "?retrain=busy"
    page = await (await console.get(PAGE + "?retrain=busy")).text()
    assert "Đang có một lần huấn luyện lại chưa xong" in page

    _finish(job, report_dir)
    page = await (await console.get(PAGE)).text()
    assert 'id="retrain-done"' in page and 'http-equiv="refresh"' not in page
    assert "<td>100.0%</td><td>50.0%</td>" in page  # with / without diacritics
    assert DECISIONS["switch"].reason in page and "Trợ lý tự dùng mô hình mới sau khoảng một đến hai phút" in page
    (report,) = job.report_dir.glob("nlu-eval-*.html")
    assert f'href="/staff/nlu/eval/{report.stem}"' in page
    assert 'id="report"' in page and "Ma trận nhầm lẫn" in page and "le phi lam can cuoc" in page
    (entry,) = [e for e in staff_services.audit.entries() if e.action == "nlu_retrain"]
    assert entry.actor == "hl1"


async def test_a_failed_retraining_is_shown_politely(console, job, report_dir):
    job.command = [sys.executable, str(FAKE), "fail"]
    await logged_in(console, "admin1")
    await _press(console)
    job.watcher.join(timeout=60)
    response = await console.get(PAGE)
    page = await response.text()
    assert response.status == 200 and 'id="retrain-failed"' in page
    assert "chưa thành công" in page and "Lý do: Huấn luyện không thành công (mã 1)." in page
    assert "Mô hình đang chạy vẫn được giữ" in page
    assert "Traceback" not in page and "MemoryError" not in page


async def test_a_report_dir_that_cannot_be_written_is_said_politely(console, job, report_dir):
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    report_dir.write_text("a file where the directory should be")
    await logged_in(console, "hl1")
    response = await _press(console)
    assert response.headers["Location"] == PAGE + "?retrain=error"
    response = await console.get(PAGE + "?retrain=error")
    assert response.status == 200 and "không ghi được vào thư mục báo cáo" in await response.text()
    report_dir.unlink()


async def test_the_inbox_has_the_button_and_a_press_there_comes_back_to_it(console, job, report_dir):
    await logged_in(console, "hl1")
    page = await (await console.get("/staff/nlu/inbox")).text()
    assert 'action="/staff/nlu/retrain"' in page and 'name="back" value="inbox"' in page
    response = await _press(console, "/staff/nlu/inbox", back="inbox")
    assert response.headers["Location"] == "/staff/nlu/inbox?retrain=started"
    page = await (await console.get("/staff/nlu/inbox?retrain=started")).text()
    assert 'id="retrain-running"' in page and 'http-equiv="refresh"' not in page  # never reloads a form being filled
    _finish(job, report_dir)


async def test_reports_latest_earlier_as_a_file_and_unknown_ones(console, job, report_dir):
    report_dir.mkdir()
    older = write_report(report_dir, DECISIONS["kept"], picture=False)
    newer = write_report(report_dir, DECISIONS["switch"], picture=True)
    await logged_in(console, "hl1")
    page = await (await console.get(PAGE)).text()
    assert DECISIONS["switch"].reason in page and DECISIONS["kept"].reason not in page
    assert 'src="data:image/png;base64,' in page  # the confusion matrix
    assert f'href="/staff/nlu/eval/{older.stem}"' in page  # in the recent reports
    page = await (await console.get(f"{PAGE}/{older.stem}")).text()
    assert DECISIONS["kept"].reason in page
    response = await console.get(f"{PAGE}/{newer.stem}/tep")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    assert (await response.text()) == newer.read_text(encoding="utf-8")
    css = await console.get(PAGE + ".css")
    assert css.status == 200 and ".nlu-eval" in await css.text()
    for path in ("nlu-eval-20000101-000000", "nlu-eval-20000101-000000/tep", "..%2Fretrain.json", "retrain.log"):
        response = await console.get(f"{PAGE}/{path}")
        assert response.status == 404 and "Không tìm thấy" in await response.text(), path


async def test_an_unreadable_report_is_said_not_a_500(console, job, report_dir):
    report_dir.mkdir()
    (report_dir / "nlu-eval-20260301-090000.html").write_bytes(b"\xff\xfe broken")
    await logged_in(console, "hl1")
    response = await console.get(PAGE)
    assert response.status == 200 and "Không đọc được báo cáo này" in await response.text()
