"""`bot search` and `bot procedures load`, run in-process through `bot.cli.main`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from tests.core.records import dump_field_file, mini_records, raw_record


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    directory = tmp_path / "procedures"
    directory.mkdir()
    dump_field_file(directory / "mini.yml", mini_records(), field="Thử nghiệm")
    return directory


@pytest.fixture
def cli_env(tmp_path, catalog_dir) -> Settings:
    """Settings for a fresh database and the miniature catalog; each command builds its own services from them."""
    return Settings.from_env({"TTHC_VAR_DIR": str(tmp_path / "var"), "CATALOG_DIR": str(catalog_dir)})


def _stored_codes(settings: Settings) -> list[str]:
    from bot.app import Services

    svc = Services.from_settings(settings)
    try:
        return sorted(p.code for p in svc.catalog.all_procedures())
    finally:
        svc.engine.dispose()


def test_search_json_prints_one_line_per_query(cli_env, capsys):
    code = main(["search", "lam giay khai sinh", "xyz", "--json", "--limit", "2"], settings=cli_env)
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"query", "decision", "results"}
    assert first["query"] == "lam giay khai sinh"
    assert 1 <= len(first["results"]) <= 2
    top = first["results"][0]
    assert set(top) == {"code", "name", "score", "tier"} and top["tier"] == "curated"
    assert first["decision"] == "answer"
    assert top["code"] == "1.001193" and top["name"] == "Đăng ký khai sinh"
    assert isinstance(top["score"], (int, float)) and 0 < top["score"] <= 100
    scores = [r["score"] for r in first["results"]]
    assert scores == sorted(scores, reverse=True)
    assert second == {"query": "xyz", "decision": "none", "results": []}


def test_search_json_keeps_vietnamese_readable(cli_env, capsys):
    assert main(["search", "đăng ký kết hôn", "--json"], settings=cli_env) == 0
    out = capsys.readouterr().out
    assert "Đăng ký kết hôn" in out  # not \\u escapes
    assert json.loads(out)["results"][0]["code"] == "1.000894"


def test_search_default_limit_and_text_output(cli_env, capsys):
    assert main(["search", "đăng ký", "--json"], settings=cli_env) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) <= 3
    assert main(["search", "đăng ký khai sinh", "thời tiết hôm nay"], settings=cli_env) == 0
    out = capsys.readouterr().out
    assert "1.001193" in out
    assert "không tìm thấy" in out


def test_search_loads_the_catalog_into_an_empty_database(cli_env, capsys):
    assert main(["search", "khai sinh", "--json"], settings=cli_env) == 0
    capsys.readouterr()
    assert "1.001193" in _stored_codes(cli_env)


@pytest.mark.parametrize("limit", ["0", "-1", "51"])
def test_search_bad_limit_is_a_polite_error(cli_env, capsys, limit):
    code = main(["search", "khai sinh", "--json", "--limit", limit], settings=cli_env)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi:") and "--limit" in err
    assert "Traceback" not in err


def test_search_non_numeric_limit_is_a_usage_error(cli_env, capsys):
    with pytest.raises(SystemExit) as info:
        main(["search", "khai sinh", "--limit", "hai"], settings=cli_env)
    assert info.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_search_strange_input_does_not_crash(cli_env, capsys):
    queries = ["", "😀", "'; DROP TABLE procedures; --", "<script>x</script>", "a" * 10_000]
    assert main(["search", *queries, "--json"], settings=cli_env) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["results"] for line in lines] == [[]] * len(queries)
    assert len(_stored_codes(cli_env)) == len(mini_records())  # the SQL-looking query did nothing


def test_procedures_load_reports_the_count(cli_env, catalog_dir, capsys):
    assert main(["procedures", "load"], settings=cli_env) == 0
    assert str(len(mini_records())) in capsys.readouterr().out
    assert _stored_codes(cli_env) == sorted(r["code"] for r in mini_records())


def test_procedures_load_bad_dir_exits_2_names_file_and_field_and_keeps_catalog(cli_env, tmp_path, capsys):
    assert main(["procedures", "load"], settings=cli_env) == 0
    capsys.readouterr()
    before = _stored_codes(cli_env)

    bad = tmp_path / "bad"
    bad.mkdir()
    dump_field_file(bad / "a-good.yml", [raw_record("1.000656", "Đăng ký khai tử")])
    records = [raw_record("1.000894", "Đăng ký kết hôn"), raw_record("1.000895", "Thủ tục lỗi", level="huyen")]
    dump_field_file(bad / "b-ho-tich.yml", records)

    code = main(["procedures", "load", "--dir", str(bad)], settings=cli_env)
    out, err = capsys.readouterr()
    assert code == 2
    assert "Đã nạp" not in out
    assert err.startswith("Lỗi:")
    assert "b-ho-tich.yml" in err
    assert "#2 (1.000895)" in err
    assert "'level'" in err
    assert "Traceback" not in err
    assert _stored_codes(cli_env) == before


def test_procedures_load_missing_dir_exits_2(cli_env, tmp_path, capsys):
    assert main(["procedures", "load"], settings=cli_env) == 0
    before = _stored_codes(cli_env)
    capsys.readouterr()
    missing = tmp_path / "nowhere"
    assert main(["procedures", "load", "--dir", str(missing)], settings=cli_env) == 2
    err = capsys.readouterr().err
    assert str(missing) in err
    assert _stored_codes(cli_env) == before


def test_procedures_load_impossible_date_is_an_error_not_a_crash(cli_env, tmp_path, capsys):
    bad = tmp_path / "dates"
    bad.mkdir()
    path = dump_field_file(bad / "x.yml", [raw_record("1.000656")])
    path.write_text(path.read_text(encoding="utf-8").replace("verified_on: 2024-05-01", "verified_on: 2024-13-01"))
    assert main(["procedures", "load", "--dir", str(bad)], settings=cli_env) == 2
    err = capsys.readouterr().err
    assert "x.yml" in err and "verified_on" in err


def test_search_with_an_invalid_catalog_and_empty_database_is_a_polite_error(cli_env, tmp_path, capsys):
    bad = tmp_path / "bad-catalog"
    bad.mkdir()
    dump_field_file(bad / "x.yml", [raw_record("1.000656", level="huyen")])
    code = main(["search", "khai tử", "--json"], settings=dataclasses.replace(cli_env, catalog_dir=bad))
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi:") and "x.yml" in err and "'level'" in err
