"""dossier apologies: the apology letter staff sent for a late dossier, with its new appointment

Written by the staff console's "Gửi thư xin lỗi" on a late dossier: who sent it,
when, the appointment that was missed, the new one and the reason. The late
dossiers list shows whether one was sent.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_apologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=100), nullable=False),
    sa.Column('missed_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_dossier_apologies_dossier_id', 'dossier_apologies', ['dossier_id'])


def downgrade() -> None:
    op.drop_index('ix_dossier_apologies_dossier_id', table_name='dossier_apologies')
    op.drop_table('dossier_apologies')
