"""work_links.match_ref: each link's ref stripped and casefolded, indexed with its connection, so
that a reconcile page loads only the links that may match its items (the index on the connection
alone goes: the new one leads with it)

Revision ID: i20_link_match_ref
Revises: i18b_notifications
Create Date: 2026-12-07 03:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i20_link_match_ref'
down_revision = 'i18b_notifications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_ref', sa.Text(), nullable=True))
    _fold_existing_refs()
    with op.batch_alter_table('work_links', schema=None) as batch_op:
        batch_op.alter_column('match_ref', existing_type=sa.Text(), nullable=False)
        batch_op.create_index('ix_work_links_conn_match_ref', ['connection_id', 'match_ref'],
                              unique=False)
        # The new index leads with the connection: without statistics the planner would pick
        # this one and read every link of the connection.
        batch_op.drop_index('ix_work_links_connection_id')


def _fold_existing_refs() -> None:
    """okr_core.membership.folded_ref as of this revision, in Python: SQL's lower() folds less
    than str.casefold (SQLite: ASCII only), and the stored form must be what the code compares."""
    links = sa.table('work_links', sa.column('id', sa.Integer), sa.column('ref', sa.Text),
                     sa.column('match_ref', sa.Text))
    bind = op.get_bind()
    rows = bind.execute(sa.select(links.c.id, links.c.ref)).all()
    if rows:
        bind.execute(links.update().where(links.c.id == sa.bindparam('link_id'))
                     .values(match_ref=sa.bindparam('folded')),
                     [{'link_id': row.id, 'folded': (row.ref or '').strip().casefold()} for row in rows])


def downgrade() -> None:
    with op.batch_alter_table('work_links', schema=None) as batch_op:
        batch_op.create_index('ix_work_links_connection_id', ['connection_id'], unique=False)
        batch_op.drop_index('ix_work_links_conn_match_ref')
        batch_op.drop_column('match_ref')
