"""`bot nlu inbox --export` → a trainer fills the intent column → `bot nlu add`: the round trip, and refusals."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.db.engine import make_engine
from bot.settings import PROJECT_ROOT, Settings
from tests.fakes import conversations

NLU = PROJECT_ROOT / "data" / "nlu"


@pytest.fixture
def env(tmp_path) -> Settings:
    settings = Settings.from_env({"TTHC_VAR_DIR": str(tmp_path / "var")})
    (tmp_path / "var").mkdir()
    from bot.db.engine import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    conversations.store(engine)
    engine.dispose()
    return settings


@pytest.fixture
def data(tmp_path) -> Path:
    directory = tmp_path / "nlu"
    shutil.copytree(NLU, directory)
    return directory


def _export(tmp_path, env, data) -> list[dict]:
    out = tmp_path / "inbox.csv"
    assert main(["nlu", "inbox", "--data", str(data), "--export", str(out)], settings=env) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _snapshot(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data.glob("*.yml"))}


def test_the_export_lists_the_groups_masked_with_empty_label_columns(tmp_path, env, data):
    rows = _export(tmp_path, env, data)
    assert [(r["text"], int(r["count"])) for r in rows] == [(t, n) for t, n, _ in conversations.EXPECTED]
    assert all(r["intent"] == "" and r["procedure"] == "" for r in rows)
    assert rows[1]["reasons"] == "Người dân nói “không phải”; Hiểu nhưng không chắc"
    assert rows[0]["last_seen"] == "2026-03-02 13:01"  # Vietnam time
    text = (tmp_path / "inbox.csv").read_text(encoding="utf-8-sig")
    for secret in (conversations.PHONE, conversations.CODE, conversations.NAME):
        assert secret not in text


def test_export_label_add_appends_to_the_intents_block_and_nothing_else(tmp_path, env, data, capsys):
    rows = _export(tmp_path, env, data)
    rows[1]["intent"] = "ask_processing_time"
    rows[1]["procedure"] = "đổi bằng lái xe máy"
    rows[3]["intent"] = "ask_procedure"
    before = _snapshot(data)
    assert main(["nlu", "add", str(_write(tmp_path / "labelled.csv", rows)), "--data", str(data)], settings=env) == 0
    out = capsys.readouterr().out
    assert "Đã thêm 2 câu mẫu" in out
    after = _snapshot(data)
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["procedures.yml"]
    diff = subprocess.run(["git", "diff", "--no-index", "--unified=0", "--no-color", str(NLU / "procedures.yml"),
                           str(data / "procedures.yml")], capture_output=True, text=True).stdout
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert sorted(added) == sorted(["+      - [đổi bằng lái xe máy](procedure) mất bao lâu",
                                    "+      - thu tuc nhan con nuoi nguoi nuoc ngoai?"])
    from bot.nlu.examples import read_dir

    examples, problems = read_dir(data)
    assert problems == []
    found = {(e.intent, e.raw) for e in examples}
    assert ("ask_processing_time", "[đổi bằng lái xe máy](procedure) mất bao lâu") in found
    assert ("ask_procedure", "thu tuc nhan con nuoi nguoi nuoc ngoai?") in found
    # Added messages leave the inbox.
    assert [r["text"] for r in _export(tmp_path, env, data)] == [conversations.EXPECTED[0][0],
                                                                  conversations.EXPECTED[2][0]]


@pytest.mark.parametrize("label, message", [
    ({"intent": "ask_everything"}, "không có ý định \"ask_everything\""),
    ({"intent": "ask_fee", "procedure": "hộ chiếu"}, "không thấy tên thủ tục \"hộ chiếu\""),
    ({"intent": "ask_documents", "text": "sđt *******678 làm gì"}, "còn phần bị che"),
    ({"intent": "greet", "text": "làm cccd cần những gì"}, "không qua được `bot nlu check`"),
])
def test_a_refused_file_writes_nothing(tmp_path, env, data, capsys, label, message):
    rows = _export(tmp_path, env, data)
    rows[1].update(label)
    before = _snapshot(data)
    assert main(["nlu", "add", str(_write(tmp_path / "labelled.csv", rows)), "--data", str(data)], settings=env) == 2
    assert message in capsys.readouterr().err
    assert _snapshot(data) == before
    assert not list(data.glob(".*"))


def test_a_file_without_labels_or_columns_is_a_clear_error(tmp_path, env, data, capsys):
    rows = _export(tmp_path, env, data)
    before = _snapshot(data)
    assert main(["nlu", "add", str(_write(tmp_path / "empty.csv", rows)), "--data", str(data)], settings=env) == 2
    assert "Chưa có câu nào được gán ý định" in capsys.readouterr().err
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["nlu", "add", str(tmp_path / "bad.csv"), "--data", str(data)], settings=env) == 2
    assert "thiếu cột text, intent" in capsys.readouterr().err
    assert main(["nlu", "inbox", "--since", "hôm qua"], settings=env) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert _snapshot(data) == before
