"""Busy connections reuse their lookup for a few seconds; a changed secret applies after that."""
from __future__ import annotations

from sqlalchemy import event

from okr_core.domain import TrackerKind
from okr_core.models import Connection
from okr_core.store import session_scope
from tests.webhooks.intake.intake_helpers import fixture_delivery, post

JIRA = TrackerKind.JIRA
NAME = "jira_issue_updated__resolved"


def _statements(app, client, connection_id: int, delivery_id: str) -> list[str]:
    seen: list[str] = []
    engine = app.extensions["okrsync.engine"]

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        body, headers = fixture_delivery(JIRA, NAME, delivery_id)
        assert post(client, JIRA, connection_id, body, headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _change_secret(app, connection_id: int, secret: str) -> None:
    box = app.extensions["okrsync.secret_box"]
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.get(Connection, connection_id).webhook_secret_encrypted = box.encrypt(secret)


def test_a_second_delivery_within_the_ttl_skips_the_connection_lookup(app, client, jira_id):
    app.config["WEBHOOK_CONNECTION_TTL"] = 60
    first = _statements(app, client, jira_id, "cache-1")
    second = _statements(app, client, jira_id, "cache-2")
    # The embedded delivery job runs meanwhile and reads its connection too: match the lookup.
    lookup = "SELECT connections.tracker, connections.webhook_secret_encrypted \nFROM"
    assert any(lookup in s for s in first)
    assert not any(lookup in s for s in second)


def test_a_changed_secret_applies_once_the_lookup_is_older_than_the_ttl(app, client, jira_id):
    app.config["WEBHOOK_CONNECTION_TTL"] = 60
    _statements(app, client, jira_id, "cache-3")
    _change_secret(app, jira_id, "a-brand-new-webhook-secret")
    body, headers = fixture_delivery(JIRA, NAME, "cache-4")     # signed with the old secret
    assert post(client, JIRA, jira_id, body, headers).status_code == 200   # still cached
    app.config["WEBHOOK_CONNECTION_TTL"] = 0                               # the TTL has passed
    body, headers = fixture_delivery(JIRA, NAME, "cache-5")
    assert post(client, JIRA, jira_id, body, headers).status_code == 401
