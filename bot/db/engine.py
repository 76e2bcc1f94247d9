"""Engine and session creation, and schema migration to the latest version.

Transactions, the same rule on every database:

- A session transaction opened with `begin()` (`sessions.begin()`,
  `session.begin()`) is a **write transaction**, and so is
  `write_transaction(engine)` for work on a bare connection (migrations). On SQLite it starts with
  `BEGIN IMMEDIATE`: it takes the database's write lock before its first read,
  so what it reads cannot change before it writes (another writer waits, up to
  `SQLITE_BUSY_TIMEOUT` seconds). On PostgreSQL a read that decides a write
  locks its rows (`with_for_update`) or the write is one atomic
  `UPDATE ... WHERE`, as each store does.
- A session used without `begin()` only reads: on SQLite its transaction
  starts with a plain (deferred) `BEGIN` at the first query and sees one
  snapshot; in WAL mode it never waits for a writer.

pysqlite on its own opens a transaction only at the first INSERT/UPDATE/DELETE,
so a read-then-write step (claim a message, count failures, number a ticket)
read outside the transaction that wrote and could lose a concurrent update.
The recipe below (SQLAlchemy's "Serializable isolation / Savepoints /
Transactional DDL" for pysqlite) turns that off and emits BEGIN itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT = 30  # seconds a write transaction waits for another one before "database is locked"
WRITE = "bot_write"  # execution option: this connection's transaction writes

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
    """Create an engine; for SQLite, create the folder, enforce foreign keys, and begin transactions ourselves."""
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT}
        if path and path != ":memory:":
            # SQLAlchemy 1.4 opens and closes a SQLite file for every statement (NullPool):
            # an action answering a question paid for several opens, each with its PRAGMAs.
            # Connections are kept instead, one thread at a time each (as SQLAlchemy 2.0 does).
            kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=10)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # pysqlite emits no BEGIN/COMMIT of its own: `_sqlite_begin` does
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


class StoreSession(Session):
    """A session whose `begin()` opens a write transaction (BEGIN IMMEDIATE on SQLite)."""

    def begin(self, subtransactions=False, nested=False, _subtrans=False):
        transaction = super().begin(subtransactions=subtransactions, nested=nested, _subtrans=_subtrans)
        if not nested and not _subtrans:
            self.connection(execution_options={WRITE: True})  # the BEGIN happens here, before any read
        return transaction


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions for a store: `sessions()` to read, `sessions.begin()` to read-then-write (see the module doc)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=StoreSession)


def serialize(target: Session | Connection, name: str) -> None:
    """Inside a write transaction: others that call this with the same `name` wait until it ends.

    For read-then-write steps whose reads have no row to lock (count recent
    failures, take the next ticket number, replace a whole table). On SQLite
    there is nothing to do: every write transaction already holds the write lock.
    On PostgreSQL it takes a transaction-scoped advisory lock, released at
    commit or rollback.
    """
    dialect = target.get_bind().dialect if isinstance(target, Session) else target.dialect
    if dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)
        target.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def write_transaction(engine: Engine):
    """`engine.begin()` as a write transaction: `with write_transaction(engine) as connection: ...`."""
    return engine.execution_options(**{WRITE: True}).begin()


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
    with write_transaction(engine) as connection:
        serialize(connection, "migrations")  # two processes starting at once migrate one after the other
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)
