"""Deliveries on the real Redis queue: outages bridged by the sweeper, workers, link resolutions."""
from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job

from okr_core.domain import LinkKind, TrackerKind
from sync.ingest.deliveries import process_delivery
from plumbing.handoff import HANDOFF_KEY
from plumbing.sweeper import sweep
from plumbing.worker import make_worker
from tests.conftest import REDIS_URL
from tests.webhooks.intake.intake_helpers import (
    add_connection, add_linked_kr, as_issue, deliveries, fixture_delivery, key_result, post,
)

JIRA = TrackerKind.JIRA
NOBODY_LISTENS = "redis://127.0.0.1:6390/15"
ISSUES = 5



@pytest.mark.slow
def test_deliveries_during_a_redis_outage_are_processed_once_it_returns(make_app, redis_db, sim):
    down = make_app(NOBODY_LISTENS)
    jira_id = add_connection(down, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    kr_id = add_linked_kr(down, jira_id, LinkKind.LABEL, "test-label")
    client = down.test_client()
    for number in range(ISSUES):
        body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", f"outage-{number}",
                                         edit=as_issue(number))
        answer = post(client, "jira", jira_id, body, headers)
        assert (answer.status_code, answer.get_json()["status"]) == (200, "accepted")
    stored = deliveries(down)
    assert [(d.state, d.enqueued_at) for d in stored] == [("pending", None)] * ISSUES

    up = make_app(REDIS_URL)
    with up.app_context():
        assert sweep() == ISSUES
        assert sweep() == 0  # just handed over: not swept again before they go stale
    make_worker(up, simple=True).work(burst=True)

    assert [(d.state, d.attempts) for d in deliveries(up)] == [("done", 1)] * ISSUES
    kr = key_result(up, kr_id)
    assert (kr.items_total, kr.items_done, kr.progress) == (ISSUES, ISSUES, 1.0)


def test_delivery_handed_off_on_redis_is_run_by_a_real_worker(make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "queued-1")
    delivery_id = post(app.test_client(), "jira", jira_id, body, headers).get_json()["delivery_id"]
    # The request path only pushes the id; the worker makes its job.
    assert redis_db.lrange(HANDOFF_KEY, 0, -1) == [str(delivery_id).encode()]
    assert Queue("default", connection=redis_db).job_ids == []
    make_worker(app, simple=True).work(burst=True)
    assert deliveries(app)[0].state == "done"
    assert redis_db.llen(HANDOFF_KEY) == 0
    assert Job.fetch(f"delivery-{delivery_id}", connection=redis_db).is_finished


def test_links_only_the_tracker_can_evaluate_are_queued_for_an_item_check(make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    add_linked_kr(app, jira_id, LinkKind.JQL, "project = TES AND statusCategory = Done")
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "jql-1")
    delivery_id = post(app.test_client(), "jira", jira_id, body, headers).get_json()["delivery_id"]
    with app.app_context():
        assert process_delivery(delivery_id) == "done"
        assert process_delivery(delivery_id) == "skipped"
    job_ids = Queue("default", connection=redis_db).job_ids
    # One check of the delivered issue against the JQL link, not a re-read of the whole link.
    checks = [j for j in job_ids if j.startswith("check-links-")]
    assert checks == [f"check-links-delivery-{delivery_id}"] and not any(
        j.startswith("resolve-link-") for j in job_ids)
    job = Job.fetch(checks[0], connection=redis_db)
    assert job.func_name == "sync.ingest.link_item_checks.check_item_links"
    assert job.args == (jira_id, [1], ["10040"])


def test_changed_linear_project_queues_its_links_resolution(make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    linear_id = add_connection(app, TrackerKind.LINEAR, sim.url, {"api_key": "lin_api_sim"})
    add_linked_kr(app, linear_id, LinkKind.PROJECT, "521660ac-782f-4dd9-8928-95dbc9cb4c9b")
    body, headers = fixture_delivery(TrackerKind.LINEAR, "project__create", "project-1")
    answer = post(app.test_client(), "linear", linear_id, body, headers)
    delivery_id = answer.get_json()["delivery_id"]
    with app.app_context():
        assert process_delivery(delivery_id) == "done"
    job_ids = Queue("default", connection=redis_db).job_ids
    assert f"resolve-link-1-delivery-{delivery_id}" in job_ids
