"""`okrsync worker` outlives Redis: a private redis-server is killed and started again."""
from __future__ import annotations

import signal
import time

import pytest

from okr_core.domain import LinkKind, TrackerKind
from tests.faults.private_redis import PrivateRedis
from tests.webhooks.intake.intake_helpers import (
    add_connection, add_linked_kr, deliveries, fixture_delivery, post,
)
from tests.webhooks.intake.worker_process import start_worker, wait_for

ISSUE = "SIM-5"


def _deliver(app, connection_id: int, sim, name: str) -> None:
    def edit(payload):
        payload["issue"]["id"] = sim.issue(ISSUE).jira_id
    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_updated__assigned_empty_changelog",
                                     name, edit=edit)
    assert post(app.test_client(), "jira", connection_id, body, headers).status_code == 200


def _state_of(app, index: int) -> str | None:
    found = deliveries(app)
    return found[index].state if len(found) > index else None


@pytest.mark.slow
def test_the_worker_waits_for_redis_reconnects_and_goes_on(make_app, settings, sim, tmp_path):
    private = PrivateRedis(tmp_path / "redis").start()
    app = make_app(private.url)
    jira_id = add_connection(app, TrackerKind.JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    add_linked_kr(app, jira_id, LinkKind.ISSUE, ISSUE)
    log_path = tmp_path / "worker.log"
    worker = start_worker(settings, log_path, redis_url=private.url)
    try:
        _deliver(app, jira_id, sim, "before-outage")
        wait_for(lambda: _state_of(app, 0) == "done", 30, "the first delivery")
        private.stop()
        time.sleep(4)
        assert worker.poll() is None, log_path.read_text()[-2000:]
        private.start()
        _deliver(app, jira_id, sim, "after-outage")
        wait_for(lambda: _state_of(app, 1) == "done", 60, "the delivery sent after the outage")
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        private.stop()
    log = log_path.read_text()
    # RQ rides out an outage that finds it waiting for a job (its dequeue loop retries); one
    # that hits a heartbeat ends RQ's worker, and then the supervisor waits and starts another.
    supervised = "worker.redis-lost" in log or "worker.stopped-unexpectedly" in log
    assert supervised or "could not connect to Redis" in log or "Error while reading" in log, log[-3000:]
    if supervised:
        assert "worker.redis-unavailable" in log and "worker.redis-reconnected" in log
