"""drafted weekly check-ins, their tracker posts, and each team's check-in day, time and zone

Revision ID: i18_checkin_drafts
Revises: i14_hardening
Create Date: 2026-12-06 21:30:00
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i18_checkin_drafts'
down_revision = 'i13_discussion_backlog'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('teams') as batch:
        batch.add_column(sa.Column('check_in_weekday', sa.Integer(), server_default='4', nullable=False))
        batch.add_column(sa.Column('check_in_time', sa.String(length=5), server_default='14:00', nullable=False))
        batch.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))
    op.create_table('check_in_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_result_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('drafted_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('needs_input', sa.Boolean(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('points_done', sa.Float(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('blockers', sa.JSON(), nullable=False),
    sa.Column('suggested_status', sa.String(length=20), nullable=True),
    sa.Column('suggested_confidence', sa.Integer(), nullable=True),
    sa.Column('chance', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('note_source', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('check_in_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('prior_value', sa.Float(), nullable=True),
    sa.Column('prior_confidence', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['check_in_id'], ['check_ins.id'], name=op.f('fk_check_in_drafts_check_in_id_check_ins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['key_result_id'], ['key_results.id'], name=op.f('fk_check_in_drafts_key_result_id_key_results'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_check_in_drafts_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_drafts')),
    sa.UniqueConstraint('key_result_id', 'week_start', name=op.f('uq_check_in_drafts_key_result_id_week_start'))
    )
    op.create_index('ix_check_in_drafts_owner_state', 'check_in_drafts', ['owner_id', 'state'], unique=False)
    op.create_table('check_in_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('check_in_id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=30), nullable=False),
    sa.Column('mirror_ref', sa.String(length=128), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('posted_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_check_in_posts_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['check_in_drafts.id'], name=op.f('fk_check_in_posts_draft_id_check_in_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_posts')),
    sa.UniqueConstraint('check_in_id', 'connection_id', 'target', name=op.f('uq_check_in_posts_check_in_id_connection_id_target'))
    )
    op.create_index(op.f('ix_check_in_posts_draft_id'), 'check_in_posts', ['draft_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_check_in_posts_draft_id'), table_name='check_in_posts')
    op.drop_table('check_in_posts')
    op.drop_index('ix_check_in_drafts_owner_state', table_name='check_in_drafts')
    op.drop_table('check_in_drafts')
    with op.batch_alter_table('teams') as batch:
        batch.drop_column('time_zone')
        batch.drop_column('check_in_time')
        batch.drop_column('check_in_weekday')
