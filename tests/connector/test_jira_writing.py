"""Jira writes: idempotent epic / KR mirrors, descriptions and comments in each body format."""
from __future__ import annotations

import pytest
from responses import matchers

from connector.base import Mirror, MirrorKind, MirrorSpec
from connector.errors import TrackerUnavailable
from connector.jira.mapping import text_to_adf
from tests.connector.conftest import JIRA_DC_URL, JIRA_URL
from tests.connector.jira_payloads import cloud_page

SEARCH = f"{JIRA_URL}/rest/api/3/search/jql"
OBJECTIVE = MirrorSpec(MirrorKind.OBJECTIVE, "17", "Delight customers", "Why it matters", "OKR")
KR = MirrorSpec(MirrorKind.KEY_RESULT, "42", "NPS from 30 to 45", "Target 45, now 31", "OKR", parent_ref="OKR-1")


def _find(http, label: str, issues: list[dict]):
    jql = f'labels = "{label}" ORDER BY created ASC'
    http.post(SEARCH, match=[matchers.json_params_matcher({"jql": jql, "maxResults": 1, "fields": ["summary"]})],
              json=cloud_page(issues, None))


def test_objective_mirror_is_an_epic_labelled_okr_and_findable(http, jira_cloud):
    _find(http, "okrsync-objective-17", [])
    fields = {"project": {"key": "OKR"}, "issuetype": {"name": "Epic"}, "summary": "[OKR] Delight customers",
              "labels": ["okr", "okrsync-objective-17"], "description": text_to_adf("Why it matters")}
    http.post(f"{JIRA_URL}/rest/api/3/issue", status=201, match=[matchers.json_params_matcher({"fields": fields})],
              json={"id": "10100", "key": "OKR-100", "self": "x"})
    mirror = jira_cloud.create_mirror(OBJECTIVE)
    assert mirror == Mirror(MirrorKind.OBJECTIVE, "17", "10100", "OKR-100", f"{JIRA_URL}/browse/OKR-100")


def test_kr_mirror_is_a_child_issue_of_the_epic_with_the_configured_type(http, jira_cloud):
    _find(http, "okrsync-kr-42", [])
    fields = {"project": {"key": "OKR"}, "issuetype": {"name": "Task"}, "summary": "NPS from 30 to 45",
              "labels": ["okr", "okrsync-kr-42"], "description": text_to_adf("Target 45, now 31"),
              "parent": {"key": "OKR-1"}}
    http.post(f"{JIRA_URL}/rest/api/3/issue", status=201, match=[matchers.json_params_matcher({"fields": fields})],
              json={"id": "10101", "key": "OKR-101"})
    assert jira_cloud.create_mirror(KR).key == "OKR-101"


def test_creating_an_existing_mirror_returns_it_without_creating_another(http, jira_cloud):
    _find(http, "okrsync-kr-42", [{"id": "10101", "key": "OKR-101", "fields": {"summary": "NPS"}}])
    assert jira_cloud.create_mirror(KR).external_id == "10101"   # a POST would hit no mock and fail


def test_failed_create_is_not_retried_because_jira_may_have_applied_it(http, jira_cloud, sleeps):
    _find(http, "okrsync-kr-42", [])
    http.post(f"{JIRA_URL}/rest/api/3/issue", status=503)
    with pytest.raises(TrackerUnavailable):
        jira_cloud.create_mirror(KR)
    assert sleeps == []


def test_kr_description_update_puts_adf_on_cloud(http, jira_cloud):
    http.put(f"{JIRA_URL}/rest/api/3/issue/OKR-101", status=204,
             match=[matchers.json_params_matcher({"fields": {"description": text_to_adf("Target 45\nNow 38")}})])
    jira_cloud.update_kr_description("OKR-101", "Target 45\nNow 38")


def test_mirror_update_rewrites_summary_and_description_as_wiki_text_on_datacenter(http, jira_dc):
    fields = {"summary": "[OKR] Delight customers", "description": "Why it matters"}
    http.put(f"{JIRA_DC_URL}/rest/api/2/issue/OKR-100", status=204,
             match=[matchers.json_params_matcher({"fields": fields})])
    mirror = Mirror(MirrorKind.OBJECTIVE, "17", "10100", "OKR-100")
    assert jira_dc.update_mirror(mirror, OBJECTIVE) == mirror


def test_comment_is_posted_and_returned_as_a_domain_comment(http, jira_cloud):
    http.post(f"{JIRA_URL}/rest/api/3/issue/OKR-2/comment", status=201,
              match=[matchers.json_params_matcher({"body": text_to_adf("KR is at risk")})],
              json={"id": "77", "body": text_to_adf("KR is at risk"), "author": {"accountId": "bot"},
                    "created": "2026-11-02T09:00:00.000+0000", "updated": "2026-11-02T09:00:00.000+0000"})
    comment = jira_cloud.add_comment("OKR-2", "KR is at risk")
    assert (comment.external_id, comment.item_external_id, comment.body) == ("77", "OKR-2", "KR is at risk")


def test_mirror_label_keeps_only_characters_jira_labels_allow(http, jira_cloud):
    _find(http, "okrsync-objective-a-b-c", [])
    assert jira_cloud.find_mirror(MirrorKind.OBJECTIVE, "a b/c") is None
