"""dossier check failures name their code and kiosk address; successful checks are recorded; request limits

A failed check now also stores the dossier code it was for and, from the kiosk,
the address it came from, so the limits count per code, per address and
overall, not only per conversation. `dossier_verifications` records a
successful check (conversation, code, until when): following a dossier needs
that record, not a slot the caller could set. `rate_limit_hits` counts requests
per key (the kiosk API per address) for every process at once.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossier_check_failures') as batch:
        batch.add_column(sa.Column('dossier_code', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('client_ip', sa.String(length=64), nullable=True))
    op.create_index('ix_dossier_check_failures_dossier_code', 'dossier_check_failures', ['dossier_code'])
    op.create_index('ix_dossier_check_failures_client_ip', 'dossier_check_failures', ['client_ip'])
    op.create_table('dossier_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=200), nullable=False),
    sa.Column('dossier_code', sa.String(length=40), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_dossier_verifications_sender_id', 'dossier_verifications', ['sender_id'])
    op.create_index('ix_dossier_verifications_expires_at', 'dossier_verifications', ['expires_at'])
    op.create_table('rate_limit_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_rate_limit_hits_key', 'rate_limit_hits', ['key'])
    op.create_index('ix_rate_limit_hits_at', 'rate_limit_hits', ['at'])


def downgrade() -> None:
    op.drop_index('ix_rate_limit_hits_at', table_name='rate_limit_hits')
    op.drop_index('ix_rate_limit_hits_key', table_name='rate_limit_hits')
    op.drop_table('rate_limit_hits')
    op.drop_index('ix_dossier_verifications_expires_at', table_name='dossier_verifications')
    op.drop_index('ix_dossier_verifications_sender_id', table_name='dossier_verifications')
    op.drop_table('dossier_verifications')
    op.drop_index('ix_dossier_check_failures_client_ip', table_name='dossier_check_failures')
    op.drop_index('ix_dossier_check_failures_dossier_code', table_name='dossier_check_failures')
    with op.batch_alter_table('dossier_check_failures') as batch:
        batch.drop_column('client_ip')
        batch.drop_column('dossier_code')
