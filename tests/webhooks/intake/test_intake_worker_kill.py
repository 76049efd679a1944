"""A worker and its job killed with SIGKILL mid-job: the delivery still takes effect, once."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from okr_core.domain import LinkKind, TrackerKind
from tests.conftest import REDIS_URL
from tests.webhooks.intake.intake_helpers import (
    add_connection, add_linked_kr, deliveries, fixture_delivery, key_result, post, snapshot_count,
)
from tests.webhooks.intake.worker_process import start_worker, wait_for

ISSUE = "SIM-5"


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid` (RQ's work horse), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def trimmed_update_of(issue_id: str):
    """The captured update without fields: the job must re-read the issue from the tracker."""
    def edit(payload):
        payload["issue"]["id"] = issue_id
    return edit


@pytest.mark.slow
def test_worker_killed_mid_job_leaves_the_delivery_to_be_applied_exactly_once(
        make_app, settings, redis_db, sim, tmp_path):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, TrackerKind.JIRA, sim.url,
                             {"email": "a@b.test", "api_token": "t"})
    kr_id = add_linked_kr(app, jira_id, LinkKind.ISSUE, ISSUE)
    sim.set_done(ISSUE)
    sim.latency_ms = 4000  # every tracker request of the re-read now takes four seconds
    first = start_worker(settings, tmp_path / "worker1.log")
    try:
        body, headers = fixture_delivery(
            TrackerKind.JIRA, "jira_issue_updated__assigned_empty_changelog", "kill-1",
            edit=trimmed_update_of(sim.issue(ISSUE).jira_id))
        assert post(app.test_client(), "jira", jira_id, body, headers).status_code == 200
        wait_for(lambda: sim.calls or None, 20, "the job's re-read to reach the tracker")
        horses = wait_for(lambda: children_of(first.pid), 5, "the work horse")
    finally:
        for pid in [*children_of(first.pid), first.pid]:
            os.kill(pid, signal.SIGKILL)
        first.wait(10)
    assert horses
    [killed] = deliveries(app)
    assert (killed.state, killed.attempts) == ("pending", 0)

    sim.latency_ms = 0
    second = start_worker(settings, tmp_path / "worker2.log")
    try:
        wait_for(lambda: deliveries(app)[0].state == "done", 30, "the sweeper and a new worker")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    [done] = deliveries(app)
    assert done.attempts == 1 and done.last_error is None
    kr = key_result(app, kr_id)
    assert (kr.items_total, kr.items_done, kr.progress) == (1, 1, 1.0)
    assert snapshot_count(app, kr_id) == 1
