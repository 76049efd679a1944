"""On PostgreSQL, concurrent copies and concurrent deliveries still take effect exactly once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from okr_core.domain import LinkKind, StatusCategory, TrackerKind
from okr_core.models import Delivery
from okr_core.store import session_scope
from sync.ingest.deliveries import process_delivery
from tests.webhooks.intake.intake_helpers import (
    add_linked_kr, as_issue, deliveries, fixture_delivery, item, key_result, post, snapshot_count,
)

JIRA = TrackerKind.JIRA
COPIES = 5


@pytest.fixture
def database_url(pg_schema_url):
    """These tests are about PostgreSQL's row locks and unique constraints."""
    return pg_schema_url


def run_together(count: int, task) -> list:
    """Run `task(i)` on `count` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def start(index):
        barrier.wait()
        return task(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(start, range(count)))


def store_pending(app, connection_id: int, body: bytes, key: str, event: str) -> int:
    """A delivery as the view stores it, not yet handed to any queue."""
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = Delivery(connection_id=connection_id, dedupe_key=key, event_type=event, body=body)
        session.add(row)
        session.flush()
        return row.id


def test_same_delivery_posted_five_times_at_once_has_one_effect(app, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.ISSUE, "TES-41")
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "same-delivery")

    def send(_):
        return post(app.test_client(), "jira", jira_id, body, headers)

    answers = run_together(COPIES, send)
    app.extensions["okrsync.queue"].drain()
    assert [a.status_code for a in answers] == [200] * COPIES
    assert sorted(a.get_json()["status"] for a in answers) == ["accepted"] + ["duplicate"] * 4
    [row] = deliveries(app)
    assert (row.state, row.attempts) == ("done", 1)
    assert key_result(app, kr_id).items_done == 1
    assert snapshot_count(app, kr_id) == 1


def test_one_delivery_processed_by_five_jobs_at_once_is_applied_once(app, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.ISSUE, "TES-41")
    body, _ = fixture_delivery(JIRA, "jira_issue_updated__resolved")
    delivery_id = store_pending(app, jira_id, body, "five-jobs", "jira:issue_updated")

    def job(_):
        with app.app_context():
            return process_delivery(delivery_id)

    outcomes = run_together(COPIES, job)
    assert sorted(outcomes) == ["done"] + ["skipped"] * 4
    assert deliveries(app)[0].attempts == 1
    assert snapshot_count(app, kr_id) == 1


def test_reordered_deliveries_processed_at_once_keep_the_newest_state(app, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.ISSUE, "TES-41")
    names = ["jira_issue_updated__started_working", "jira_issue_updated__resolved",
             "jira_issue_updated__reopened", "jira_issue_updated__assigned"]  # oldest first
    ids = [store_pending(app, jira_id, fixture_delivery(JIRA, name)[0], name, "jira:issue_updated")
           for name in reversed(names)]

    def job(index):
        with app.app_context():
            return process_delivery(ids[index])

    run_together(len(ids), job)
    stored = item(app, jira_id, "10040")
    assert (stored.tracker_updated_at.minute, stored.status_category) == (18, StatusCategory.TODO)
    assert key_result(app, kr_id).items_done == 0


def test_concurrent_deliveries_for_one_key_result_lose_no_update(app, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.LABEL, "test-label")
    ids = [store_pending(app, jira_id, fixture_delivery(
        JIRA, "jira_issue_updated__resolved", edit=as_issue(n, 20000))[0], f"issue-{n}",
        "jira:issue_updated") for n in range(6)]

    def job(index):
        with app.app_context():
            return process_delivery(ids[index])

    assert run_together(len(ids), job) == ["done"] * len(ids)
    kr = key_result(app, kr_id)
    assert (kr.items_total, kr.items_done, kr.progress) == (6, 6, 1.0)
