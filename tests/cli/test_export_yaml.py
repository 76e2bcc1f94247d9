"""`bot procedures export-yaml DIR` and `load` with console edits: export → load gives the same records; a load
keeps console edits (and says so) until the files say the same, or `--prefer-files`."""

from __future__ import annotations

import datetime as dt
import json

from bot.cli import main
from bot.core.catalog import load_catalog
from bot.core.record_fields import version
from bot.core.record_reading import from_texts
from bot.db.catalog_store import Edit

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
CODE = "1.001193"


def _edit(services, **texts):
    current = services.catalog.get(CODE)
    services.catalog.apply_edits([Edit(version(current), from_texts(current, texts))], actor="canbo1",
                                 reason="r", at=AT)


def _plain(records):
    return [json.loads(p.json()) for p in sorted(records, key=lambda p: p.code)]


def test_export_then_load_gives_the_same_records(services, settings, tmp_path, capsys):
    _edit(services, le_phi="Lệ phí 7.000 đồng.", so_tien="7000")
    out = tmp_path / "export"
    assert main(["procedures", "export-yaml", str(out)], settings=settings, services=services) == 0
    assert "Đã ghi 73 thủ tục" in capsys.readouterr().out
    assert _plain(load_catalog(out)) == _plain(services.catalog.all_procedures())
    assert main(["procedures", "load", "--dir", str(out)], settings=settings, services=services) == 0
    assert services.catalog.console_edits() == []  # the files caught up: the edit is settled
    assert services.catalog.get(CODE).fees.amount_vnd == 7000


def test_load_keeps_console_edits_and_says_so_unless_files_are_preferred(services, settings, capsys):
    _edit(services, le_phi="Lệ phí 7.000 đồng.")
    assert main(["procedures", "load"], settings=settings, services=services) == 0
    said = capsys.readouterr().out
    assert f"Giữ 1 thủ tục đã sửa trên trang quản lý mà tệp YAML chưa có: {CODE} (canbo1)" in said
    assert services.catalog.get(CODE).fees.text == "Lệ phí 7.000 đồng."
    assert main(["procedures", "load", "--prefer-files"], settings=settings, services=services) == 0
    assert services.catalog.get(CODE).fees.text != "Lệ phí 7.000 đồng." and services.catalog.console_edits() == []


def test_export_into_a_file_path_is_refused(services, settings, tmp_path, capsys):
    target = tmp_path / "a.yml"
    target.write_text("x", encoding="utf-8")
    assert main(["procedures", "export-yaml", str(target)], settings=settings, services=services) == 2
    assert "không phải thư mục" in capsys.readouterr().err
