"""cycle scope, mid-cycle review notes and retrospective notes

Revision ID: i16_cycle_notes
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = 'i16_cycle_notes'
down_revision = 'i19_connection_cloud_id'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(sa.Column('scope', sa.Enum('company', 'department', 'team', 'individual',
                                                     name='level', native_enum=False, length=32),
                                   server_default='company', nullable=False))
        batch.add_column(sa.Column('review_notes', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('retrospective_notes', sa.Text(), server_default='',
                                   nullable=False))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of `cycles` would drop and
    # recreate a table that objectives reference, which SQLite refuses with foreign keys on.
    for column in ('retrospective_notes', 'review_notes', 'scope'):
        op.drop_column('cycles', column)
