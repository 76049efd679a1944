"""users.session_generation: sign-out, a new password or deactivation ends every session

Revision ID: i14_session_generation
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = 'i14_session_generation'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_generation', sa.Integer(), server_default='0',
                                     nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('session_generation')
