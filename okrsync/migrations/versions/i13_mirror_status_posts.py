"""mirrors remember the status last posted as a Linear update

Revision ID: i13_mirror_status_posts
Revises: 0002
Create Date: 2026-12-06 19:20:00
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i13_mirror_status_posts'
down_revision = 'i16_cycle_notes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mirrors') as batch:
        batch.add_column(sa.Column('posted_status', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('posted_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mirrors') as batch:
        batch.drop_column('posted_at')
        batch.drop_column('posted_status')
