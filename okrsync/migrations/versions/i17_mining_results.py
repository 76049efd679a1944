"""stored blocker-miner results

Revision ID: i17_mining_results
Revises: 0002
Create Date: 2026-12-06 19:10:00
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i17_mining_results'
down_revision = 'i13_mirror_status_posts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blocker_minings',
    sa.Column('source_key', sa.String(length=80), nullable=False),
    sa.Column('text_hash', sa.String(length=32), nullable=False),
    sa.Column('miner_version', sa.String(length=20), nullable=False),
    sa.Column('found', sa.Boolean(), nullable=False),
    sa.Column('is_blocker', sa.Boolean(), nullable=False),
    sa.Column('ambiguous', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('phrase', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('mined_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source_key', name=op.f('pk_blocker_minings'))
    )
    op.create_index('ix_blocker_minings_version', 'blocker_minings', ['miner_version'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_blocker_minings_version', table_name='blocker_minings')
    op.drop_table('blocker_minings')
