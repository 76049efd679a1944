"""Connectors end to end against the simulated tracker: paging counts, faults, runtime changes."""
from __future__ import annotations

import math

import pytest

from connector.base import TrackedScope
from connector.paging import all_items
from connector.registry import build_connector
from okr_core.domain import LinkKind, StatusCategory
from tests.simtracker import SimTracker

JIRA_CLOUD = {"email": "bot@example.com", "api_token": "t"}
JIRA_DC = {"personal_access_token": "pat"}
SIM = TrackedScope(containers=("SIM",))   # Jira Cloud refuses searches without a restriction


def _everything(connector, since=None) -> list:
    return list(all_items(lambda since, cursor: connector.fetch_changed(since, cursor, scope=SIM), since))


def _connector(sim, tracker, sleeps, **settings):
    credentials = {"jira-cloud": JIRA_CLOUD, "jira-dc": JIRA_DC, "linear": {"api_key": "k"}}[tracker]
    return build_connector(tracker.split("-")[0], sim.url, credentials, settings, sleep=sleeps.append)


TRACKERS = ["jira-cloud", "jira-dc", "linear"]


@pytest.mark.parametrize("tracker", TRACKERS)
def test_fetch_returns_every_issue_exactly_once_through_injected_faults(tracker):
    sleeps: list[float] = []
    with SimTracker.start(issues=450, page_size=100) as sim:
        connector = _connector(sim, tracker, sleeps)
        sim.inject("429")
        sim.inject("503", 2)
        sim.inject("truncate")
        items = _everything(connector)
        assert sorted(i.key for i in items) == sorted(sim.keys())
        assert len({i.external_id for i in items}) == len(items)
        assert [c.fault for c in sim.calls[:4]] == ["429", "503", "503", "truncate"]
    assert len(sleeps) == 4 and 0.9 <= sleeps[0] <= 1.0   # 429: the tracker's own wait, then back-off


@pytest.mark.parametrize("tracker", TRACKERS)
def test_slow_answer_times_out_and_is_retried(tracker):
    sleeps: list[float] = []
    with SimTracker.start(issues=30) as sim:
        sim.slow_seconds = 1.0
        connector = _connector(sim, tracker, sleeps, timeout=0.2)
        sim.inject("slow")
        assert len(_everything(connector)) == 30
    assert len(sleeps) == 1


@pytest.mark.parametrize("tracker", TRACKERS)
def test_malformed_answer_raises_malformed_response(tracker):
    from connector.errors import MalformedResponse

    with SimTracker.start(issues=10) as sim:
        connector = _connector(sim, tracker, [])
        connector.fetch_changed(None, scope=SIM)   # warm up (Jira discovers its points field first)
        sim.inject("malformed")
        with pytest.raises(MalformedResponse):
            connector.fetch_changed(None, scope=SIM)


@pytest.mark.parametrize("tracker", TRACKERS)
def test_changes_made_at_runtime_show_in_the_next_incremental_fetch(tracker):
    with SimTracker.start(issues=200) as sim:
        connector = _connector(sim, tracker, [])
        cursor = max(i.updated_at for i in _everything(connector))
        sim.set_done("SIM-10")
        sim.relabel("SIM-11", ["okr-goal"])
        sim.delete("SIM-12")
        changed = {i.key: i for i in _everything(connector, cursor)}
        assert changed["SIM-10"].status_category is StatusCategory.DONE
        assert changed["SIM-11"].labels == ("okr-goal",)
        if tracker == "linear":          # Linear keeps trashed issues (includeArchived); Jira drops them
            assert changed["SIM-12"].deleted
        else:
            assert "SIM-12" not in changed
            assert "SIM-199" not in changed   # untouched since the cursor minute


def test_moving_an_issue_out_of_its_epic_removes_it_from_the_epic_link():
    with SimTracker.start(issues=120) as sim:
        connector = _connector(sim, "jira-cloud", [])
        epic = "SIM-51"
        members = [i.key for i in connector.resolve_link(LinkKind.EPIC, epic).items]
        sim.move_out_of_epic(members[0])
        assert members[0] not in [i.key for i in connector.resolve_link(LinkKind.EPIC, epic).items]


def test_blocking_relations_match_the_seeded_links():
    with SimTracker.start(issues=30) as sim:
        jira = _connector(sim, "jira-cloud", [])
        linear = _connector(sim, "linear", [])
        seven, six = sim.issue("SIM-7"), sim.issue("SIM-6")
        jira_pairs = jira.list_blocking_relations([six.jira_id, seven.jira_id])
        linear_pairs = linear.list_blocking_relations([six.linear_id, seven.linear_id])
    assert [(r.blocker_external_id, r.blocked_external_id) for r in jira_pairs] == [(seven.jira_id, six.jira_id)]
    assert [(r.blocker_external_id, r.blocked_external_id) for r in linear_pairs] == \
        [(seven.linear_id, six.linear_id)]


def test_connection_check_against_the_simulator_reports_denied_permission_and_bad_credentials():
    with SimTracker.start(issues=5) as sim:
        jira = _connector(sim, "jira-cloud", [])
        sim.deny_permission("EDIT_ISSUES")
        assert jira.test_connection().missing_permissions == ("EDIT_ISSUES",)
        sim.auth_ok = False
        assert "401" in jira.test_connection().problems[0]
        assert "rejected the credentials" in _connector(sim, "linear", []).test_connection().problems[0]


@pytest.mark.slow
@pytest.mark.parametrize("tracker", TRACKERS)
def test_ten_thousand_issues_take_at_most_one_call_per_page_plus_one(tracker):
    count, page_size = 10_000, (250 if tracker == "linear" else 100)
    with SimTracker.start(issues=count, page_size=100) as sim:
        connector = _connector(sim, tracker, [])
        items = _everything(connector)
        calls = sim.call_count
        assert len(items) == count and len({i.external_id for i in items}) == count
        assert calls <= math.ceil(count / page_size) + 1
        sim.reset_calls()
        sim.inject("429", 2)
        sim.inject("500", 2)
        again = _everything(connector)
        assert sorted(i.key for i in again) == sorted(i.key for i in items)
        assert sim.call_count == calls - (1 if tracker != "linear" else 0) + 4   # points field cached
