"""Debounced refresh on real Redis: one job per cycle and window, run by a real burst worker."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from tests.sync.analysis.analysis_store import arrange_cycle
from tests.worker_redis import REDIS_URL
from rq.job import Job
from sqlalchemy import select

from okr_core.models import Analysis
from sync.analysis.jobs import request_analysis_refresh
from plumbing.queue import ANALYSIS_QUEUE, get_queue
from plumbing.worker import make_worker

pytestmark = pytest.mark.redis


@pytest.fixture
def settings(settings):
    return settings.with_overrides(redis_url=REDIS_URL)


def _make_due(job_id: str, connection) -> None:
    """Do what RQ's scheduler does when the window closes: move the scheduled job to its queue."""
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    queue = Queue(ANALYSIS_QUEUE, connection=connection)
    job = Job.fetch(job_id, connection=connection)
    assert job.get_status() == "scheduled"          # waits for the end of its window
    ScheduledJobRegistry(queue=queue).remove(job)
    queue.enqueue_job(job)


def test_a_burst_of_refresh_requests_runs_once_when_its_window_closes(app, actors, db):
    app.config["ANALYSIS_DEBOUNCE_SECONDS"] = 60
    arranged = arrange_cycle(app, actors)
    # A window of its own, so reruns and the other backend never meet this job id.
    moment = datetime(2031, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=uuid.uuid4().int % 10**7)
    with app.app_context():
        first = request_analysis_refresh(arranged.cycle_id, moment)
        again = request_analysis_refresh(arranged.cycle_id, moment + timedelta(seconds=30))
        connection = get_queue().connection
    try:
        assert first is not None and again is None
        _make_due(first, connection)
        make_worker(app, queue_names=[ANALYSIS_QUEUE], simple=True).work(burst=True)
        rows = db.scalars(select(Analysis).where(Analysis.cycle_id == arranged.cycle_id)).all()
        assert [(r.scope, r.state) for r in rows] == [("company", "done")]
        assert Job.fetch(first, connection=connection).get_status() == "finished"
    finally:
        Job.fetch(first, connection=connection).delete()
