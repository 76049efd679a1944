"""Jira connector reads against mocked REST: paging, increments, mapping, comments, links."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from responses import matchers

from connector.base import TrackedScope
from connector.jira.connector import JiraConnector
from okr_core.domain import BlockingRelation, LinkKind, StatusCategory
from tests.connector.conftest import JIRA_DC_URL, JIRA_URL
from tests.connector.jira_payloads import cloud_page, dc_page, issue

FIELDS = ["summary", "status", "resolution", "updated", "parent", "labels", "assignee", "issuetype", "customfield_10016"]
DC_FIELDS = FIELDS[:-1] + ["customfield_10002", "customfield_10014"]
SEARCH = f"{JIRA_URL}/rest/api/3/search/jql"
BULKFETCH = f"{JIRA_URL}/rest/api/3/issue/bulkfetch"
MYSELF = f"{JIRA_URL}/rest/api/3/myself"
OKR = TrackedScope(containers=("OKR",), parents=("OKR-1",))
BOUND = '(project in ("OKR") OR parent in ("OKR-1"))'


def _pages(connector, since=None):
    items, cursor = [], None
    while True:
        page = connector.fetch_changed(since, cursor, scope=OKR)
        items.extend(page.items)
        if (cursor := page.next_cursor) is None:
            return items


def test_cloud_fetch_follows_next_page_token_until_last_page(http, jira_cloud):
    jql = f"{BOUND} ORDER BY updated ASC"   # Cloud refuses a search without a restriction
    http.post(SEARCH, match=[matchers.json_params_matcher({"jql": jql, "maxResults": 2, "fields": FIELDS})],
              json=cloud_page([issue(2), issue(3)], "tok-2"))
    http.post(SEARCH, match=[matchers.json_params_matcher(
        {"jql": jql, "maxResults": 2, "fields": FIELDS, "nextPageToken": "tok-2"})],
        json=cloud_page([issue(4)], None))
    assert [i.key for i in _pages(jira_cloud)] == ["OKR-2", "OKR-3", "OKR-4"]


def test_datacenter_fetch_pages_by_start_at_over_v2_search(http, jira_dc):
    url = f"{JIRA_DC_URL}/rest/api/2/search"
    body = {"jql": '(project in ("OKR") OR "Epic Link" in ("OKR-1")) ORDER BY updated ASC',
            "maxResults": 2, "fields": DC_FIELDS}
    bearer = matchers.header_matcher({"authorization": "Bearer pat"})  # TokenAuth spells it lowercase
    http.post(url, match=[matchers.json_params_matcher({**body, "startAt": 0}), bearer],
              json=dc_page([issue(2, points_field="customfield_10002"), issue(3)], 0, 3))
    http.post(url, match=[matchers.json_params_matcher({**body, "startAt": 2})],
              json=dc_page([issue(4, points_field="customfield_10002")], 2, 3))
    items = _pages(jira_dc)
    assert [i.key for i in items] == ["OKR-2", "OKR-3", "OKR-4"]
    assert items[0].estimate == 3.0 and items[1].estimate is None


def test_datacenter_epic_link_resolves_through_the_epic_link_field(http, jira_dc):
    story = issue(2, parent=None, points_field="customfield_10002")
    story["fields"]["customfield_10014"] = "OKR-1"
    http.post(f"{JIRA_DC_URL}/rest/api/2/search",
              match=[matchers.json_params_matcher({"jql": '"Epic Link" = "OKR-1"'}, strict_match=False)],
              json=dc_page([story], 0, 1))
    assert jira_dc.resolve_link(LinkKind.EPIC, "OKR-1").items[0].parent_ref == "OKR-1"


def test_incremental_fetch_asks_for_updated_since_the_minute_in_the_zone_myself_reports(http, jira_cloud):
    # JQL dates are read in the API user's zone: 10:15 UTC is 02:15 in Los Angeles (PST).
    http.get(MYSELF, json={"accountId": "a", "timeZone": "America/Los_Angeles"})
    since = datetime(2026, 11, 2, 10, 15, 42, tzinfo=timezone.utc)
    jql = f'{BOUND} AND updated >= "2026-11-02 02:15" ORDER BY updated ASC'
    http.post(SEARCH, match=[matchers.json_params_matcher({"jql": jql, "maxResults": 2, "fields": FIELDS})],
              json=cloud_page([], None), )
    http.post(SEARCH, json=cloud_page([], None))
    assert jira_cloud.fetch_changed(since, scope=OKR).items == []
    jira_cloud.fetch_changed(since, scope=OKR)   # /myself once: responses has no second answer
    assert [c.request.url for c in http.calls].count(MYSELF) == 1


def test_incremental_fetch_falls_back_to_the_configured_zone_when_myself_names_none(http, sleeps):
    connector = JiraConnector.from_config(JIRA_URL, {"email": "e", "api_token": "t"},
                                          {"timezone": "Europe/Berlin", "story_points_field": "sp"})
    http.get(MYSELF, json={"accountId": "a"})
    jql = 'updated >= "2026-11-02 11:15" ORDER BY updated ASC'
    http.post(SEARCH, match=[matchers.json_params_matcher({"jql": jql}, strict_match=False)],
              json=cloud_page([], None))
    connector.fetch_changed(datetime(2026, 11, 2, 10, 15, tzinfo=timezone.utc))


def test_a_connection_that_tracks_nothing_reads_nothing_and_asks_nothing(http, jira_cloud):
    assert jira_cloud.fetch_changed(None, scope=TrackedScope()).items == []
    assert len(http.calls) == 0


def test_issue_maps_done_category_epic_parent_points_and_labels(http, jira_cloud):
    http.post(SEARCH, json=cloud_page([issue(7, category="done", status="Closed", points=5)], None))
    item = jira_cloud.fetch_changed(None, scope=OKR).items[0]
    assert (item.external_id, item.key, item.status_category, item.status_name) == \
        ("10007", "OKR-7", StatusCategory.DONE, "Closed")
    assert (item.estimate, item.parent_ref, item.labels, item.assignee) == (5.0, "OKR-1", ("backend",), "acct-7")
    assert item.updated_at == datetime(2026, 11, 2, 9, 15, tzinfo=timezone.utc)
    assert item.url == f"{JIRA_URL}/browse/OKR-7"


def test_story_points_field_is_discovered_once_from_the_field_list(http, sleeps):
    connector = JiraConnector.from_config(JIRA_URL, {"email": "e", "api_token": "t"}, {}, sleep=sleeps.append)
    http.get(f"{JIRA_URL}/rest/api/3/field", json=[
        {"id": "summary", "name": "Summary"}, {"id": "customfield_10016", "name": "Story point estimate"}])
    http.post(SEARCH, match=[matchers.json_params_matcher({"fields": FIELDS}, strict_match=False)],
              json=cloud_page([issue(2)], None))
    http.post(SEARCH, json=cloud_page([], None))
    assert connector.fetch_changed(None, scope=OKR).items[0].estimate == 3.0
    connector.fetch_changed(None, scope=OKR)   # no second /field call: responses would fail on it


def test_links_resolve_to_issue_epic_jql_and_mirror_queries(http, jira_cloud):
    expected = {
        LinkKind.ISSUE: 'issue = "OKR-9"',
        LinkKind.EPIC: 'parent = "OKR-1"',
        LinkKind.JQL: 'project = OKR AND priority = P1',
        LinkKind.MIRROR: 'issue in linkedIssues("OKR-5")',
    }
    refs = {LinkKind.ISSUE: "OKR-9", LinkKind.EPIC: "OKR-1", LinkKind.JQL: "project = OKR AND priority = P1",
            LinkKind.MIRROR: "OKR-5"}
    for jql in expected.values():
        http.post(SEARCH, match=[matchers.json_params_matcher({"jql": jql}, strict_match=False)],
                  json=cloud_page([issue(9)], None))
    for kind, ref in refs.items():
        assert jira_cloud.resolve_link(kind, ref).items[0].key == "OKR-9"


def test_get_items_reads_by_id_with_bulkfetch_which_leaves_deleted_ones_out(http, jira_cloud):
    # `issue in (...)` is refused whole when one key is gone; bulkfetch answers the others.
    http.post(BULKFETCH, match=[matchers.json_params_matcher(
        {"issueIdsOrKeys": ["10002", "OKR-3", "OKR-404"], "fields": FIELDS})],
        json={"issues": [issue(2), issue(3)], "issueErrors": []})
    assert [i.key for i in jira_cloud.get_items(["10002", "OKR-3", "OKR-404"])] == ["OKR-2", "OKR-3"]


def test_comments_are_paged_and_adf_bodies_become_text(http, jira_cloud):
    url = f"{JIRA_URL}/rest/api/3/issue/OKR-2/comment"
    adf = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Blocked by "}, {"type": "text", "text": "design"}]}]}
    raw = {"id": "1", "body": adf, "author": {"accountId": "a1"},
           "created": "2026-11-02T09:00:00.000+0000", "updated": "2026-11-02T09:00:00.000+0000"}
    http.get(url, match=[matchers.query_param_matcher({"startAt": "0", "maxResults": "2", "orderBy": "created"})],
             json={"startAt": 0, "maxResults": 2, "total": 3, "comments": [raw, {**raw, "id": "2"}]})
    http.get(url, match=[matchers.query_param_matcher({"startAt": "2", "maxResults": "2", "orderBy": "created"})],
             json={"startAt": 2, "maxResults": 2, "total": 3, "comments": [{**raw, "id": "3"}]})
    first = jira_cloud.list_comments("OKR-2")
    assert first.items[0].body == "Blocked by design" and first.items[0].author == "a1"
    second = jira_cloud.list_comments("OKR-2", first.next_cursor)
    assert [c.external_id for c in second.items] == ["3"] and second.next_cursor is None


def test_blocking_relations_read_both_link_directions_once(http, jira_cloud):
    blocks = {"type": {"name": "Blocks"}, "outwardIssue": {"id": "10003"}}
    blocked_by = {"type": {"name": "Blocks"}, "inwardIssue": {"id": "10002"}}
    relates = {"type": {"name": "Relates"}, "outwardIssue": {"id": "10009"}}
    http.post(BULKFETCH, match=[matchers.json_params_matcher(
        {"issueIdsOrKeys": ["10002", "10003"], "fields": ["issuelinks"]})],
        json={"issues": [issue(2, links=[blocks, relates]), issue(3, links=[blocked_by])], "issueErrors": []})
    assert jira_cloud.list_blocking_relations(["10002", "10003"]) == [BlockingRelation("10002", "10003")]


def test_points_that_json_has_no_number_for_are_read_as_no_estimate(http, jira_cloud):
    # Python's JSON parser takes NaN and Infinity, which JSON has no numbers for; they must not
    # reach the store (PostgreSQL's bulk insert reads rows as JSON and refuses them) or the sums.
    page = cloud_page([issue(2, points=float("nan")), issue(3, points=float("inf")), issue(4)], None)
    http.post(SEARCH, body=json.dumps(page), content_type="application/json")
    assert [i.estimate for i in _pages(jira_cloud)] == [None, None, 3.0]
