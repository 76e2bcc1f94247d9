"""The SQL catalog: migrations, one-transaction replacement, faithful read-back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

import bot.db.catalog_store as catalog_store_module
from bot.db.catalog_store import CatalogStore, fingerprint
from bot.db.engine import make_engine, upgrade
from tests.core.records import dump_field_file, make_procedure, raw_record

TABLES = {
    "procedures",
    "procedure_aliases",
    "procedure_documents",
    "procedure_steps",
    "procedure_forms",
    "catalog_meta",
    "outbox",
}


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'tthc.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine) -> CatalogStore:
    return CatalogStore(engine)


def _rich_records():
    """Records using every part of the schema, in an order that is not code order."""
    return [
        make_procedure(
            "2.000528",
            "Đăng ký khai sinh có yếu tố nước ngoài",
            field="Hộ tịch",
            aliases=["khai sinh cho con lai", "làm giấy khai sinh cho con có bố là người nước ngoài"],
            keywords=["con lai", "yếu tố nước ngoài"],
            level="tinh",
            processing_time={"text": "15 ngày làm việc.", "working_days": 15},
            fees={
                "text": "Đến hết 31/12/2029 thu 75.000 đồng.",
                "amount_vnd": 75000,
                "exemptions": "Miễn cho trẻ em gia đình có công.",
                "valid_to": dt.date(2029, 12, 31),
            },
            documents=[
                {"name": "Tờ khai đăng ký khai sinh", "kind": "ban_chinh", "quantity": 1},
                {"name": "Giấy chứng sinh", "kind": "ban_chinh", "quantity": 1, "notes": "Bản điện tử cũng được."},
                {"name": "Văn bản thỏa thuận chọn quốc tịch", "kind": "ban_sao_chung_thuc", "quantity": 2},
                {"name": "Hộ chiếu của cha hoặc mẹ", "kind": "xuat_trinh", "quantity": 1},
            ],
            steps=["Nộp hồ sơ.", "Cán bộ kiểm tra.", "Nhận Giấy khai sinh."],
            online={"available": True, "level": None, "portal_url": None},
            forms=[
                {"name": "Tờ khai đăng ký khai sinh", "where": "Một cửa", "code": "TP/HT-2020-KS.1"},
                {"name": "Văn bản thỏa thuận", "where": "Tự viết", "code": None},
            ],
            legal_basis=["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"],
            notes="Ghi chú dài: có dấu, ký tự đặc biệt ' \" ; -- và xuống dòng\nhai.",
            other_codes=["1.001193"],
            valid_from=dt.date(2016, 1, 1),
            valid_to=dt.date(2030, 12, 31),
            unverified=["fees", "processing_time"],
        ),
        make_procedure(
            "1.001193",
            "Đăng ký khai sinh",
            field="Hộ tịch",
            processing_time={"text": "Trong ngày.", "working_days": 0.5},
            online={"available": False},
            forms=[],
        ),
        make_procedure("LOCAL-THU-NGHIEM", "Thủ tục địa phương", field="Khác", unverified=["code", "agency"]),
    ]


def test_upgrade_creates_the_tables_on_a_fresh_database(tmp_path):
    db = tmp_path / "fresh" / "new.db"
    assert not db.exists()
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert set(inspect(engine).get_table_names()) == set()
        upgrade(engine)
        names = set(inspect(engine).get_table_names())
        assert TABLES <= names
        assert "alembic_version" in names
        with engine.connect() as conn:
            head = conn.execute(text("select version_num from alembic_version")).scalar_one()
        assert head
        upgrade(engine)  # idempotent
        assert set(inspect(engine).get_table_names()) == names
        assert CatalogStore(engine).count() == 0
        assert CatalogStore(engine).fingerprint() is None
        assert CatalogStore(engine).all_procedures() == []
    finally:
        engine.dispose()


def test_sqlite_enforces_foreign_keys(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_all_procedures_round_trips_every_field(store):
    records = _rich_records()
    assert store.replace_all(records) == 3
    loaded = store.all_procedures()
    assert [p.code for p in loaded] == sorted(p.code for p in records)
    by_code = {p.code: p for p in records}
    for p in loaded:
        assert p.dict() == by_code[p.code].dict(), p.code
    assert store.count() == 3
    assert store.get("2.000528").dict() == by_code["2.000528"].dict()
    assert store.get("9.999999") is None


def test_read_back_records_behave_like_loaded_ones(store):
    store.replace_all(_rich_records())
    p = store.get("2.000528")
    assert not p.is_verified("fees") and p.is_verified("documents")
    assert p.is_valid_on(dt.date(2024, 1, 1)) and not p.is_valid_on(dt.date(2031, 1, 1))
    assert p.level_label == "cấp tỉnh"
    assert p.verified_on == dt.date(2024, 5, 1)
    assert isinstance(p.processing_time.working_days, float)
    assert p.expired_parts(dt.date(2029, 12, 31)) == () and p.expired_parts(dt.date(2030, 1, 1)) == ("fees",)
    assert store.get("1.001193").fees.valid_to is None


def test_required_documents_in_order(store):
    store.replace_all(_rich_records())
    docs = store.required_documents("2.000528")
    assert [d.name for d in docs] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Văn bản thỏa thuận chọn quốc tịch",
        "Hộ chiếu của cha hoặc mẹ",
    ]
    assert [d.kind for d in docs] == ["ban_chinh", "ban_chinh", "ban_sao_chung_thuc", "xuat_trinh"]
    assert [d.quantity for d in docs] == [1, 1, 2, 1]
    assert docs[1].notes == "Bản điện tử cũng được."
    assert store.required_documents("9.999999") == []


def test_replace_all_replaces_rather_than_adds(store):
    store.replace_all(_rich_records())
    store.replace_all([make_procedure("1.000656", "Đăng ký khai tử")])
    assert [p.code for p in store.all_procedures()] == ["1.000656"]
    assert store.count() == 1
    # Children of removed procedures are gone too.
    assert store.required_documents("2.000528") == []


def test_replace_all_is_one_transaction_failure_midway_keeps_previous_catalog(store, monkeypatch):
    previous = _rich_records()
    store.replace_all(previous)
    before_fp = store.fingerprint()

    # Fail after the old rows are deleted and the new ones added, inside the transaction.
    def boom(_procedures):
        raise RuntimeError("disk full")

    monkeypatch.setattr(catalog_store_module, "fingerprint", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        store.replace_all([make_procedure("1.000656", "Đăng ký khai tử")])
    monkeypatch.undo()

    assert [p.dict() for p in store.all_procedures()] == [
        p.dict() for p in sorted(previous, key=lambda p: p.code)
    ]
    assert store.fingerprint() == before_fp
    assert len(store.required_documents("2.000528")) == 4


def test_replace_all_failure_while_building_rows_keeps_previous_catalog(store, monkeypatch):
    previous = _rich_records()
    store.replace_all(previous)
    real_to_row = catalog_store_module._to_row
    calls = []

    def flaky(p):
        calls.append(p.code)
        if len(calls) == 2:
            raise ValueError("bad row")
        return real_to_row(p)

    monkeypatch.setattr(catalog_store_module, "_to_row", flaky)
    with pytest.raises(ValueError):
        store.replace_all([make_procedure("1.000656"), make_procedure("1.000657"), make_procedure("1.000658")])
    assert len(calls) == 2
    assert sorted(p.code for p in store.all_procedures()) == sorted(p.code for p in previous)


def test_replace_all_database_error_keeps_previous_catalog(store):
    previous = _rich_records()
    store.replace_all(previous)
    duplicate = [make_procedure("1.000656"), make_procedure("1.000656")]  # primary key clash at commit
    with pytest.raises(Exception):
        store.replace_all(duplicate)
    assert sorted(p.code for p in store.all_procedures()) == sorted(p.code for p in previous)


def test_fingerprint_changes_when_data_changes(store):
    records = _rich_records()
    store.replace_all(records)
    first = store.fingerprint()
    assert first == fingerprint(records)
    assert len(first) == 64

    store.replace_all(list(reversed(records)))  # same content, other order
    assert store.fingerprint() == first

    changed = [make_procedure("1.001193", "Đăng ký khai sinh", fees={"text": "Lệ phí mới.", "amount_vnd": 1})]
    changed += [p for p in records if p.code != "1.001193"]
    store.replace_all(changed)
    assert store.fingerprint() != first

    one_letter = [records[0], records[1].copy(update={"notes": "x"}), records[2]]
    assert fingerprint(one_letter) != first
    assert fingerprint(store.all_procedures()) == store.fingerprint()


# --- Services: the wiring the actions and the CLI use -------------------------


@pytest.fixture
def services_for(tmp_path):
    from bot.app import Services
    from bot.settings import Settings

    made = []

    def build(catalog_dir):
        settings = Settings.from_env({"TTHC_VAR_DIR": str(tmp_path / "var"), "CATALOG_DIR": str(catalog_dir)})
        svc = Services.from_settings(settings)
        made.append(svc)
        return svc

    yield build
    for svc in made:
        svc.engine.dispose()


def test_services_guide_rebuilds_after_a_reload(tmp_path, services_for):
    first_dir, second_dir = tmp_path / "v1", tmp_path / "v2"
    first_dir.mkdir()
    second_dir.mkdir()
    dump_field_file(first_dir / "ho-tich.yml", [raw_record("1.001193", "Đăng ký khai sinh")])
    dump_field_file(
        second_dir / "ho-tich.yml",
        [raw_record("1.001193", "Đăng ký khai sinh"), raw_record("1.000656", "Đăng ký khai tử")],
    )
    svc = services_for(first_dir)
    assert svc.load_catalog() == 1
    guide = svc.guide()
    assert svc.guide() is guide  # cached while the catalog is unchanged
    assert guide.get("1.000656") is None
    assert guide.search("đăng ký khai tử").best is None or guide.search("đăng ký khai tử").best.code != "1.000656"

    assert svc.load_catalog(second_dir) == 2
    rebuilt = svc.guide()
    assert rebuilt is not guide
    assert rebuilt.get("1.000656") is not None
    assert rebuilt.search("đăng ký khai tử").best.code == "1.000656"


def test_services_guide_sees_a_reload_by_another_process(tmp_path, services_for):
    """Two Services on one database (the action server and `bot procedures load`)."""
    first_dir, second_dir = tmp_path / "v1", tmp_path / "v2"
    first_dir.mkdir()
    second_dir.mkdir()
    dump_field_file(first_dir / "a.yml", [raw_record("1.001193", "Đăng ký khai sinh")])
    dump_field_file(second_dir / "a.yml", [raw_record("1.000656", "Đăng ký khai tử")])
    server = services_for(first_dir)
    server.load_catalog()
    assert server.guide().get("1.001193") is not None
    services_for(second_dir).load_catalog()
    assert server.guide().get("1.001193") is None
    assert server.guide().get("1.000656") is not None


def test_services_failed_reload_keeps_catalog_and_guide(tmp_path, services_for):
    from bot.core.catalog import CatalogError

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    dump_field_file(good / "a.yml", [raw_record("1.001193", "Đăng ký khai sinh")])
    dump_field_file(bad / "a.yml", [raw_record("1.000656", "Đăng ký khai tử", level="huyen")])
    svc = services_for(good)
    svc.load_catalog()
    guide = svc.guide()
    with pytest.raises(CatalogError):
        svc.load_catalog(bad)
    assert [p.code for p in svc.catalog.all_procedures()] == ["1.001193"]
    assert svc.guide() is guide


def test_real_catalog_round_trips_through_the_database(services, catalog):
    """The `services` fixture loads data/procedures into a fresh database."""
    stored = {p.code: p.dict() for p in services.catalog.all_procedures()}
    assert stored == {p.code: p.dict() for p in catalog}
    assert services.guide().resolve("đăng ký khai sinh").code == "1.001193"
