"""cycles.close_started_at: when an admin asked the KR owners for their final values

Revision ID: i16_close_started
Revises: i14_hardening
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i16_close_started'
down_revision = 'i18_checkin_drafts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cycles', sa.Column('close_started_at',
                                      okr_core.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as in i16_cycle_notes: objectives reference `cycles`.
    op.drop_column('cycles', 'close_started_at')
