"""On PostgreSQL a delivery body is compressed with lz4, whether the table was made from the models
or by the migrations, and it reads back byte for byte; downgrading puts the default back."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from okr_core.models import Base, Connection, Delivery
from okr_core.store import make_engine
from okrsync.dbmigrate import alembic_config, upgrade
from tests.conftest import BACKENDS

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL only")

# Over 2 KB, so PostgreSQL compresses it; varied enough not to shrink to nothing.
BODY = json.dumps({"issue": {"fields": {f"customfield_{n}": f"value {n * 7919}"
                                        for n in range(400)}}}).encode()


def _body_compression(engine) -> str:
    """The column's compression setting: 'l' for lz4, '' for the server's default."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'deliveries'::regclass AND attname = 'body'")).scalar()


def _server_has_lz4(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
            " WHERE name = 'default_toast_compression'")).scalar())


def _store_and_read_back(engine) -> tuple[bytes, str]:
    """Store one delivery with BODY; (its body read back, the method that compressed it)."""
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        connection_id = conn.execute(insert(Connection).values(
            tracker="jira", name="c", base_url="https://93.184.216.34",
            credentials_encrypted="x", settings={}).returning(Connection.id)).scalar()
        delivery_id = conn.execute(insert(Delivery).values(
            connection_id=connection_id, dedupe_key="k", event_type="jira:issue_updated",
            body=BODY, state="pending", attempts=0, received_at=now).returning(Delivery.id)).scalar()
    with engine.connect() as conn:
        return tuple(conn.execute(select(Delivery.body, text("pg_column_compression(body)"))
                                  .where(Delivery.id == delivery_id)).one())


def test_a_table_made_from_the_models_compresses_bodies_with_lz4(pg_schema_url):
    engine = make_engine(pg_schema_url)
    try:
        if not _server_has_lz4(engine):
            pytest.skip("this PostgreSQL has no lz4")
        Base.metadata.create_all(engine)
        assert _body_compression(engine) == "l"
        assert _store_and_read_back(engine) == (BODY, "lz4")
    finally:
        engine.dispose()


def test_the_migration_sets_lz4_and_its_downgrade_puts_the_default_back(pg_schema_url):
    engine = make_engine(pg_schema_url)
    try:
        if not _server_has_lz4(engine):
            pytest.skip("this PostgreSQL has no lz4")
        upgrade(pg_schema_url, "i20_link_match_ref")
        assert _body_compression(engine) == ""
        upgrade(pg_schema_url)
        assert _body_compression(engine) == "l"
        assert _store_and_read_back(engine) == (BODY, "lz4")
        command.downgrade(alembic_config(pg_schema_url), "i20_link_match_ref")
        assert _body_compression(engine) == ""
    finally:
        engine.dispose()
