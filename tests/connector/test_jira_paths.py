"""Every method + path the Jira connector calls exists in Atlassian's published OpenAPI document."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from connector.registry import build_connector
from tests.connector.exercise import exercise_jira
from tests.simtracker import SimTracker

OPENAPI = Path(__file__).parents[1] / "fixtures" / "specs" / "jira-openapi.json"

# The document is Cloud's; Data Center speaks v2, whose paths Cloud mirrors under v3 except these.
DATACENTER_ONLY = {
    # Paged search (startAt/maxResults/total): removed from Cloud (CHANGE-2046), still the DC API.
    # https://docs.atlassian.com/software/jira/docs/api/REST/9.12.0/#api/2/search-searchUsingSearchRequest
    ("POST", "/rest/api/2/search"),
}


def _templates() -> dict[str, set[str]]:
    """Path regex -> allowed methods, from the OpenAPI document."""
    paths = json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"]
    return {"^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$": {m.upper() for m in ops}
            for p, ops in paths.items()}


def _documented(method: str, path: str, templates: dict[str, set[str]]) -> bool:
    return any(re.match(regex, path) and method in methods for regex, methods in templates.items())


@pytest.mark.parametrize("credentials", [{"email": "bot@example.com", "api_token": "t"},
                                         {"personal_access_token": "pat"}], ids=["cloud", "datacenter"])
def test_every_jira_call_is_in_the_published_openapi(credentials):
    templates = _templates()
    with SimTracker.start(issues=120, page_size=50) as sim:
        connector = build_connector("jira", sim.url, credentials, {}, sleep=lambda _: None)
        exercise_jira(connector, sim)
        sent = {(call.method, call.path) for call in sim.calls}
    assert all(call.status < 400 for call in sim.calls), [c for c in sim.calls if c.status >= 400]
    assert len({m for m, _ in sent}) == 4 and len(sent) >= 8   # GET, POST, PUT and DELETE
    undocumented = [
        (method, path) for method, path in sorted(sent)
        if (method, path) not in DATACENTER_ONLY
        and not _documented(method, path.replace("/rest/api/2/", "/rest/api/3/"), templates)
    ]
    assert undocumented == []


def test_the_removed_cloud_search_is_never_called_on_cloud():
    with SimTracker.start(issues=60, page_size=50) as sim:
        connector = build_connector("jira", sim.url, {"email": "e", "api_token": "t"}, {}, sleep=lambda _: None)
        exercise_jira(connector, sim)
        assert not [c for c in sim.calls if c.path in ("/rest/api/3/search", "/rest/api/2/search")]
