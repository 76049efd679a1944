"""Fault fixtures: an app whose PostgreSQL a test can cut away and bring back."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from config.settings import Settings
from okr_core.models import Base
from okr_core.store import make_engine
from tests.faults.tcp_proxy import TcpProxy


@pytest.fixture
def proxied_app(pg_schema_url, tmp_path, encryption_key):
    """An app whose PostgreSQL is reached through a proxy the test can cut."""
    from okrsync.app import create_app

    target = urlsplit(pg_schema_url)
    proxy = TcpProxy(target.hostname, target.port).start()
    url = urlunsplit(target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}"))
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    settings = Settings(instance_path=tmp_path / "instance", database_url=url,
                        secret_key="test-secret-key-store-down", encryption_keys=(encryption_key,))
    # Connection lookups reused for a minute: the insert, not the lookup, meets the outage.
    app = create_app({"TESTING": True, "WEBHOOK_CONNECTION_TTL": 60, "EMBEDDED_RETRY_SCALE": 0.0},
                     settings=settings)
    yield app, proxy
    proxy.cut()
    app.extensions["okrsync.queue"].shutdown()
    app.extensions["okrsync.engine"].dispose()
