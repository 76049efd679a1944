"""deliveries.body compressed with lz4 on PostgreSQL (less server CPU per stored delivery)

Revision ID: i14_delivery_body_lz4
Revises: i20_link_match_ref
Create Date: 2026-12-07 03:30:00
"""
from alembic import op


revision = 'i14_delivery_body_lz4'
down_revision = 'i20_link_match_ref'
branch_labels = None
depends_on = None

# Rows stored before keep their compression; new ones are compressed with lz4 where the server
# has it (PostgreSQL 14+ built with lz4), otherwise nothing changes.
SET_COMPRESSION = """DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_settings
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
    ALTER TABLE deliveries ALTER COLUMN body SET COMPRESSION {method};
  END IF;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(SET_COMPRESSION.format(method='lz4'))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(SET_COMPRESSION.format(method='DEFAULT'))
