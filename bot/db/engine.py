"""Engine and session creation, and schema migration to the latest version."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Tables another program owns in the same database: the Rasa server's conversations.
FOREIGN_TABLES = frozenset({"events"})


def is_ours(name, type_, parent_names) -> bool:
    """Alembic's `include_name` hook: compare and migrate only our tables and their indexes."""
    if type_ == "table":
        return name not in FOREIGN_TABLES
    if type_ in ("index", "unique_constraint", "foreign_key_constraint", "column"):
        return parent_names.get("table_name") not in FOREIGN_TABLES
    return True


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite, create the folder and enforce foreign keys."""
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` with Alembic."""
    _migrate(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema back to `revision` (rolling back a release; tests of migrations)."""
    _migrate(engine, "downgrade", revision)


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)
