"""Each way a delivery is refused has its status, its JSON answer and stores nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from okr_core.domain import TrackerKind
from okr_core.models import Delivery
from tests.webhooks.intake.intake_helpers import (
    add_connection, deliveries, fixture_delivery, now_ms, post, restamp_linear,
)
from tests.webhooks.webhook_signing import fixture_body, signed_headers
from webhooks.events import MAX_BODY_BYTES

JIRA, LINEAR = TrackerKind.JIRA, TrackerKind.LINEAR


def _refused(app, response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]["code"] == code
    assert deliveries(app) == []


def test_missing_signature_is_401(app, client, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    del headers["X-Hub-Signature"]
    _refused(app, post(client, "jira", jira_id, body, headers), 401, "signature-missing")


def test_wrong_signature_is_401(app, client, linear_id):
    body, headers = fixture_delivery(LINEAR, "issue__update")
    headers["Linear-Signature"] = "0" * 64
    _refused(app, post(client, "linear", linear_id, body, headers), 401, "signature-mismatch")


def test_body_changed_after_signing_is_401(app, client, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved")
    tampered = body.replace(b'"Done"', b'"Fine"', 1)
    _refused(app, post(client, "jira", jira_id, tampered, headers), 401, "signature-mismatch")


def test_signed_delivery_without_configured_secret_is_401(app, client, sim):
    unsigned = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"},
                              secret=None)
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    _refused(app, post(client, "jira", unsigned, body, headers), 401, "secret-not-configured")


def test_unsigned_delivery_to_a_connection_without_secret_is_401_and_not_stored(app, client, sim):
    bare = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"},
                          secret=None)
    body, _ = fixture_delivery(JIRA, "jira_issue_created__basic")
    _refused(app, post(client, "jira", bare, body, {}), 401, "secret-not-configured")


@pytest.mark.parametrize("offset_ms", [-61_000, 61_000], ids=["stale", "future"])
def test_linear_timestamp_over_a_minute_away_is_401(app, client, linear_id, offset_ms):
    body = restamp_linear(fixture_body(LINEAR, "issue__update"), now_ms() + offset_ms)
    headers = signed_headers(LINEAR, body, "late-1")
    _refused(app, post(client, "linear", linear_id, body, headers), 401, "stale-timestamp")


def test_body_that_is_not_json_is_400(app, client, jira_id):
    body = b"{not json"
    _refused(app, post(client, "jira", jira_id, body, signed_headers(JIRA, body)), 400, "not-json")


def test_json_that_is_not_an_object_is_400(app, client, jira_id):
    body = b'[{"webhookEvent": "jira:issue_created"}]'
    response = post(client, "jira", jira_id, body, signed_headers(JIRA, body))
    _refused(app, response, 400, "not-an-object")


def test_body_one_byte_over_five_mib_is_413(app, client, jira_id):
    body = b" " * MAX_BODY_BYTES + b"{"
    assert len(body) == MAX_BODY_BYTES + 1
    response = post(client, "jira", jira_id, body, signed_headers(JIRA, body))
    _refused(app, response, 413, "body-too-large")


def test_body_of_exactly_five_mib_is_accepted(app, client, jira_id):
    payload = fixture_body(JIRA, "jira_issue_created__basic")
    body = payload + b" " * (MAX_BODY_BYTES - len(payload))
    response = post(client, "jira", jira_id, body, signed_headers(JIRA, body, "big-1"))
    assert response.status_code == 200, response.get_json()


def test_unknown_connection_is_404(app, client, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    _refused(app, post(client, "jira", jira_id + 999, body, headers), 404, "unknown-connection")


def test_connection_of_another_tracker_is_404(app, client, linear_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    _refused(app, post(client, "jira", linear_id, body, headers), 404, "unknown-connection")


def test_unknown_tracker_in_url_is_404(app, client, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    _refused(app, post(client, "github", jira_id, body, headers), 404, "unknown-connection")


def test_store_that_cannot_persist_is_503_so_the_tracker_retries(app, client, jira_id):
    with app.extensions["okrsync.engine"].begin() as conn:
        conn.execute(text(f"DROP TABLE {Delivery.__tablename__}"))
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    response = post(client, "jira", jira_id, body, headers)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "store-unavailable"


def test_database_that_refuses_connections_is_503(settings):
    from okrsync.app import create_app

    # Nothing listens on port 1: every connection attempt is refused at once.
    down = settings.with_overrides(database_url="postgresql://postgres@127.0.0.1:1/test")
    app = create_app({"TESTING": True}, settings=down)
    body, headers = fixture_delivery(JIRA, "jira_issue_created__basic")
    response = post(app.test_client(), "jira", 1, body, headers)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "store-unavailable"
    app.extensions["okrsync.queue"].shutdown()
