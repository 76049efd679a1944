"""PostgreSQL going away (a proxy in front of it is cut): the API and intake answer 503, never 500."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import select

from config.settings import Settings
from okr_core.domain import Role, TrackerKind
from okr_core.models import Base, Delivery
from okr_core.store import make_engine, session_scope
from tests.conftest import Actors
from tests.faults.tcp_proxy import TcpProxy
from tests.webhooks.intake.intake_helpers import add_connection, as_issue, fixture_delivery, post

JIRA = TrackerKind.JIRA


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
    app = create_app({"TESTING": True, "WEBHOOK_CONNECTION_TTL": 60,
                                         "EMBEDDED_RETRY_SCALE": 0.0}, settings=settings)
    yield app, proxy
    proxy.cut()
    app.extensions["okrsync.queue"].shutdown()
    app.extensions["okrsync.engine"].dispose()


def test_the_api_answers_503_in_the_error_format_while_the_store_is_down(proxied_app):
    app, proxy = proxied_app
    _, admin = Actors(app).user(Role.ADMIN)
    client = app.test_client()
    assert client.get("/api/v1/cycles", headers=admin).status_code == 200
    proxy.cut()
    for path in ("/api/v1/cycles", "/api/v1/objectives", "/api/v1/teams"):
        response = client.get(path, headers=admin)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:200])
        assert response.get_json()["error"]["code"] == "store_unavailable"
        assert response.headers["Retry-After"]
    proxy.start()
    assert client.get("/api/v1/cycles", headers=admin).status_code == 200


def test_intake_answers_503_to_every_delivery_while_the_store_is_down(proxied_app):
    app, proxy = proxied_app
    connection = add_connection(app, JIRA, "https://93.184.216.34", {"email": "a@b.test", "api_token": "t"})
    client = app.test_client()
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "warm-up")
    assert post(client, JIRA, connection, body, headers).status_code == 200
    proxy.cut()
    statuses = [post(client, JIRA, connection, *fixture_delivery(
        JIRA, "jira_issue_updated__resolved", f"down-{n}", as_issue(n))).status_code
        for n in range(64)]
    assert set(statuses) == {503}
    proxy.start()
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "down-0", as_issue(0))
    assert post(client, JIRA, connection, body, headers).status_code == 200
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        keys = session.scalars(select(Delivery.dedupe_key)).all()
    assert sorted(keys) == ["down-0", "warm-up"]
