"""Jira connector failures: 429 back-off, 5xx retries, auth and permission checks, bad bodies."""
from __future__ import annotations

import pytest
import requests
from responses import matchers

from connector.errors import MalformedResponse, NotFound, RetriesExhausted, TrackerUnavailable
from tests.connector.conftest import JIRA_DC_URL, JIRA_URL
from tests.connector.jira_payloads import cloud_page, issue

SEARCH = f"{JIRA_URL}/rest/api/3/search/jql"
MYSELF = f"{JIRA_URL}/rest/api/3/myself"
PERMISSIONS = f"{JIRA_URL}/rest/api/3/mypermissions"
NEEDED = "BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES,ADD_COMMENTS,LINK_ISSUES"


def _granted(*missing: str) -> dict:
    return {"permissions": {p: {"key": p, "havePermission": p not in missing} for p in NEEDED.split(",")}}


def test_rate_limit_waits_retry_after_then_succeeds(http, jira_cloud, sleeps):
    http.post(SEARCH, status=429, headers={"Retry-After": "7"}, json={"errorMessages": ["slow down"]})
    http.post(SEARCH, json=cloud_page([issue(2)], None))
    assert [i.key for i in jira_cloud.fetch_changed(None).items] == ["OKR-2"]
    assert sleeps == [7.0]


def test_rate_limit_without_retry_after_backs_off_exponentially_with_jitter(http, jira_cloud, sleeps):
    for _ in range(3):
        http.post(SEARCH, status=429)
    http.post(SEARCH, json=cloud_page([], None))
    jira_cloud.fetch_changed(None)
    assert len(sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(sleeps, (0.5, 1.0, 2.0)))


def test_server_errors_are_retried_then_succeed(http, jira_cloud, sleeps):
    http.post(SEARCH, status=502, body="<html>bad gateway</html>")
    http.post(SEARCH, status=503, body="")
    http.post(SEARCH, json=cloud_page([issue(2)], None))
    assert len(jira_cloud.fetch_changed(None).items) == 1
    assert len(sleeps) == 2


def test_retries_exhausted_after_the_attempt_budget_names_the_last_error(http, jira_cloud, sleeps):
    for _ in range(4):
        http.post(SEARCH, status=500, json={"errorMessages": ["Internal server error"]})
    with pytest.raises(RetriesExhausted, match="4 attempts") as raised:
        jira_cloud.fetch_changed(None)
    assert isinstance(raised.value.__cause__, TrackerUnavailable)
    assert len(sleeps) == 3


def test_timeouts_are_retried_like_server_errors(http, jira_cloud, sleeps):
    http.post(SEARCH, body=requests.Timeout("read timed out"))
    http.post(SEARCH, json=cloud_page([], None))
    assert jira_cloud.fetch_changed(None).items == []
    assert len(sleeps) == 1


def test_connection_check_reports_rejected_credentials(http, jira_cloud):
    http.get(MYSELF, status=401, json={"errorMessages": ["Client must be authenticated"]})
    check = jira_cloud.test_connection()
    assert not check.ok and "rejected the credentials (401)" in check.problems[0]


def test_connection_check_reports_forbidden_account(http, jira_cloud):
    http.get(MYSELF, status=403, json={"errorMessages": ["Forbidden"]})
    check = jira_cloud.test_connection()
    assert not check.ok and "refused access (403)" in check.problems[0]


def test_connection_check_names_each_missing_permission(http, jira_cloud):
    http.get(MYSELF, json={"accountId": "a1", "displayName": "OKR Bot"})
    http.get(PERMISSIONS, match=[matchers.query_param_matcher({"permissions": NEEDED})],
             json=_granted("CREATE_ISSUES", "LINK_ISSUES"))
    check = jira_cloud.test_connection()
    assert (check.ok, check.account, check.missing_permissions) == (False, "OKR Bot", ("CREATE_ISSUES", "LINK_ISSUES"))
    assert check.problems == ("The account lacks the Jira permission CREATE_ISSUES.",
                              "The account lacks the Jira permission LINK_ISSUES.")


def test_connection_check_passes_on_datacenter_v2(http, jira_dc):
    http.get(f"{JIRA_DC_URL}/rest/api/2/myself", json={"name": "okrbot", "displayName": "OKR Bot"})
    http.get(f"{JIRA_DC_URL}/rest/api/2/mypermissions", json=_granted())
    assert jira_dc.test_connection().ok


def test_connection_check_reports_wrong_base_url(http, jira_cloud):
    http.get(MYSELF, status=404, body="<html>Not here</html>")
    check = jira_cloud.test_connection()
    assert not check.ok and "No Jira REST API" in check.problems[0]


def test_body_that_is_not_json_is_malformed(http, jira_cloud):
    http.post(SEARCH, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(MalformedResponse, match="not JSON"):
        jira_cloud.fetch_changed(None)


def test_truncated_json_body_is_malformed(http, jira_cloud):
    http.post(SEARCH, body='{"issues": [{"id": "10002", "key": "OKR-2", "fie', content_type="application/json")
    with pytest.raises(MalformedResponse):
        jira_cloud.fetch_changed(None)


def test_answer_without_issues_list_is_malformed(http, jira_cloud):
    http.post(SEARCH, json={"values": []})
    with pytest.raises(MalformedResponse, match="'issues'"):
        jira_cloud.fetch_changed(None)


def test_issue_without_status_is_malformed(http, jira_cloud):
    broken = issue(2)
    del broken["fields"]["status"]
    http.post(SEARCH, json=cloud_page([broken], None))
    with pytest.raises(MalformedResponse, match="status"):
        jira_cloud.fetch_changed(None)


def test_missing_issue_comments_raise_not_found(http, jira_cloud):
    http.get(f"{JIRA_URL}/rest/api/3/issue/OKR-404/comment", status=404,
             json={"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
    with pytest.raises(NotFound, match="does not exist"):
        jira_cloud.list_comments("OKR-404")


def test_connection_check_warns_when_the_account_time_zone_differs_from_the_setting(http, jira_cloud):
    http.get(MYSELF, json={"accountId": "a1", "displayName": "OKR Bot", "timeZone": "Europe/Berlin"})
    http.get(PERMISSIONS, json=_granted())
    check = jira_cloud.test_connection()
    assert check.ok and "Europe/Berlin" in check.warnings[0]
