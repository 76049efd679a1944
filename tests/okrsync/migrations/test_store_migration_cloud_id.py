"""Migration i19_connection_cloud_id: a cloud id kept in a connection's settings (what the Forge
README used to ask for) becomes the connection's `cloud_id`, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from okr_core.store import make_engine
from okrsync.dbmigrate import alembic_config, check, upgrade

INSERT = text("INSERT INTO connections (id, tracker, name, base_url, credentials_encrypted, "
              "webhook_secret_encrypted, settings, created_at, updated_at) VALUES "
              "(:id, 'jira', :name, 'https://acme.atlassian.net', '', '', :settings, "
              "'2026-12-01 00:00:00', '2026-12-01 00:00:00')")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at_0002(request, tmp_path) -> str:
    url = (f"sqlite:///{tmp_path / 'at-0002.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_schema_url"))
    command.upgrade(alembic_config(url), "0002")
    return url


def test_a_cloud_id_in_the_settings_moves_to_the_column(store_at_0002):
    engine = make_engine(store_at_0002)
    try:
        with engine.begin() as conn:
            conn.execute(INSERT, {"id": 1, "name": "Set", "settings": '{"cloud_id": " abc-123 "}'})
            conn.execute(INSERT, {"id": 2, "name": "Unset", "settings": '{"deployment": "cloud"}'})
            conn.execute(INSERT, {"id": 3, "name": "Odd", "settings": '{"cloud_id": 7}'})
        upgrade(store_at_0002)
        check(store_at_0002)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, cloud_id FROM connections")).all())
        assert rows == {1: "abc-123", 2: None, 3: None}
        command.downgrade(alembic_config(store_at_0002), "0002")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM connections")).scalar() == 3
    finally:
        engine.dispose()
