"""Failing deliveries are retried, end up failed with their error, and can be retried by hand."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from okr_core.domain import TrackerKind
from okr_core.models import Delivery
from okr_core.store import session_scope
from plumbing.handoff import DELIVERY_RETRY
from plumbing.sweeper import retry_failed_deliveries, sweep
from tests.webhooks.intake.intake_helpers import deliveries, fixture_delivery, item, post

JIRA = TrackerKind.JIRA
TRIMMED = "jira_issue_updated__assigned_empty_changelog"  # issue 10001 must be re-read


def test_delivery_whose_reread_keeps_failing_ends_failed_with_its_error(app, client, jira_id, sim):
    sim.auth_ok = False
    body, headers = fixture_delivery(JIRA, TRIMMED)
    assert post(client, "jira", jira_id, body, headers).status_code == 200
    app.extensions["okrsync.queue"].drain()
    [row] = deliveries(app)
    assert (row.state, row.attempts) == ("failed", DELIVERY_RETRY.max + 1)
    assert row.last_error.startswith("AuthenticationFailed")
    assert item(app, jira_id, "10001") is None


def test_failed_delivery_retried_by_hand_is_applied_once_the_tracker_recovers(
        app, client, jira_id, sim):
    sim.auth_ok = False
    body, headers = fixture_delivery(JIRA, TRIMMED)
    post(client, "jira", jira_id, body, headers)
    app.extensions["okrsync.queue"].drain()
    sim.auth_ok = True
    with app.app_context():
        assert retry_failed_deliveries(jira_id) == 1
    app.extensions["okrsync.queue"].drain()
    [row] = deliveries(app)
    assert (row.state, row.attempts, row.last_error) == ("done", 1, None)
    assert item(app, jira_id, "10001").key == sim.store.get("10001").key


def test_sweeper_requeues_only_pending_deliveries_handed_over_long_ago(app, jira_id):
    body, _ = fixture_delivery(JIRA, "jira_issue_updated__resolved")
    now = datetime.now(timezone.utc)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        for key, handed_over in (("stale", now - timedelta(minutes=2)), ("fresh", now),
                                 ("never", None)):
            session.add(Delivery(connection_id=jira_id, dedupe_key=key, body=body,
                                 event_type="jira:issue_updated", enqueued_at=handed_over))
        session.add(Delivery(connection_id=jira_id, dedupe_key="old-done", body=body,
                             event_type="jira:issue_updated", state="done",
                             enqueued_at=now - timedelta(hours=1)))
    with app.app_context():
        assert sweep(now=now) == 2
    app.extensions["okrsync.queue"].drain()
    states = {d.dedupe_key: (d.state, d.attempts) for d in deliveries(app)}
    assert states == {"stale": ("done", 1), "never": ("done", 1), "fresh": ("pending", 0),
                      "old-done": ("done", 0)}
