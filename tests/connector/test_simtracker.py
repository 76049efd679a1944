"""The simulated tracker itself: paging like the real APIs, counting, rate limits, lifecycle."""
from __future__ import annotations

import time

import pytest
import requests

from connector.registry import build_connector
from tests.simtracker import SimTracker


def test_jira_search_pages_with_next_page_token_until_is_last():
    with SimTracker.start(issues=250, page_size=100) as sim:
        url, token, pages, keys = f"{sim.url}/rest/api/3/search/jql", None, 0, []
        while True:
            body = {"jql": "project = SIM ORDER BY updated ASC", "maxResults": 500, "fields": ["summary"],
                    **({"nextPageToken": token} if token else {})}
            answer = requests.post(url, json=body, timeout=5).json()
            keys += [i["key"] for i in answer["issues"]]
            pages += 1
            if answer["isLast"]:
                break
            token = answer["nextPageToken"]
        assert (pages, len(set(keys)), sim.call_count) == (3, 250, 3)   # maxResults capped at page_size


def test_linear_answers_relay_pages_newest_first():
    with SimTracker.start(issues=30, linear_page_size=20) as sim:
        payload = {"query": "query IssuesPage { x }", "variables": {"first": 250, "after": None}}
        first = requests.post(f"{sim.url}/graphql", json=payload, timeout=5).json()["data"]["issues"]
        assert len(first["nodes"]) == 20 and first["pageInfo"]["hasNextPage"]
        assert first["nodes"][0]["identifier"] == "SIM-30"


def test_sliding_window_rate_limit_answers_ratelimited_and_the_connector_waits_it_out():
    with SimTracker.start(issues=600) as sim:
        sim.rate_limit(4, per_seconds=0.3)
        connector = build_connector("linear", sim.url, {"api_key": "k"}, {"page_size": 50})
        started, count, cursor = time.monotonic(), 0, None
        while True:
            page = connector.fetch_changed(None, cursor)
            count += len(page.items)
            if (cursor := page.next_cursor) is None:
                break
        limited = [c for c in sim.calls if c.fault == "429"]
    assert count == 600 and limited and all(c.status == 400 for c in limited)
    assert time.monotonic() - started >= 0.6     # 12 pages at 4 per 0.3 s


def test_jira_rate_limit_sends_retry_after_in_whole_seconds():
    with SimTracker.start(issues=5) as sim:
        sim.rate_limit(1, per_seconds=0.2)
        requests.get(f"{sim.url}/rest/api/3/myself", timeout=5)
        limited = requests.get(f"{sim.url}/rest/api/3/myself", timeout=5)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "1")


def test_unknown_fault_is_refused():
    sim = SimTracker(issues=1)
    with pytest.raises(ValueError, match="unknown fault"):
        sim.inject("teapot")


def test_stop_frees_the_port():
    with SimTracker.start(issues=1) as sim:
        url = sim.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/rest/api/3/myself", timeout=2)


def test_fixed_latency_delays_every_answer():
    with SimTracker.start(issues=1, latency_ms=100) as sim:
        started = time.monotonic()
        requests.get(f"{sim.url}/rest/api/3/myself", timeout=5)
        assert time.monotonic() - started >= 0.1


def test_added_issues_links_and_payload_helpers_show_through_both_apis():
    with SimTracker.start(issues=20) as sim:
        new = sim.add_issue("Fresh work", epic_key="SIM-1", points=5.0)
        sim.link_blocks(new.key, "SIM-2")
        jira = build_connector("jira", sim.url, {"email": "e", "api_token": "t"}, {})
        linear = build_connector("linear", sim.url, {"api_key": "k"}, {})
        [item] = jira.get_items([new.key])
        relations = linear.list_blocking_relations([new.linear_id])
        assert (item.parent_ref, item.estimate) == ("SIM-1", 5.0)
        assert [(r.blocker_external_id, r.blocked_external_id) for r in relations] == \
            [(new.linear_id, sim.issue("SIM-2").linear_id)]
        assert sim.jira_issue(new.key)["fields"]["issuelinks"][0]["outwardIssue"]["key"] == "SIM-2"
        assert sim.linear_issue(new.key)["identifier"] == new.key


# -- the simulator refuses what Jira Cloud refuses ------------------------------------------------

def _search(sim, jql: str, path: str = "/rest/api/3/search/jql", **extra):
    body = {"jql": jql, "maxResults": 50, "fields": ["summary"], **extra}
    return requests.post(f"{sim.url}{path}", json=body, timeout=5)


def test_jira_cloud_refuses_unbounded_jql_with_atlassians_message():
    with SimTracker.start(issues=5) as sim:
        refused = _search(sim, "ORDER BY updated ASC")
        assert refused.status_code == 400
        assert refused.json()["errorMessages"] == [
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."]
        assert _search(sim, '(project in ("SIM") OR parent in ("SIM-1")) ORDER BY updated ASC').status_code == 200
        # Data Center's /search has no such rule.
        assert _search(sim, "ORDER BY updated ASC", "/rest/api/2/search").status_code == 200


def test_jira_refuses_issue_in_with_one_missing_key_unless_dc_is_told_to_warn():
    with SimTracker.start(issues=5) as sim:
        sim.delete("SIM-3")
        refused = _search(sim, 'issue in ("SIM-2", "SIM-3")')
        assert refused.status_code == 400
        assert "An issue with key 'SIM-3' does not exist" in refused.json()["errorMessages"][0]
        assert _search(sim, 'issue in ("SIM-2", "SIM-3")', "/rest/api/2/search").status_code == 400
        warned = _search(sim, 'issue in ("SIM-2", "SIM-3")', "/rest/api/2/search", validateQuery="warn")
        assert [i["key"] for i in warned.json()["issues"]] == ["SIM-2"]
        assert _search(sim, 'key = SIM-2', validateQuery="warn").status_code == 400   # not a Cloud field


def test_jira_refuses_parent_in_naming_a_deleted_epic():
    # Atlassian's JQL test TestClausesDependentOnProperties.testSubTaskClausesInvalid:
    # parent = 'HSP-1' -> "An issue with key 'HSP-1' does not exist for field 'parent'."
    with SimTracker.start(issues=120) as sim:
        sim.delete("SIM-51")
        refused = _search(sim, '(project in ("SIM") OR parent in ("SIM-1", "SIM-51"))')
        assert refused.status_code == 400
        assert refused.json()["errorMessages"] == [
            "An issue with key 'SIM-51' does not exist for field 'parent'."]
        assert _search(sim, 'parent in ("SIM-1")').status_code == 200


def test_jira_refuses_a_search_naming_a_deleted_project_and_project_search_leaves_it_out():
    # POST /rest/api/3/jql/parse, example `project = INVALID`:
    # "The value 'INVALID' does not exist for the field 'project'."
    with SimTracker.start(issues=120, projects=3) as sim:
        sim.delete_project("SIM2")
        refused = _search(sim, 'project in ("SIM", "SIM2") OR parent in ("SIM-1")')
        assert refused.status_code == 400
        assert refused.json()["errorMessages"] == ["The value 'SIM2' does not exist for the field 'project'."]
        assert _search(sim, "project = SIM2").status_code == 400
        assert _search(sim, 'project = "NOPE"').json()["errorMessages"] == [
            "The value 'NOPE' does not exist for the field 'project'."]
        url = f"{sim.url}/rest/api/3/project/search"
        found = requests.get(url, params={"keys": ["SIM", "SIM2", "NOPE"]}, timeout=5)
        assert [p["key"] for p in found.json()["values"]] == ["SIM"]
        assert requests.get(url, params={"keys": ["SIM2"]}, timeout=5).status_code == 404
        sim.restore_project("SIM2")
        restored = _search(sim, 'project in ("SIM2")')
        assert restored.status_code == 200 and restored.json()["issues"]


def test_jira_bulkfetch_leaves_missing_issues_out_and_caps_at_100():
    with SimTracker.start(issues=5) as sim:
        sim.delete("SIM-3")
        url = f"{sim.url}/rest/api/3/issue/bulkfetch"
        answer = requests.post(url, json={"issueIdsOrKeys": ["SIM-4", "SIM-3", "10002"],
                                          "fields": ["summary"]}, timeout=5).json()
        assert [i["key"] for i in answer["issues"]] == ["SIM-2", "SIM-4"] and answer["issueErrors"] == []
        too_many = requests.post(url, json={"issueIdsOrKeys": [str(i) for i in range(101)]}, timeout=5)
        assert too_many.status_code == 400


def test_jira_reads_jql_dates_in_the_time_zone_myself_reports():
    with SimTracker.start(issues=5) as sim:
        zone = requests.get(f"{sim.url}/rest/api/3/myself", timeout=5).json()["timeZone"]
        assert zone == sim.jira.time_zone == "America/Los_Angeles"
        newest = sim.issue("SIM-5").updated        # 2026-10-01 00:05 UTC = 2026-09-30 17:05 in LA
        utc_literal = f'project = SIM AND updated >= "{newest:%Y-%m-%d %H:%M}"'
        assert _search(sim, utc_literal).json()["issues"] == []    # read as LA time: 7 h later
        assert len(_search(sim, 'project = SIM AND updated >= "2026-09-30 17:05"').json()["issues"]) == 1


def test_jira_503_carries_retry_after_and_canceled_work_is_done_with_a_resolution():
    with SimTracker.start(issues=5) as sim:
        sim.inject("503")
        answer = requests.get(f"{sim.url}/rest/api/3/myself", timeout=5)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
        sim.set_state("SIM-2", "canceled")
        sim.resolve("SIM-3", "Duplicate")
        fields = {k: sim.jira_issue(k)["fields"] for k in ("SIM-2", "SIM-3")}
        assert {k: (f["status"]["statusCategory"]["key"], f["resolution"]["name"]) for k, f in fields.items()} \
            == {"SIM-2": ("done", "Won't Do"), "SIM-3": ("done", "Duplicate")}


def test_seeded_issues_are_never_updated_in_the_future_however_many():
    """100,000 issues a minute apart from SEED_START would reach past today; the seed starts earlier."""
    from datetime import datetime, timedelta, timezone

    from tests.simtracker.data import SEED_START, seed_start

    now = datetime.now(timezone.utc)
    assert seed_start(500) == SEED_START
    for count in (100_000, 1_000_000):
        assert seed_start(count) + timedelta(minutes=count + 1) < now
