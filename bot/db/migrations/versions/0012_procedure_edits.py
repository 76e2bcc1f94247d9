"""procedure edits: curated records changed in the staff console, kept across `bot procedures load`

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('procedure_edits',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('edited_by', sa.String(length=100), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )


def downgrade() -> None:
    op.drop_table('procedure_edits')
