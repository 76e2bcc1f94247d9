"""processed_events: webhook event ids already accepted (Zalo msg_id), so replays are ignored after a restart

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('processed_events',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'event_id')
    )
    op.create_index(op.f('ix_processed_events_received_at'), 'processed_events', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_processed_events_received_at'), table_name='processed_events')
    op.drop_table('processed_events')
