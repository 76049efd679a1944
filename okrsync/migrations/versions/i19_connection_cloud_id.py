"""connections.cloud_id: the Jira Cloud site a connection reads (Forge calls are bound to it)

Revision ID: i19_connection_cloud_id
Revises: 0002
Create Date: 2026-12-06 18:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i19_connection_cloud_id'
down_revision = 'i15_ratio_percent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cloud_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_connections_cloud_id'), ['cloud_id'], unique=False)
    _copy_cloud_ids_from_settings()


def _copy_cloud_ids_from_settings() -> None:
    """The README used to say to put `cloud_id` in a connection's settings: keep what was set."""
    connections = sa.table('connections', sa.column('id', sa.Integer),
                           sa.column('settings', sa.JSON), sa.column('cloud_id', sa.String))
    bind = op.get_bind()
    for row in bind.execute(sa.select(connections.c.id, connections.c.settings)).all():
        cloud_id = (row.settings or {}).get('cloud_id') if isinstance(row.settings, dict) else None
        if isinstance(cloud_id, str) and cloud_id.strip():
            bind.execute(connections.update().where(connections.c.id == row.id)
                         .values(cloud_id=cloud_id.strip()[:64]))


def downgrade() -> None:
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connections_cloud_id'))
        batch_op.drop_column('cloud_id')
