"""Never two passes of one connection at once: a DB row claim embedded, a Redis key with Redis."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import redis

from okr_core.domain import TrackerKind
from okr_core.models import SyncState
from sync.jobs import reconcile_job
from sync.reconcile.passes import reconcile_connection
from sync.reconcile.lock import LOCK_SECONDS, PassAlreadyRunning, lock_key, pass_lock
from tests.conftest import REDIS_URL
from tests.sync.sync_world import SyncWorld


def test_a_second_pass_is_refused_while_the_first_holds_the_connection(app, jira, sync_world):
    with app.app_context():
        with pass_lock(jira):
            with pytest.raises(PassAlreadyRunning):
                reconcile_connection(jira)
            reconcile_job(jira)          # the queued job sees the running pass and does nothing
        assert sync_world.sync_state(jira).last_kind is None
        with pass_lock(jira):            # released: the next pass gets it
            pass


def test_a_claim_left_by_a_dead_pass_expires(app, jira, sync_world):
    long_ago = datetime.now(timezone.utc) - timedelta(seconds=LOCK_SECONDS + 60)
    with sync_world.scope() as session:
        session.add(SyncState(connection_id=jira, last_started_at=long_ago, last_counts={}))
    with app.app_context(), pass_lock(jira):
        assert sync_world.sync_state(jira).last_started_at > long_ago


def test_an_unknown_connection_is_a_lookup_error_and_the_job_ignores_it(app):
    with app.app_context():
        with pytest.raises(LookupError):
            reconcile_connection(4242)
        reconcile_job(4242)


@pytest.mark.redis
def test_with_redis_the_lock_is_a_key_with_an_expiry(redis_app, sim):
    world = SyncWorld(redis_app)
    connection = world.connection(TrackerKind.JIRA, sim.url)
    world.team(connection)   # homed in project SIM: the pass reads that project
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(lock_key(connection))
    with redis_app.app_context():
        with pass_lock(connection):
            assert 0 < client.ttl(lock_key(connection)) <= LOCK_SECONDS
            with pytest.raises(PassAlreadyRunning):
                reconcile_connection(connection)
        assert not client.exists(lock_key(connection))
        assert reconcile_connection(connection).items_read == 300
    client.close()


def test_two_claims_at_the_same_instant_let_exactly_one_pass_run(app, jira):
    import threading
    import time

    barrier, outcomes = threading.Barrier(2), []

    def claim():
        with app.app_context():
            barrier.wait()
            try:
                with pass_lock(jira):
                    outcomes.append("ran")
                    time.sleep(0.3)    # still holding when the other one asks
            except PassAlreadyRunning:
                outcomes.append("refused")

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ran", "refused"]
