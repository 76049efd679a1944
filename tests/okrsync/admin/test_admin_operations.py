"""Sync status, failed deliveries and link resolutions with retry buttons (real Redis queue)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from rq.job import Job
from sqlalchemy import select

from okr_core.domain import CycleStatus, LinkKind, TrackerKind, Visibility
from okr_core.models import (
    AuditEntry, Connection, Cycle, Delivery, KeyResult, Objective, SyncState, WorkLink,
)
from okr_core.store import session_scope
from tests.okrsync.admin.web import post_form, read_rows
from tests.worker_redis import REDIS_URL

pytestmark = pytest.mark.redis
FINISHED = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def settings(settings):
    return settings.with_overrides(redis_url=REDIS_URL)


@pytest.fixture
def queued(app):
    """A function listing (func_name, args) of the jobs queued during the test under a job id
    prefix; found by key, so a worker that already took a job does not hide it. Deleted after."""
    redis = app.extensions["okrsync.queue"].connection
    # Emptied first: delivery jobs have one id each (delivery-<id>), and ids repeat across the
    # stores of earlier tests.
    redis.flushdb()
    before = set(redis.scan_iter("rq:job:*"))

    def jobs(prefix: str) -> list[tuple[str, tuple]]:
        keys = sorted(set(redis.scan_iter(f"rq:job:{prefix}*")) - before)
        found = [Job.fetch(key.decode().removeprefix("rq:job:"), connection=redis)
                 for key in keys]
        return [(job.func_name, job.args) for job in found]

    yield jobs
    for key in set(redis.scan_iter("rq:job:*-admin-retry-*")) - before:
        Job.fetch(key.decode().removeprefix("rq:job:"), connection=redis).delete()


def add(app, row) -> int | None:
    """Store one row; its id when it has one."""
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.add(row)
        session.flush()
        return getattr(row, "id", None)


@pytest.fixture
def connection_id(app) -> int:
    connection_id = add(app, Connection(tracker=TrackerKind.JIRA, name="Acme Jira",
                                        base_url="https://93.184.216.34"))
    add(app, SyncState(connection_id=connection_id, last_kind="incremental", cursor=FINISHED,
                       last_started_at=FINISHED - timedelta(minutes=2), last_finished_at=FINISHED,
                       last_counts={"items_read": 1042, "items_changed": 3, "batches": 2, "seconds_items": 1.5,
                                    "pending_key_results": [7, 9]},
                       last_error="Jira answered 503 twice"))
    return connection_id


def failed_delivery(app, connection_id: int) -> int:
    return add(app, Delivery(connection_id=connection_id, dedupe_key="d-1",
                             event_type="jira:issue_updated", body=b"{}", state="failed",
                             attempts=4, last_error="TrackerUnavailable: 503"))


def test_the_overview_and_connection_page_show_the_sync_status(admin_client, connection_id):
    for page in ("/admin/", f"/admin/connections/{connection_id}"):
        html = admin_client.get(page).get_data(as_text=True)
        assert "2026-11-24 09:30 UTC" in html and "Changes since the last pass" in html, page
        assert "1,042 work items read" in html and "3 changed" in html and "took 1.5 s" in html, page
        assert "2 key results waiting to be recounted" in html and "Jira answered 503 twice" in html, page
        assert not {"items_read", "batches", "seconds", "pending_key_results", "incremental"} & set(html.split()), page


def test_a_failed_delivery_is_listed_and_retried_on_the_queue(app, admin_client, db, queued,
                                                              connection_id):
    delivery_id = failed_delivery(app, connection_id)
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "The tracker did not answer. Try again shortly." in html and "Issue updated" in html
    assert "TrackerUnavailable" not in html and "jira:issue_updated" not in html
    response = post_form(admin_client, "/admin/", f"/admin/deliveries/{delivery_id}/retry")
    assert response.status_code == 302
    (row,) = read_rows(db, select(Delivery))
    assert (row.state, row.attempts) == ("pending", 0) and row.enqueued_at is not None
    redis = app.extensions["okrsync.queue"].connection
    job = Job.fetch(f"delivery-{delivery_id}", connection=redis)
    try:
        assert (job.func_name, job.args, job.get_status()) == \
            ("sync.ingest.deliveries.process_delivery", (delivery_id,), "queued")
    finally:
        job.delete()
    audit = read_rows(db, select(AuditEntry.action).where(AuditEntry.action == "delivery.retried"))
    assert audit == ["delivery.retried"]


def test_only_failed_deliveries_can_be_retried(app, admin_client, queued, connection_id):
    delivery_id = failed_delivery(app, connection_id)
    post_form(admin_client, "/admin/", f"/admin/deliveries/{delivery_id}/retry")
    again = post_form(admin_client, "/admin/", f"/admin/deliveries/{delivery_id}/retry")
    assert again.status_code == 404
    assert post_form(admin_client, "/admin/", "/admin/deliveries/424242/retry").status_code == 404


def test_a_link_that_failed_to_resolve_is_retried_on_the_queue(app, admin_client, queued,
                                                               connection_id):
    cycle = add(app, Cycle(name="Q4", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                           status=CycleStatus.ACTIVE))
    objective = add(app, Objective(cycle_id=cycle, title="Ship", visibility=Visibility.PUBLIC))
    kr = add(app, KeyResult(objective_id=objective, title="Epic done", start_value=0.0,
                            target_value=1.0))
    link = add(app, WorkLink(key_result_id=kr, connection_id=connection_id, kind=LinkKind.EPIC,
                             ref="PLAT-1", last_error="NotFound: PLAT-1"))
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "The tracker found nothing by that name" in html and "NotFound" not in html
    assert f'href="/key-results/{kr}">Epic done</a>' in html and "Jira epic" in html
    assert post_form(admin_client, "/admin/", f"/admin/links/{link}/retry").status_code == 302
    assert queued(f"link-{link}-admin-retry-") == [("sync.jobs.resolve_link", (link,))]


def test_retry_buttons_need_csrf(app, admin_client, connection_id):
    delivery_id = failed_delivery(app, connection_id)
    assert admin_client.post(f"/admin/deliveries/{delivery_id}/retry").status_code == 400
