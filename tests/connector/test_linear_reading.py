"""Linear connector reads against mocked GraphQL: relay paging, increments, links, mapping."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from responses import matchers

from connector.base import OUTSIDE, TrackedScope
from connector.linear.connector import TEAMS_PAGE_SIZE
from connector.registry import build_connector
from okr_core.domain import BlockingRelation, LinkKind, StatusCategory
from tests.connector.conftest import LINEAR_URL
from tests.connector.linear_payloads import issues_page, node, operation

GRAPHQL = f"{LINEAR_URL}/graphql"


def test_fetch_follows_end_cursor_until_no_next_page(http, linear):
    http.post(GRAPHQL, match=operation("IssuesPage", filter=None, first=2, after=None),
              json=issues_page([node(1), node(2)], "c2"))
    http.post(GRAPHQL, match=operation("IssuesPage", filter=None, first=2, after="c2"),
              json=issues_page([node(3)], None))
    first = linear.fetch_changed(None)
    second = linear.fetch_changed(None, first.next_cursor)
    assert [i.key for i in first.items + second.items] == ["ENG-1", "ENG-2", "ENG-3"]
    assert second.next_cursor is None


def test_incremental_fetch_filters_on_updated_at_after_the_cursor(http, linear):
    since = datetime(2026, 11, 2, 9, 15, 30, 123456, tzinfo=timezone.utc)
    http.post(GRAPHQL, match=operation("IssuesPage", filter={"updatedAt": {"gt": "2026-11-02T09:15:30.123Z"}}),
              json=issues_page([], None))
    assert linear.fetch_changed(since).items == []


def test_a_split_pass_part_reads_its_teams_or_every_team_but_the_listed_ones(http, linear):
    since = datetime(2026, 11, 2, 9, 15, tzinfo=timezone.utc)
    after = {"updatedAt": {"gt": "2026-11-02T09:15:00.000Z"}}
    http.post(GRAPHQL, match=operation("IssuesPage", filter={"and": [after, {"team": {"id": {"in": ["t1"]}}}]}),
              json=issues_page([node(1)], None))
    http.post(GRAPHQL, match=operation("IssuesPage", filter={"team": {"id": {"nin": ["t1", "t2"]}}}),
              json=issues_page([node(2)], None))
    assert [i.key for i in linear.fetch_changed(since, scope=TrackedScope(teams=("t1",))).items] == ["ENG-1"]
    assert [i.key for i in linear.fetch_changed(None, scope=TrackedScope(excluded=("t1", "t2"))).items] == ["ENG-2"]


def test_a_pass_over_what_links_track_is_not_bounded_by_their_projects(http, linear):
    """Linear needs no bound: projects and teams named by links or homes do not narrow a pass."""
    http.post(GRAPHQL, match=operation("IssuesPage", filter=None), json=issues_page([node(1)], None))
    assert len(linear.fetch_changed(None, scope=TrackedScope(containers=("ENG",), parents=("p1",))).items) == 1


def test_teams_are_paged_into_one_part_each_and_one_for_any_other_team(http, linear):
    http.post(GRAPHQL, match=operation("Teams", first=TEAMS_PAGE_SIZE, after=None),
              json={"data": {"teams": {"nodes": [{"id": "t1"}], "pageInfo": {"hasNextPage": True, "endCursor": "c"}}}})
    http.post(GRAPHQL, match=operation("Teams", first=TEAMS_PAGE_SIZE, after="c"),
              json={"data": {"teams": {"nodes": [{"id": "t2"}], "pageInfo": {"hasNextPage": False, "endCursor": None}}}})
    parts = linear.split_scope(TrackedScope())
    assert parts == {"t1": TrackedScope(teams=("t1",)), "t2": TrackedScope(teams=("t2",)),
                     OUTSIDE: TrackedScope(excluded=("t1", "t2"))}


def test_states_map_completed_to_done_and_canceled_or_duplicate_to_canceled(http, linear):
    nodes = [node(1, "completed"), node(2, "canceled"), node(3, "duplicate"), node(4, "started"),
             node(5, "backlog"), node(6, "triage", archived="2026-11-03T00:00:00.000Z")]
    http.post(GRAPHQL, json=issues_page(nodes, None))
    items = linear.fetch_changed(None).items
    assert [i.status_category for i in items] == [
        StatusCategory.DONE, StatusCategory.CANCELED, StatusCategory.CANCELED,
        StatusCategory.IN_PROGRESS, StatusCategory.TODO, StatusCategory.TODO]
    assert [i.deleted for i in items] == [False] * 5 + [True]
    assert (items[0].estimate, items[0].parent_ref, items[0].labels) == (2.0, "proj-1", ("backend",))


def test_links_become_issue_filters(http, linear):
    filters = {
        LinkKind.PROJECT: ("p1", {"project": {"id": {"eq": "p1"}}}),
        LinkKind.INITIATIVE: ("i1", {"project": {"initiatives": {"some": {"id": {"eq": "i1"}}}}}),
        LinkKind.LABEL: ("l1", {"labels": {"some": {"id": {"eq": "l1"}}}}),
        LinkKind.FILTER: (json.dumps({"priority": {"eq": 1}}), {"priority": {"eq": 1}}),
    }
    for _, wanted in filters.values():
        http.post(GRAPHQL, match=operation("IssuesPage", filter=wanted), json=issues_page([node(1)], None))
    for kind, (ref, _) in filters.items():
        assert linear.resolve_link(kind, ref).items[0].key == "ENG-1"


def test_issue_link_reads_one_issue_and_a_missing_one_is_empty(http, linear):
    http.post(GRAPHQL, match=operation("IssueById", id="ENG-1"), json={"data": {"issue": node(1)}})
    http.post(GRAPHQL, match=operation("IssueById", id="ENG-404"),
              json={"data": None, "errors": [{"message": "Entity not found: Issue",
                                              "extensions": {"code": "INVALID_INPUT"}}]})
    assert [i.key for i in linear.resolve_link(LinkKind.ISSUE, "ENG-1").items] == ["ENG-1"]
    assert linear.resolve_link(LinkKind.ISSUE, "ENG-404").items == []


def test_get_items_filters_by_id_in(http, linear):
    http.post(GRAPHQL, match=operation("IssuesPage", filter={"id": {"in": ["uuid-1", "uuid-2"]}}),
              json=issues_page([node(1), node(2)], None))
    assert len(linear.get_items(["uuid-1", "uuid-2"])) == 2


def test_comments_are_paged(http, linear):
    comment = {"id": "c1", "body": "Blocked on API review", "createdAt": "2026-11-02T09:00:00.000Z",
               "updatedAt": "2026-11-02T09:00:00.000Z", "user": {"id": "user-1"}}
    http.post(GRAPHQL, match=operation("IssueComments", id="uuid-1", first=50, after=None), json={"data": {
        "issue": {"id": "uuid-1", "comments": {"nodes": [comment], "pageInfo": {"hasNextPage": True,
                                                                                "endCursor": "k"}}}}})
    page = linear.list_comments("uuid-1")
    assert (page.items[0].body, page.items[0].author, page.next_cursor) == ("Blocked on API review", "user-1", "k")


def test_blocking_relations_come_from_both_directions(http, linear):
    nodes = [{"id": "uuid-1", "relations": {"nodes": [{"type": "blocks", "relatedIssue": {"id": "uuid-2"}},
                                                      {"type": "related", "relatedIssue": {"id": "uuid-9"}}]},
              "inverseRelations": {"nodes": [{"type": "blocks", "issue": {"id": "uuid-3"}}]}},
             {"id": "uuid-2", "relations": {"nodes": []},
              "inverseRelations": {"nodes": [{"type": "blocks", "issue": {"id": "uuid-1"}}]}}]
    http.post(GRAPHQL, match=operation("IssueRelations", filter={"id": {"in": ["uuid-1", "uuid-2"]}}),
              json={"data": {"issues": {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}})
    assert linear.list_blocking_relations(["uuid-1", "uuid-2"]) == [
        BlockingRelation("uuid-1", "uuid-2"), BlockingRelation("uuid-3", "uuid-1")]


def test_personal_key_is_sent_bare_and_oauth_token_as_bearer(http, linear):
    http.post(GRAPHQL, match=[matchers.header_matcher({"Authorization": "lin_api_key"})],
              json=issues_page([], None))
    http.post(GRAPHQL, match=[matchers.header_matcher({"Authorization": "Bearer oauth-tok"})],
              json=issues_page([], None))
    linear.fetch_changed(None)
    oauth = build_connector("linear", LINEAR_URL, {"oauth_token": "oauth-tok"}, {})
    oauth.fetch_changed(None)


def test_an_estimate_that_is_not_a_finite_number_is_read_as_no_estimate(http, linear):
    page = issues_page([node(1, estimate=float("nan")), node(2, estimate=float("-inf")),
                        node(3, estimate="lots"), node(4)], None)
    http.post(GRAPHQL, body=json.dumps(page), content_type="application/json")
    assert [i.estimate for i in linear.fetch_changed(None).items] == [None, None, None, 2.0]
