"""notifications: each person's channels and cadence, and one row per message sent
(unique per person, kind, week and channel: never two reminders for one week)

Revision ID: i18b_notifications
Revises: i14_hardening
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i18b_notifications'
down_revision = 'i16_close_started'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('slack', sa.Boolean(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('digests', sa.Boolean(), nullable=False),
    sa.Column('unsubscribed_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('notification_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_sends_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_sends')),
    sa.UniqueConstraint('user_id', 'kind', 'period', 'channel', name=op.f('uq_notification_sends_user_id_kind_period_channel'))
    )
    op.create_index('ix_notification_sends_state', 'notification_sends', ['state', 'updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_sends_state', table_name='notification_sends')
    op.drop_table('notification_sends')
    op.drop_table('notification_preferences')
