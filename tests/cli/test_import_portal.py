"""`bot procedures import-portal` and `bot procedures stale`, run in-process through `bot.cli.main`.

The fixtures are small records of our own (tests/core/portal_records.py); the
test over the whole reference export skips when ../shared/reference is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli import procedures as procedures_cli
from tests.conftest import REFERENCE_DIR
from tests.core.portal_records import portal_record, write_export

DVCQG = REFERENCE_DIR / "dvcqg"


@pytest.fixture
def export(tmp_path) -> Path:
    return write_export(tmp_path / "export", [portal_record(code=f"9.00000{i}", name=f"Thủ tục thử số {i}")
                                              for i in range(1, 4)])


def _run(services, *args) -> int:
    return main(["procedures", "import-portal", *map(str, args)], services=services)


def _state(services):
    return [p.to_dict() for p in services.published.all()], services.published.imports()


def test_dry_run_shows_what_would_be_added_and_stores_nothing(services, export, capsys):
    assert _run(services, export, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Thêm (3):" in out and "+ 9.000001 Thủ tục thử số 1" in out
    assert "Chạy thử, chưa ghi gì. Nếu nhập thật: 3 thêm, 0 thay đổi, 0 xóa, 0 không đổi" in out
    assert services.published.all() == [] and services.published.imports() == []


def test_a_real_run_stores_audits_and_a_second_run_changes_nothing(services, export, capsys):
    assert _run(services, export, "--by", "cán bộ B", "--collected-on", "2026-03-02") == 0
    out = capsys.readouterr().out
    assert "Đã nhập 3 thủ tục từ 3 tệp: 3 thêm, 0 thay đổi, 0 xóa, 0 không đổi" in out
    assert "người nhập: cán bộ B" in out
    stored = services.published.all()
    assert [p.code for p in stored] == ["9.000001", "9.000002", "9.000003"]
    assert {p.collected_on.isoformat() for p in stored} == {"2026-03-02"}
    (entry,) = services.published.imports()
    assert (entry.run_by, entry.files, entry.added, entry.source) == ("cán bộ B", 3, 3, str(export.resolve()))
    assert services.guide().get("9.000002").tier == "published"

    assert _run(services, export, "--collected-on", "2026-03-02") == 0
    assert "0 thêm, 0 thay đổi, 0 xóa, 3 không đổi" in capsys.readouterr().out
    assert services.published.all() == stored and len(services.published.imports()) == 2


def test_changes_are_listed_field_by_field(services, export, capsys):
    _run(services, export, "--collected-on", "2026-03-02")
    path = export / "test" / "9.000002.json"
    path.write_text(json.dumps(portal_record(code="9.000002", name="Thủ tục thử số 2",
                                             co_quan_thuc_hien="Sở Thử nghiệm"), ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert _run(services, export, "--collected-on", "2026-03-02", "--dry-run") == 0
    assert "~ 9.000002 Thủ tục thử số 2: cơ quan thực hiện" in capsys.readouterr().out


def test_a_record_missing_from_the_export_is_removed_and_many_need_a_flag(services, export, tmp_path, capsys):
    _run(services, export, "--collected-on", "2026-03-02")
    (export / "test" / "9.000003.json").unlink()
    assert _run(services, export, "--collected-on", "2026-03-02") == 0
    assert "- 9.000003 Thủ tục thử số 3" in capsys.readouterr().out
    assert [p.code for p in services.published.all()] == ["9.000001", "9.000002"]
    big = write_export(tmp_path / "big", [portal_record(code=f"9.1000{i:02d}") for i in range(20)])
    _run(services, big, "--collected-on", "2026-03-02")
    capsys.readouterr()
    before = _state(services)
    assert _run(services, export, "--collected-on", "2026-03-02") == 2
    assert "--allow-removal" in capsys.readouterr().err and _state(services) == before
    assert _run(services, export, "--collected-on", "2026-03-02", "--keep-others") == 0
    assert len(services.published.all()) == 22


def _bad(tmp_path, name: str, content: bytes) -> Path:
    folder = write_export(tmp_path / "bad", [portal_record()])
    (folder / "test" / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("name, content, expected", [
    ("broken.json", b"{ not json", "broken.json: không phải JSON hợp lệ"),
    ("noname.json", json.dumps(portal_record(code="9.000002", ten_thu_tuc="")).encode(),
     "noname.json, bản ghi #1 (9.000002): thiếu tên thủ tục"),
    ("nocode.json", json.dumps(portal_record(ma_thu_tuc=None)).encode(), "nocode.json, bản ghi #1: thiếu mã thủ tục"),
    ("copy.json", json.dumps(portal_record()).encode(), "mã 9.000001 bị trùng"),
    ("latin.json", json.dumps(portal_record(code="9.000002"), ensure_ascii=False).encode("cp1258", "replace"),
     "latin.json: không phải văn bản UTF-8"),
])
def test_bad_input_is_named_and_nothing_changes(services, export, tmp_path, capsys, name, content, expected):
    _run(services, export, "--collected-on", "2026-03-02")
    before = _state(services)
    capsys.readouterr()
    assert _run(services, _bad(tmp_path, name, content)) == 2
    err = capsys.readouterr().err
    assert expected in err and "Chưa nhập gì" in err
    assert _state(services) == before


def test_a_50_mb_file_is_refused_without_reading_it(services, tmp_path, capsys):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(50_000_000)  # sparse: no disk used
    assert _run(services, path) == 2
    assert "huge.json: tệp quá lớn (48 MB, tối đa 40 MB)" in capsys.readouterr().err
    assert services.published.all() == []


def test_missing_path_and_empty_folder(services, tmp_path, capsys):
    assert _run(services, tmp_path / "nowhere") == 2
    assert "Không tìm thấy" in capsys.readouterr().err
    assert _run(services, tmp_path) == 2
    assert "không có tệp .json nào" in capsys.readouterr().err
    assert _run(services, tmp_path, "--collected-on", "2999-01-01") == 2


def test_progress_is_shown_for_long_imports(services, export, capsys, monkeypatch):
    monkeypatch.setattr(procedures_cli, "PROGRESS_EVERY", 2)
    assert _run(services, export, "--dry-run") == 0
    err = capsys.readouterr().err
    assert "Đã đọc 2/3 tệp..." in err and "Đã đọc 3/3 tệp..." in err


def test_stale_lists_old_records_of_both_tiers(services, export, capsys):
    _run(services, export, "--collected-on", "2020-01-01")
    capsys.readouterr()
    assert main(["procedures", "stale", "--days", "365"], services=services) == 0
    out = capsys.readouterr().out
    assert "9.000001  [từ Cổng]  Thủ tục thử số 1: lấy từ Cổng ngày 01/01/2020" in out
    assert "1.001193" not in out  # curated and recently checked
    assert main(["procedures", "stale", "--days", "0"], services=services) == 2


@pytest.mark.reference
@pytest.mark.skipif(not DVCQG.is_dir(), reason="../shared/reference/dvcqg is absent")
def test_the_whole_reference_export_imports_and_a_second_run_changes_nothing(services, capsys):
    assert _run(services, DVCQG, "--collected-on", "2026-11-20") == 0
    out = capsys.readouterr().out
    count = len(list(DVCQG.rglob("*.json")))
    assert f"Đã nhập {count} thủ tục từ {count} tệp: {count} thêm" in out
    guide = services.guide()
    adoption = guide.get("2.001263")
    assert adoption.tier == "published" and adoption.name == "Đăng ký việc nuôi con nuôi trong nước"
    assert guide.get("1.001193").tier == "curated"  # the curated record overrides the portal's
    assert _run(services, DVCQG, "--collected-on", "2026-11-20") == 0
    assert f"0 thêm, 0 thay đổi, 0 xóa, {count} không đổi" in capsys.readouterr().out
