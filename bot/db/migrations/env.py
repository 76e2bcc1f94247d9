"""Alembic environment: runs on the connection passed by `bot.db.engine.upgrade`."""

from alembic import context

from bot.db.engine import is_ours
from bot.db.models import Base
from bot.db.types import UTCDateTime


def _render_item(kind, obj, autogen_context):
    """New migrations spell `UTCDateTime` as the plain type it stands for, so they do not import bot."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=_render_item,
    include_name=is_ours,  # the Rasa server's `events` table lives here too
)
with context.begin_transaction():
    context.run_migrations()
