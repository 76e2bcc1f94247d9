"""Staff commands for dossiers, feedback, reports and the deployment file, run through `bot.cli.main`."""

from __future__ import annotations

import csv

import pytest

from bot.cli import main
from bot.core.clock import to_local
from bot.core.dossiers.validation import CSV_FIELDS
from tests.core.times import vn

CODE = "000.00.12.H12-250312-0042"
LATE = "000.00.12.H12-250301-0007"
NOW = vn(2025, 3, 20, 10, 0)


@pytest.fixture
def clock():
    return lambda: NOW


@pytest.fixture
def env(services):
    """The test's services (fixed clock), handed to every command run."""
    return services


def run(env, argv) -> int:
    return main(argv, services=env)


def write_csv(path, rows, header=CSV_FIELDS):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(code=CODE, **over):
    base = dict(code=code, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
                status="processing", received_at="2025-03-12T08:00", due_at="2025-03-25",
                updated_at="2025-03-12T08:00", unit="Phòng Tư pháp", note="")
    base.update(over)
    return [base[f] for f in CSV_FIELDS]


def test_import_dry_run_then_import_then_reimport(env, tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", [row(), row(LATE, received_at="2025-03-01T08:00", due_at="2025-03-10", phone="0987654321")])
    assert run(env, ["dossiers", "import", str(path), "--dry-run"]) == 0
    assert "Chạy thử" in capsys.readouterr().out and env.dossiers.count() == 0
    assert run(env, ["dossiers", "import", str(path)]) == 0
    assert "2 mới" in capsys.readouterr().out and env.dossiers.count() == 2
    assert run(env, ["dossiers", "import", str(path)]) == 0
    assert "0 mới, 0 cập nhật, 2 không đổi" in capsys.readouterr().out
    assert [h.source for h in env.dossiers.history(CODE)] == ["import:d.csv"]


@pytest.mark.parametrize("rows, expected", [
    ([row(status="finished")], "Dòng 2, cột status"),
    ([row(due_at="2025-03-01")], "Dòng 2, cột due_at"),
    ([row(due_at="25/03/2025")], "Dòng 2, cột due_at"),
    ([row(), row(code="000 00 12 h12 250312 0042")], "Dòng 3, cột code"),
    ([row(), row(note="x" * 2_000)], "Dòng 3, cột note"),
    ([row(code="'; DROP TABLE dossiers; --")], "Dòng 2, cột code"),
    ([row(), ["thiếu ô"]], "Dòng 3: có 1 ô"),
])
def test_bad_rows_are_named_and_nothing_is_written(env, tmp_path, capsys, rows, expected):
    path = write_csv(tmp_path / "bad.csv", rows)
    assert run(env, ["dossiers", "import", str(path)]) == 2
    assert expected in capsys.readouterr().err
    assert env.dossiers.count() == 0


def test_a_two_megabyte_cell_is_refused(env, tmp_path, capsys):
    path = write_csv(tmp_path / "big.csv", [row(note="x" * 2_000_000)])
    assert run(env, ["dossiers", "import", str(path)]) == 2
    assert "Dòng 2" in capsys.readouterr().err and env.dossiers.count() == 0


@pytest.mark.parametrize("content, expected", [
    (b"", "trống"),
    (b"a,b\n1,2\n", "thiếu cột"),
    ("\ufeff".encode() + b"\xff\xfe\x00", "UTF-8"),
])
def test_unusable_files(env, tmp_path, capsys, content, expected):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert run(env, ["dossiers", "import", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_missing_file(env, tmp_path, capsys):
    assert run(env, ["dossiers", "import", str(tmp_path / "none.csv")]) == 2
    assert "Không tìm thấy" in capsys.readouterr().err


def test_excel_bom_is_accepted(env, tmp_path, capsys):
    path = write_csv(tmp_path / "excel.csv", [row()])
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    assert run(env, ["dossiers", "import", str(path)]) == 0


def test_set_status_with_note_and_due(env, tmp_path, capsys):
    run(env, ["dossiers", "import", str(write_csv(tmp_path / "d.csv", [row()]))])
    capsys.readouterr()
    assert run(env, ["dossiers", "set-status", CODE.lower(), "need_supplement", "--note", "bản sao CCCD",
                 "--due", "2025-04-01"]) == 0
    assert "Đang xử lý → Cần bổ sung" in capsys.readouterr().out
    dossier = env.dossiers.get(CODE)
    assert dossier.note == "bản sao CCCD" and to_local(dossier.due_at).date().isoformat() == "2025-04-01"
    assert env.dossiers.history(CODE)[-1].source == "cli"


@pytest.mark.parametrize("args, expected", [
    (["000.00.12.H12-250312-9999", "processing"], "Không có hồ sơ"),
    ([CODE, "finished"], "không có"),
    (["abc", "processing"], "không đúng dạng"),
    ([CODE, "processing", "--due", "mai"], "due_at"),
])
def test_set_status_errors(env, tmp_path, capsys, args, expected):
    run(env, ["dossiers", "import", str(write_csv(tmp_path / "d.csv", [row()]))])
    assert run(env, ["dossiers", "set-status", *args]) == 2
    assert expected in capsys.readouterr().err


def test_show_masks_the_phone(env, tmp_path, capsys):
    run(env, ["dossiers", "import", str(write_csv(tmp_path / "d.csv", [row()]))])
    capsys.readouterr()
    assert run(env, ["dossiers", "show", CODE]) == 0
    out = capsys.readouterr().out
    assert "*******678" in out and "0912345678" not in out and "import:d.csv" in out
    assert "Tiếp nhận:     12/03/2025 08:00" in out and "Hẹn trả:       25/03/2025" in out, "Vietnam time"
    assert "20/03/2025 10:00  - → processing" in out


def test_seed_demo_only_when_empty_and_prints_two_codes(env, capsys):
    assert run(env, ["dossiers", "seed-demo"]) == 0
    out = capsys.readouterr().out
    assert "Đã thêm 10 hồ sơ mẫu" in out and "đúng hạn" in out and "trễ hạn" in out
    count = env.dossiers.count()
    assert run(env, ["dossiers", "seed-demo"]) == 0
    assert "không thêm" in capsys.readouterr().out and env.dossiers.count() == count


def test_feedback_commands(env, tmp_path, capsys):
    ticket = env.feedback.create(sender_id="telegram:5", channel="telegram", content="Cán bộ hẹn trả chậm",
                                 contact="0912345678")
    assert run(env, ["feedback", "list"]) == 0
    assert ticket.ticket in capsys.readouterr().out
    assert run(env, ["feedback", "show", ticket.ticket.lower()]) == 0
    out = capsys.readouterr().out
    assert "Cán bộ hẹn trả chậm" in out and "0912345678" not in out
    assert run(env, ["feedback", "answer", ticket.ticket, "Chúng tôi đã nhắc nhở cán bộ."]) == 0
    assert "telegram" in capsys.readouterr().out
    assert [m.recipient_id for m in env.outbox.due("telegram")] == ["5"]
    target = tmp_path / "pakn.csv"
    assert run(env, ["feedback", "export", str(target)]) == 0
    exported = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert exported[0]["ticket"] == ticket.ticket and exported[0]["status"] == "answered"
    assert "0912345678" not in target.read_text(encoding="utf-8-sig")
    assert exported[0]["created_at"] == exported[0]["answered_at"] == "2025-03-20T10:00:00+07:00"
    assert run(env, ["feedback", "show", "PAKN-20990101-0001"]) == 2
    assert run(env, ["feedback", "answer", "xyz", "a"]) == 2


def test_report_satisfaction(env, capsys):
    assert run(env, ["report", "satisfaction"]) == 0
    assert "Chưa có đánh giá" in capsys.readouterr().out
    env.ratings.record(sender_id="a", channel="telegram", topic="1.001193", context="procedure_answer", level=5)
    env.ratings.record(sender_id="b", channel="rest", topic="1.001193", context="dossier_lookup", level=2)
    assert run(env, ["report", "satisfaction"]) == 0
    out = capsys.readouterr().out
    assert "Theo kênh" in out and "telegram" in out and "Đăng ký khai sinh" in out and "50.0%" in out


def test_office_check(env, tmp_path, capsys):
    assert run(env, ["office", "check"]) == 0
    assert "VÍ DỤ" in capsys.readouterr().out
    broken = tmp_path / "d.yml"
    broken.write_text("office: {name: A}\n", encoding="utf-8")
    assert run(env, ["office", "check", "--file", str(broken)]) == 2
    assert "office.hotline" in capsys.readouterr().err
