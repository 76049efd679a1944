"""discussion_backlog: linked items whose comments and relations wait for the next pass

Revision ID: i13_discussion_backlog
Revises: i14_hardening
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i13_discussion_backlog'
down_revision = 'i14_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('discussion_backlog',
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('item_external_id', sa.String(length=128), nullable=False),
    sa.Column('queued_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_discussion_backlog_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connection_id', 'item_external_id', name=op.f('pk_discussion_backlog'))
    )


def downgrade() -> None:
    op.drop_table('discussion_backlog')
