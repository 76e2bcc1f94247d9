"""`bot nlu check` and `bot nlu augment`, run in-process through `bot.cli.main`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.settings import Settings

FIXTURES = Path(__file__).parent.parent / "nlu" / "fixtures"


@pytest.fixture
def cli_env(tmp_path) -> Settings:
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path / "var")})


def _data(tmp_path: Path, *names: str) -> Path:
    directory = tmp_path / "nlu"
    directory.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, directory)
    return directory


def test_check_exits_1_on_errors_and_prints_them_in_vietnamese(tmp_path, cli_env, capsys):
    data = _data(tmp_path, "check_bad.yml")
    assert main(["nlu", "check", "--data", str(data)], settings=cli_env) == 1
    out = capsys.readouterr().out
    assert "LỖI (phải sửa): 2" in out and "check_bad.yml:18" in out
    assert "Ý định ask_processing_time chỉ có 4 câu mẫu; cần ít nhất 5 câu." in out
    assert "Kết quả: 2 lỗi," in out
    assert not (tmp_path / "var").exists()  # no database was opened


def test_check_exits_0_with_warnings_only(tmp_path, cli_env, capsys):
    data = _data(tmp_path, "check_clean.yml")
    assert main(["nlu", "check", "--data", str(data)], settings=cli_env) == 0
    out = capsys.readouterr().out
    assert "Kết quả: 0 lỗi, 1 cảnh báo." in out and "Ý định greet chỉ có 6 câu mẫu" in out
    assert main(["nlu", "check", "--data", str(data), "--errors-only"], settings=cli_env) == 0
    assert "CẢNH BÁO (nên xem lại)" not in capsys.readouterr().out


def test_check_without_data_is_a_clear_error(tmp_path, cli_env, capsys):
    assert main(["nlu", "check", "--data", str(tmp_path / "none")], settings=cli_env) == 2
    assert "Không thấy tệp câu mẫu" in capsys.readouterr().err


def test_augment_writes_a_review_file_and_never_into_the_training_data(tmp_path, cli_env, capsys):
    data = _data(tmp_path, "augment.yml")
    before = (data / "augment.yml").read_text(encoding="utf-8")
    out = tmp_path / "review" / "de-xuat.yml"
    assert main(["nlu", "augment", "--data", str(data), "--out", str(out), "--seed", "7"], settings=cli_env) == 0
    assert "câu đề xuất vào" in capsys.readouterr().out
    proposed = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {block["intent"] for block in proposed["nlu"]} == {"ask_fee", "affirm"}
    assert (data / "augment.yml").read_text(encoding="utf-8") == before and sorted(p.name for p in data.iterdir()) == [
        "augment.yml"]
    again = tmp_path / "again.yml"
    main(["nlu", "augment", "--data", str(data), "--out", str(again), "--seed", "7"], settings=cli_env)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")

    assert main(["nlu", "augment", "--data", str(data), "--out", str(data / "x.yml")], settings=cli_env) == 2
    assert "Không ghi đề xuất vào thư mục dữ liệu huấn luyện" in capsys.readouterr().err
    assert main(["nlu", "augment", "--data", str(data), "--intent", "nope", "--out", str(again)],
                settings=cli_env) == 2
    assert "Không có ý định nope" in capsys.readouterr().err


def test_augment_over_the_real_data_leaks_no_held_out_question(tmp_path, cli_env):
    from bot.cli.nlu import HELD_OUT
    from bot.core.text import fold
    from bot.nlu.examples import read_file, read_files

    out = tmp_path / "all.yml"
    assert main(["nlu", "augment", "--out", str(out), "--per-intent", "0"], settings=cli_env) == 0
    proposed, problems = read_file(out)
    assert problems == [] and len(proposed) > 500
    held_out = {fold(e.text) for e in read_files(p for p in HELD_OUT if p.exists())[0]}
    assert not [e.text for e in proposed if e.folded in held_out]
