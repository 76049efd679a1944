"""PostgreSQL going away (a proxy in front of it is cut): the API and intake answer 503, never 500."""
from __future__ import annotations

from sqlalchemy import select

from okr_core.domain import Role, TrackerKind
from okr_core.models import Delivery
from okr_core.store import session_scope
from tests.conftest import Actors
from tests.webhooks.intake.intake_helpers import add_connection, as_issue, fixture_delivery, post

JIRA = TrackerKind.JIRA


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
