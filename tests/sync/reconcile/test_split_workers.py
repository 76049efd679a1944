"""A split pass on real RQ: two `okrsync worker` processes read its projects, nothing counted twice."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from redis import Redis
from rq import Worker
from rq.job import Job
from rq.registry import FinishedJobRegistry

from okr_core.domain import LinkKind, TrackerKind
from okr_core.models import Base
from okr_core.store import make_engine
from plumbing.queue import enqueue
from sync.reconcile.passes import reconcile_connection
from sync.reconcile.split import SPLIT
from tests.conftest import REDIS_URL
from tests.simtracker import SimTracker
from tests.sync.sync_world import SyncWorld
from tests.webhooks.intake.worker_process import start_worker, stop_worker, wait_for

ISSUES, PROJECTS = 600, 3
pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def slow_sim():
    """Three projects answering in 20 ms, so each part keeps its worker busy for a while."""
    with SimTracker.start(issues=ISSUES, page_size=50, linear_page_size=50, projects=PROJECTS,
                          latency_ms=20) as tracker:
        yield tracker


@pytest.fixture
def rq_app(settings, pg_schema_url, slow_sim):
    """PostgreSQL, the test Redis (flushed) for queue and locks, the simulator allowed outbound."""
    from okrsync.app import create_app

    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    settings = settings.with_overrides(database_url=pg_schema_url, redis_url=REDIS_URL,
                                       outbound_allowlist=(urlsplit(slow_sim.url).netloc,))
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True}, settings=settings)
    yield app
    app.extensions["okrsync.queue"].shutdown()
    app.extensions["okrsync.engine"].dispose()
    redis.flushdb()


def linked(world: SyncWorld, sim, split: bool) -> tuple[int, list[int]]:
    connection = world.connection(TrackerKind.JIRA, sim.url, page_size=50, reconcile_split=split,
                                  reconcile_minutes=0)   # no scheduled pass meanwhile
    epics = [i.key for i in sim.store.live() if i.issuetype == "Epic"]
    return connection, [world.linked_kr(connection, LinkKind.EPIC, epic) for epic in epics]


def finished(state) -> bool:
    return state is not None and state.last_kind == "full" and SPLIT not in state.last_counts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)   # the store is rq_app's PostgreSQL
def test_two_workers_split_a_first_pass_and_count_as_one_pass_does(rq_app, slow_sim, tmp_path):
    world = SyncWorld(rq_app)
    whole, whole_krs = linked(world, slow_sim, split=False)
    parted, parted_krs = linked(world, slow_sim, split=True)
    with rq_app.app_context():
        reconcile_connection(whole, full=True)        # the baseline: one pass in this process
    redis = Redis.from_url(REDIS_URL)
    workers = [start_worker(rq_app.config["SETTINGS"], tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        wait_for(lambda: len(Worker.all(connection=redis)) == 2, 180, "two RQ workers")
        with rq_app.app_context():
            enqueue("reconcile", parted, True)
        wait_for(lambda: finished(world.sync_state(parted)), 180, "the split pass")
    finally:
        for worker in workers:
            stop_worker(worker)
    state = world.sync_state(parted)
    assert state.last_error is None and state.last_counts["items_read"] == ISSUES
    assert world.item_count(parted) == world.item_count(whole) == ISSUES   # (connection, id) is unique
    krs = [(world.kr(kr).items_total, world.kr(kr).items_done) for kr in parted_krs]
    assert krs == [(world.kr(kr).items_total, world.kr(kr).items_done) for kr in whole_krs]
    assert sum(total for total, _ in krs) > ISSUES / 2
    jobs = Job.fetch_many(FinishedJobRegistry("default", connection=redis).get_job_ids(), connection=redis)
    parts = [job for job in jobs if job.func_name.endswith("reconcile_part_job")]
    # Each project once, and once what lies outside them (epic children elsewhere: none here).
    assert sorted(job.args[2] for job in parts) == ["*", "SIM", "SIM2", "SIM3"]
    assert len({job.worker_name for job in parts}) == 2                      # both workers read
    assert sum(job.func_name.endswith("finish_split_job") for job in jobs) == 1
