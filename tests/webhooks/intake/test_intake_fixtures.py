"""Every captured payload, signed now and posted, is acknowledged and lands in the store."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from okr_core.domain import TrackerKind
from okr_core.models import Comment, Delivery, WorkItem
from okr_core.store import session_scope
from tests.webhooks.intake.intake_helpers import fixture_delivery, item, post, store_row
from tests.webhooks.webhook_signing import FIXTURES, TEST_SECRET
from webhooks.events import parse_delivery
from webhooks.routing import is_handled, plan_delivery

OLD = datetime(2001, 1, 1, tzinfo=timezone.utc)
CAPTURED = [(tracker, path.stem) for tracker in TrackerKind
            for path in sorted((FIXTURES / str(tracker) / "webhooks").glob("*.json"))]


def _seed_targets(app, connection_id: int, effect) -> None:
    """Store what deletions delete, so that the test sees them flagged."""
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        for external_id in effect.deletions:
            session.add(WorkItem(connection_id=connection_id, external_id=external_id,
                                 key=f"OLD-{external_id[:8]}", title="old", status_category="todo",
                                 tracker_updated_at=OLD))
        for external_id in effect.comment_deletions:
            session.add(Comment(connection_id=connection_id, external_id=external_id,
                                item_external_id="1", body="old", created_at=OLD))


@pytest.mark.parametrize("tracker,name", CAPTURED, ids=[f"{t}-{n}" for t, n in CAPTURED])
def test_captured_payload_is_acknowledged_and_applied(app, client, sim, jira_id, linear_id,
                                                      tracker, name):
    connection_id = jira_id if tracker is TrackerKind.JIRA else linear_id
    body, headers = fixture_delivery(tracker, name)
    parsed = parse_delivery(tracker, headers, body, TEST_SECRET, datetime.now(timezone.utc))
    effect = plan_delivery(parsed)
    _seed_targets(app, connection_id, effect)

    response = post(client, tracker, connection_id, body, headers)
    app.extensions["okrsync.queue"].drain()

    assert response.status_code == 200, response.get_json()
    row = store_row(app, Delivery, connection_id=connection_id, dedupe_key=parsed.dedupe_key)
    assert row.body == body and row.event_type == parsed.event_type
    assert row.state == ("done" if is_handled(parsed) else "ignored"), row.last_error
    _assert_effect_stored(app, connection_id, effect, sim)


def _assert_effect_stored(app, connection_id: int, effect, sim) -> None:
    for expected in effect.upserts:
        stored = item(app, connection_id, expected.external_id)
        assert (stored.key, stored.title, stored.status_category) == (
            expected.key, expected.title, expected.status_category)
        assert (tuple(stored.labels), stored.parent_ref, stored.tracker_updated_at) == (
            expected.labels, expected.parent_ref, expected.updated_at)
    for external_id in effect.deletions:
        assert item(app, connection_id, external_id).deleted is True
    for expected in effect.comment_upserts:
        stored = store_row(app, Comment, connection_id=connection_id,
                           external_id=expected.external_id)
        assert (stored.body, stored.item_external_id, stored.deleted) == (
            expected.body, expected.item_external_id, False)
    for external_id in effect.comment_deletions:
        assert store_row(app, Comment, connection_id=connection_id,
                         external_id=external_id).deleted is True
    for external_id in effect.reread:
        # Re-read through the connector: the simulator's current version of that issue.
        simulated = sim.store.get(external_id)
        assert item(app, connection_id, external_id).key == simulated.key


def test_unhandled_event_is_stored_as_ignored_and_never_queued(app, client, linear_id):
    body, headers = fixture_delivery(TrackerKind.LINEAR, "project_update__create")
    response = post(client, "linear", linear_id, body, headers)
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    row = store_row(app, Delivery, connection_id=linear_id)
    assert (row.state, row.enqueued_at, row.attempts) == ("ignored", None, 0)


def test_unknown_event_type_is_answered_200_and_stored_ignored(app, client, jira_id):
    def rename(payload):
        payload["webhookEvent"] = "jira:something_new"

    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_created__basic", edit=rename)
    response = post(client, "jira", jira_id, body, headers)
    assert response.status_code == 200
    assert store_row(app, Delivery, connection_id=jira_id).state == "ignored"
    assert item(app, jira_id, "10040") is None


def test_duplicate_delivery_answers_200_and_changes_nothing(app, client, jira_id):
    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_updated__resolved", "dup-1")
    first = post(client, "jira", jira_id, body, headers)
    app.extensions["okrsync.queue"].drain()
    stored = item(app, jira_id, "10040")
    second = post(client, "jira", jira_id, body, headers)
    app.extensions["okrsync.queue"].drain()
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["status"] == "duplicate"
    assert store_row(app, Delivery, connection_id=jira_id).attempts == 1
    assert item(app, jira_id, "10040").synced_at == stored.synced_at


def test_delivery_without_id_header_is_deduplicated_by_body_hash(app, client, linear_id):
    body, headers = fixture_delivery(TrackerKind.LINEAR, "issue__create_complex")
    del headers["Linear-Delivery"]
    answers = [post(client, "linear", linear_id, body, headers).get_json()["status"]
               for _ in range(2)]
    assert answers == ["accepted", "duplicate"]


# Text no store can keep: U+0000 (PostgreSQL refuses it) and a lone half of a UTF-16 pair, which
# JSON may escape ("\\ud800") and no UTF-8 store can encode.
UNSTORABLE = pytest.mark.parametrize("odd, stored", [("\u0000", ""), ("\ud800", "\ufffd")],
                                     ids=["nul", "lone-surrogate"])


@UNSTORABLE
def test_unstorable_text_in_an_issue_is_applied_without_it(app, client, jira_id, odd, stored):
    def odd_summary(payload):
        payload["issue"]["fields"]["summary"] = f"Fix{odd} login"

    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_updated__resolved", edit=odd_summary)
    assert post(client, "jira", jira_id, body, headers).status_code == 200
    app.extensions["okrsync.queue"].drain()
    assert store_row(app, Delivery, connection_id=jira_id).state == "done"
    assert item(app, jira_id, "10040").title == f"Fix{stored} login"


@UNSTORABLE
def test_unstorable_text_in_an_event_type_is_stored_without_it(app, client, jira_id, odd, stored):
    def rename(payload):
        payload["webhookEvent"] = f"jira:something{odd}new"

    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_created__basic", edit=rename)
    response = post(client, "jira", jira_id, body, headers)
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    assert store_row(app, Delivery, connection_id=jira_id).event_type == f"jira:something{stored}new"
