"""every time column holds UTC: Vietnam-time columns shifted by -7 hours; timestamptz on PostgreSQL

Until now the outbox, channel tokens and catalog_meta stored naive UTC while
dossiers (and their history, subscriptions, check failures), feedback tickets
and ratings stored naive Vietnam time, in one database. From here on every
time column holds UTC (`bot.db.types.UTCDateTime`): the Vietnam-time columns
are shifted by -7 hours (Vietnam has no daylight saving), row by row in
batches inside the migration transaction, the same on every database. On
PostgreSQL every time column then becomes `timestamp with time zone`, read as
UTC. The downgrade reverses both steps.

Revision ID: 0005
Revises: 0004
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

VIETNAM_OFFSET = dt.timedelta(hours=7)
BATCH = 1000
# Columns that held naive Vietnam time, by table (each table has an integer `id`).
LOCAL_COLUMNS = {
    'dossiers': ('received_at', 'due_at', 'updated_at', 'finished_at', 'missed_due_at', 'created_at'),
    'dossier_history': ('changed_at',),
    'dossier_subscriptions': ('created_at',),
    'dossier_check_failures': ('failed_at',),
    'feedback_tickets': ('created_at', 'answered_at'),
    'ratings': ('created_at',),
}
# Columns that already held naive UTC.
UTC_COLUMNS = {
    'catalog_meta': ('loaded_at',),
    'outbox': ('created_at', 'next_attempt_at', 'sent_at'),
    'channel_tokens': ('expires_at', 'updated_at'),
}


def _shift_local_columns(delta: dt.timedelta) -> None:
    """Add `delta` to every Vietnam-time value, BATCH rows at a time, ordered by id."""
    connection = op.get_bind()
    for name, columns in LOCAL_COLUMNS.items():
        table = sa.table(name, sa.column('id', sa.Integer), *(sa.column(c, sa.DateTime) for c in columns))
        update = (table.update().where(table.c.id == sa.bindparam('row_id'))
                  .values({c: sa.bindparam(f'new_{c}') for c in columns}))
        last_id = None
        while True:
            query = sa.select(table).order_by(table.c.id).limit(BATCH)
            if last_id is not None:
                query = query.where(table.c.id > last_id)
            rows = connection.execute(query).all()
            if not rows:
                break
            connection.execute(update, [
                {'row_id': row.id, **{f'new_{c}': None if row[c] is None else row[c] + delta for c in columns}}
                for row in (r._mapping for r in rows)
            ])
            last_id = rows[-1].id


def _set_timezone_type(aware: bool) -> None:
    """PostgreSQL only: timestamp <-> timestamptz, the naive values read as UTC."""
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite has no time zones: the naive UTC text stays as it is
    for table, columns in {**LOCAL_COLUMNS, **UTC_COLUMNS}.items():
        for column in columns:
            op.alter_column(table, column,
                            type_=sa.DateTime(timezone=aware), existing_type=sa.DateTime(timezone=not aware),
                            postgresql_using=f"{column} AT TIME ZONE 'UTC'")


def upgrade() -> None:
    _shift_local_columns(-VIETNAM_OFFSET)
    _set_timezone_type(aware=True)


def downgrade() -> None:
    _set_timezone_type(aware=False)
    _shift_local_columns(VIETNAM_OFFSET)
