"""Linear connector failures: RATELIMITED back-off, 5xx retries, auth checks, malformed answers."""
from __future__ import annotations

import time

import pytest

from connector.errors import MalformedResponse, RetriesExhausted, TrackerUnavailable
from connector.linear.client import seconds_until_reset
from tests.connector.conftest import LINEAR_URL
from tests.connector.linear_payloads import error, issues_page, node, operation

GRAPHQL = f"{LINEAR_URL}/graphql"
VIEWER = {"data": {"viewer": {"id": "u1", "name": "Bot", "email": "bot@acme.test"},
                   "organization": {"id": "o1", "name": "Acme", "urlKey": "acme"},
                   "teams": {"nodes": [{"id": "t1"}]}}}


def test_ratelimited_400_waits_until_the_reset_header_then_succeeds(http, linear, sleeps):
    reset_ms = int(time.time() * 1000) + 5000
    http.post(GRAPHQL, status=400, json=error("RATELIMITED", "Rate limit exceeded"),
              headers={"X-RateLimit-Requests-Remaining": "0", "X-RateLimit-Requests-Reset": str(reset_ms)})
    http.post(GRAPHQL, json=issues_page([node(1)], None))
    assert len(linear.fetch_changed(None).items) == 1
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0


def test_reset_wait_follows_the_exhausted_limit():
    headers = {"X-RateLimit-Requests-Remaining": "10", "X-RateLimit-Requests-Reset": "9000",
               "X-RateLimit-Complexity-Remaining": "0", "X-RateLimit-Complexity-Reset": "3000"}
    assert seconds_until_reset(headers, now_ms=1000) == 2.0
    assert seconds_until_reset({}, now_ms=1000) is None


def test_server_errors_are_retried_until_the_budget_is_spent(http, linear, sleeps):
    for _ in range(4):
        http.post(GRAPHQL, status=503, body="upstream unavailable")
    with pytest.raises(RetriesExhausted) as raised:
        linear.fetch_changed(None)
    assert isinstance(raised.value.__cause__, TrackerUnavailable)
    assert len(sleeps) == 3


def test_connection_check_reports_rejected_key(http, linear):
    http.post(GRAPHQL, status=400, json=error("AUTHENTICATION_ERROR", "Authentication required, not authenticated"))
    check = linear.test_connection()
    assert not check.ok and "rejected the credentials" in check.problems[0]


def test_connection_check_reports_http_401(http, linear):
    http.post(GRAPHQL, status=401, body="Unauthorized")
    assert "rejected the credentials" in linear.test_connection().problems[0]


def test_connection_check_reports_forbidden_scope(http, linear):
    http.post(GRAPHQL, status=400, json=error("FORBIDDEN", "Invalid scope: read required"))
    check = linear.test_connection()
    assert not check.ok and "read scope" in check.problems[0]


def test_connection_check_requires_a_visible_team(http, linear):
    no_team = {"data": {**VIEWER["data"], "teams": {"nodes": []}}}
    http.post(GRAPHQL, match=operation("Viewer"), json=no_team)
    check = linear.test_connection()
    assert (check.ok, check.account, check.missing_permissions) == (False, "bot@acme.test", ("team access",))


def test_connection_check_passes_with_viewer_and_team(http, linear):
    http.post(GRAPHQL, match=operation("Viewer"), json=VIEWER)
    assert linear.test_connection().ok


def test_non_json_answer_is_malformed(http, linear):
    http.post(GRAPHQL, body="<html>oops</html>", content_type="text/html")
    with pytest.raises(MalformedResponse):
        linear.fetch_changed(None)


def test_truncated_answer_is_malformed(http, linear):
    http.post(GRAPHQL, body='{"data": {"issues": {"nodes": [{"id": "uuid-1", "ident', content_type="application/json")
    with pytest.raises(MalformedResponse):
        linear.fetch_changed(None)


def test_answer_without_the_issues_connection_is_malformed(http, linear):
    http.post(GRAPHQL, json={"data": {"somethingElse": {}}})
    with pytest.raises(MalformedResponse, match="issues"):
        linear.fetch_changed(None)


def test_issue_node_without_state_is_malformed(http, linear):
    broken = node(1)
    del broken["state"]
    http.post(GRAPHQL, json=issues_page([broken], None))
    with pytest.raises(MalformedResponse, match="state"):
        linear.fetch_changed(None)
