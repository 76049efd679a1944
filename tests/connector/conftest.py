"""Fixtures for connector tests: mocked HTTP, recorded sleeps, connectors for each deployment."""
from __future__ import annotations

import pytest
import responses

from connector.registry import build_connector

JIRA_URL = "https://example.atlassian.net"
JIRA_DC_URL = "https://jira.example.internal"
LINEAR_URL = "https://api.linear.app"
FAST_RETRIES = {"max_attempts": 4, "retry_base_delay": 0.5}


@pytest.fixture
def http():
    """`responses` that fails the test when a registered call was never made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps():
    """Seconds the connector asked to sleep, instead of sleeping."""
    return []


@pytest.fixture
def jira_cloud(sleeps):
    settings = {**FAST_RETRIES, "story_points_field": "customfield_10016", "page_size": 2}
    return build_connector("jira", JIRA_URL, {"email": "bot@example.com", "api_token": "tok"},
                           settings, sleep=sleeps.append)


@pytest.fixture
def jira_dc(sleeps):
    settings = {**FAST_RETRIES, "deployment": "datacenter", "story_points_field": "customfield_10002",
                "epic_link_field": "customfield_10014", "page_size": 2}
    return build_connector("jira", JIRA_DC_URL, {"personal_access_token": "pat"}, settings, sleep=sleeps.append)


@pytest.fixture
def linear(sleeps):
    # The viewer's id is known (cached in the connection's settings), so writes ask nothing first.
    settings = {**FAST_RETRIES, "page_size": 2, "site_facts": {"account_id": "user-okrsync"}}
    return build_connector("linear", LINEAR_URL, {"api_key": "lin_api_key"}, settings, sleep=sleeps.append)
