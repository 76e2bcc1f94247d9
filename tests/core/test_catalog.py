"""Catalog loading: every problem is named by file, record and field; all or nothing."""

from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path

import pytest

from bot.core.clock import today_local
from bot.core.catalog import (
    LEVEL_LABELS,
    CatalogError,
    Level,
    Procedure,
    load_catalog,
    parse_file,
    procedures_by_code,
)
from tests.core.records import dump_field_file, raw_record


def _two_records(**second_overrides) -> list[dict]:
    second = raw_record("1.000002", "Đăng ký khai tử")
    second.update(second_overrides)
    return [raw_record("1.000001", "Đăng ký khai sinh"), second]


def _load_expecting_error(directory: Path) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_catalog(directory)
    return info.value


def _assert_names(error: CatalogError, file: Path, record: str, field: str) -> None:
    """The message names the file, the record and the field, and so does `problems`."""
    message = str(error)
    assert file.name in message, message
    assert record in message, message
    assert f"'{field}'" in message, message
    assert any(
        Path(f).name == file.name and r == record and fld == field for f, r, fld, _ in error.problems
    ), error.problems


def test_valid_file_loads(tmp_path):
    path = dump_field_file(tmp_path / "ho-tich.yml", _two_records(), field="Hộ tịch")
    procedures = load_catalog(tmp_path)
    assert [p.code for p in procedures] == ["1.000001", "1.000002"]
    first = procedures[0]
    assert isinstance(first, Procedure)
    assert first.field == "Hộ tịch"  # the file's field is given to every record
    assert first.verified_on == dt.date(2024, 5, 1)
    assert first.processing_time.working_days == 1.0
    assert [d.name for d in first.documents] == ["Tờ khai", "Giấy tờ tùy thân"]
    assert parse_file(path)[1] == []


def test_records_in_several_files_all_load(tmp_path):
    dump_field_file(tmp_path / "a.yml", [raw_record("1.000001")], field="A")
    dump_field_file(tmp_path / "b.yaml", [raw_record("1.000002")], field="B")
    by_code = procedures_by_code(load_catalog(tmp_path))
    assert by_code["1.000001"].field == "A"
    assert by_code["1.000002"].field == "B"


def test_strings_are_trimmed_and_unquoted_dates_parse(tmp_path):
    path = dump_field_file(tmp_path / "x.yml", [raw_record(name="  Đăng ký khai sinh  ")])
    assert "verified_on: 2024-05-01" in path.read_text(encoding="utf-8")  # unquoted YAML date
    (procedure,) = load_catalog(tmp_path)
    assert procedure.name == "Đăng ký khai sinh"
    assert procedure.verified_on == dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"level": "huyen"}, "level"),  # bad enum
        ({"level": "Cấp bộ"}, "level"),  # the portal's words, not the catalog value
        ({"online": {"available": True, "level": "mot_nua"}}, "online.level"),  # bad nested enum
        ({"documents": [{"name": "Tờ khai", "kind": "ban_photo"}]}, "documents.0.kind"),
        ({"processing_time": {"text": "Ba ngày", "working_days": "ba ngày"}}, "processing_time.working_days"),
        ({"documents": [{"name": "Tờ khai", "quantity": "hai"}]}, "documents.0.quantity"),  # wrong type
        ({"aliases": []}, "aliases"),
        ({"steps": "Nộp hồ sơ"}, "steps"),  # wrong type: not a list
        ({"name": "   "}, "name"),  # empty after trimming
        ({"source_url": "http://example.com"}, "source_url"),
        ({"verified_on": "hôm qua"}, "verified_on"),  # bad date
        ({"valid_from": "2024-02-30"}, "valid_from"),  # impossible date, quoted
        ({"code": "1.1193"}, "code"),
        ({"agencyy": "UBND xã"}, "agencyy"),  # misspelt field
    ],
)
def test_bad_field_names_file_record_and_field(tmp_path, overrides, field):
    path = dump_field_file(tmp_path / "ho-tich.yml", _two_records(**overrides))
    error = _load_expecting_error(tmp_path)
    code = overrides.get("code", "1.000002")
    _assert_names(error, path, f"#2 ({code})", field)


def test_missing_field_is_named(tmp_path):
    records = _two_records()
    del records[1]["agency"]
    path = dump_field_file(tmp_path / "ho-tich.yml", records)
    error = _load_expecting_error(tmp_path)
    _assert_names(error, path, "#2 (1.000002)", "agency")
    assert "required" in str(error)


def test_record_without_code_is_named_by_position(tmp_path):
    records = _two_records()
    del records[1]["code"]
    path = dump_field_file(tmp_path / "ho-tich.yml", records)
    _assert_names(_load_expecting_error(tmp_path), path, "#2", "code")


def test_unquoted_impossible_date_is_a_catalog_error(tmp_path):
    """YAML turns `2024-13-01` into a date itself and fails; that is a bad field, not a crash."""
    path = dump_field_file(tmp_path / "ho-tich.yml", _two_records())
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition("verified_on: 2024-05-01")
    path.write_text(head + "verified_on: 2024-13-01" + tail, encoding="utf-8")
    error = _load_expecting_error(tmp_path)
    _assert_names(error, path, "#2 (1.000002)", "verified_on")


def test_valid_to_before_valid_from_names_valid_to(tmp_path):
    path = dump_field_file(
        tmp_path / "ho-tich.yml", _two_records(valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2023, 12, 31))
    )
    _assert_names(_load_expecting_error(tmp_path), path, "#2 (1.000002)", "valid_to")


def test_valid_to_on_valid_from_is_fine(tmp_path):
    dump_field_file(tmp_path / "a.yml", _two_records(valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 1, 1)))
    assert len(load_catalog(tmp_path)) == 2


def test_future_verification_date_is_rejected(tmp_path):
    tomorrow = today_local() + dt.timedelta(days=1)  # the catalog's day is Vietnam's, not the machine's
    path = dump_field_file(tmp_path / "ho-tich.yml", _two_records(verified_on=tomorrow))
    error = _load_expecting_error(tmp_path)
    _assert_names(error, path, "#2 (1.000002)", "verified_on")
    assert "future" in str(error)


def test_verified_today_is_fine(tmp_path):
    dump_field_file(tmp_path / "a.yml", _two_records(verified_on=today_local()))
    assert len(load_catalog(tmp_path)) == 2


def test_local_code_must_be_marked_unverified(tmp_path):
    records = _two_records(code="LOCAL-KHAI-TU")
    path = dump_field_file(tmp_path / "ho-tich.yml", records)
    error = _load_expecting_error(tmp_path)
    assert "LOCAL-" in str(error)
    assert any(r == "#2 (LOCAL-KHAI-TU)" and fld in ("code", "unverified") for _, r, fld, _ in error.problems), (
        error.problems
    )
    assert "__root__" not in str(error)

    records[1]["unverified"] = ["code"]
    dump_field_file(path, records)
    assert [p.code for p in load_catalog(tmp_path)] == ["1.000001", "LOCAL-KHAI-TU"]


def test_duplicate_code_across_files_names_both_files(tmp_path):
    dump_field_file(tmp_path / "a-ho-tich.yml", [raw_record("1.000001")])
    second = dump_field_file(tmp_path / "b-cu-tru.yml", [raw_record("1.000009"), raw_record("1.000001")])
    error = _load_expecting_error(tmp_path)
    _assert_names(error, second, "#2 (1.000001)", "code")
    assert "a-ho-tich.yml" in str(error) and "duplicate" in str(error)


def test_duplicate_code_in_one_file(tmp_path):
    path = dump_field_file(tmp_path / "a.yml", [raw_record("1.000001"), raw_record("1.000001")])
    _assert_names(_load_expecting_error(tmp_path), path, "#2 (1.000001)", "code")


@pytest.mark.parametrize(
    "content",
    [
        "field: Hộ tịch\nprocedures:\n  - code: '1.000001\n    name: [unclosed\n",
        "field: Hộ tịch\nprocedures: {code: 1}\n",  # procedures is not a list
        "- just\n- a list\n",
        "",
        b"field: H\xff\xfe t\xe1ch\n".decode("latin-1"),  # written below as bytes
    ],
)
def test_unreadable_or_misshapen_file_is_named(tmp_path, content):
    good = dump_field_file(tmp_path / "a-good.yml", [raw_record("1.000001")])
    bad = tmp_path / "b-bad.yml"
    if "\xff" in content:
        bad.write_bytes(content.encode("latin-1"))
    else:
        bad.write_text(content, encoding="utf-8")
    error = _load_expecting_error(tmp_path)
    assert bad.name in str(error)
    assert good.name not in str(error)
    assert all(Path(f).name == bad.name for f, *_ in error.problems)


def test_file_without_field_name(tmp_path):
    path = tmp_path / "x.yml"
    dump_field_file(path, [raw_record()])
    path.write_text(path.read_text(encoding="utf-8").replace("field: Thử nghiệm\n", ""), encoding="utf-8")
    _assert_names(_load_expecting_error(tmp_path), path, "-", "field")


def test_record_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("field: X\nprocedures:\n  - just a string\n", encoding="utf-8")
    assert "#1" in str(_load_expecting_error(tmp_path))


def test_all_or_nothing_one_bad_record_loads_nothing_and_every_problem_is_listed(tmp_path):
    dump_field_file(tmp_path / "a.yml", [raw_record("1.000001"), raw_record("1.000002")])
    dump_field_file(tmp_path / "b.yml", [raw_record("1.000003", level="huyen")])
    dump_field_file(tmp_path / "c.yml", [raw_record("1.000004", fees={"text": "x", "amount_vnd": -5})])
    result = None
    with pytest.raises(CatalogError) as info:
        result = load_catalog(tmp_path)
    assert result is None
    files = {Path(f).name for f, *_ in info.value.problems}
    assert files == {"b.yml", "c.yml"}
    assert {fld for *_, fld, _ in info.value.problems} == {"level", "fees.amount_vnd"}


def test_empty_or_missing_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="no procedure files"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "does-not-exist")


def test_validity_helpers():
    from tests.core.records import make_procedure

    p = make_procedure(valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31), unverified=["fees"])
    assert p.is_valid_on(dt.date(2024, 1, 1)) and p.is_valid_on(dt.date(2024, 12, 31))
    assert not p.is_valid_on(dt.date(2023, 12, 31)) and not p.is_valid_on(dt.date(2025, 1, 1))
    assert not p.is_verified("fees") and p.is_verified("documents")
    assert p.level_label == "cấp xã"


def test_real_catalog_loads_without_errors(catalog):
    """data/procedures as committed: if this fails, the message names the data file to fix."""
    codes = [p.code for p in catalog]
    assert len(codes) == len(set(codes))
    assert "1.001193" in codes
    khai_sinh = procedures_by_code(catalog)["1.001193"]
    assert "khai sinh" in khai_sinh.name.lower()
    assert khai_sinh.field == "Hộ tịch"


def test_every_level_has_a_label_and_ministry_level_reads_cap_bo():
    assert set(typing.get_args(Level)) == set(LEVEL_LABELS)
    from tests.core.records import make_procedure

    assert make_procedure(level="bo").level_label == "cấp bộ"


_TEMPORARY_FEE = "Lệ phí 70.000 đồng. Từ 01/7/2025 đến hết ngày 31/12/2026 chỉ thu 35.000 đồng."


@pytest.mark.parametrize(
    "fees",
    [
        {"text": _TEMPORARY_FEE},  # the text ends on a day the record does not carry
        {"text": _TEMPORARY_FEE, "valid_to": "2027-06-30"},  # carried, but later than the text allows
        {"text": "Lệ phí 70.000 đồng.", "exemptions": "Miễn đến hết 31/12/2026 cho hộ nghèo."},
    ],
)
def test_a_fee_said_to_hold_until_a_day_must_carry_that_end_date(tmp_path, fees):
    path = dump_field_file(tmp_path / "can-cuoc.yml", _two_records(fees=fees))
    error = _load_expecting_error(tmp_path)
    _assert_names(error, path, "#2 (1.000002)", "fees.valid_to")
    assert "2026-12-31" in str(error)


def test_a_fee_carrying_its_end_date_loads_and_expires_after_it(tmp_path):
    dump_field_file(tmp_path / "can-cuoc.yml", _two_records(fees={"text": _TEMPORARY_FEE, "valid_to": "2026-12-31"}))
    p = procedures_by_code(load_catalog(tmp_path))["1.000002"]
    assert p.fees.valid_to == dt.date(2026, 12, 31)
    assert p.expired_parts(dt.date(2026, 12, 31)) == ()
    assert p.expired_parts(dt.date(2027, 1, 1)) == ("fees",)
    assert procedures_by_code(load_catalog(tmp_path))["1.000001"].expired_parts(dt.date(2099, 1, 1)) == ()


def test_short_name_keeps_names_up_to_the_limit_and_cuts_longer_ones_at_a_clause_break():
    from bot.core.catalog import MAX_NAME_WORDS, short_name

    name = "Đổi giấy phép lái xe"
    assert short_name(name) == name
    long_name = "Giao đất, cho thuê đất; " + " ".join(["chuyển mục đích sử dụng đất"] * 20)
    shown = short_name(long_name)
    assert shown == "Giao đất, cho thuê đất…"
    assert len(shown.split()) <= MAX_NAME_WORDS
    no_break = " ".join(["đất"] * (MAX_NAME_WORDS + 5))
    assert short_name(no_break) == " ".join(["đất"] * MAX_NAME_WORDS) + "…"
