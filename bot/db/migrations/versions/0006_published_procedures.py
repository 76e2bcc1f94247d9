"""published tier: procedures imported from the national portal, and the audit of each import

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_procedures',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=300), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('published_procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_procedures_collected_on'), ['collected_on'], unique=False)

    op.create_table('portal_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('portal_imports')
    with op.batch_alter_table('published_procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_procedures_collected_on'))

    op.drop_table('published_procedures')
