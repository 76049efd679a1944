"""hardening: users.session_generation (sign-out ends every session), connection_health,
analyses.requested_by_id (per-user rate limit)

Revision ID: i14_hardening
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import okr_core.models.base


revision = 'i14_hardening'
down_revision = 'i17_mining_results'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_generation', sa.Integer(), server_default='0',
                                     nullable=False))
    op.create_table('connection_health',
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('failing_since', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', okr_core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_connection_health_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connection_id', name=op.f('pk_connection_health'))
    )
    with op.batch_alter_table('analyses') as batch_op:
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_analyses_requested_by_id'), ['requested_by_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_analyses_requested_by_id_users'), 'users',
                                    ['requested_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('analyses') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_analyses_requested_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_analyses_requested_by_id'))
        batch_op.drop_column('requested_by_id')
    op.drop_table('connection_health')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('session_generation')
