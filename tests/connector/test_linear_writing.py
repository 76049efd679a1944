"""Linear writes: idempotent initiative / project mirrors, attachments and health updates."""
from __future__ import annotations

from connector.base import Mirror, MirrorKind, MirrorSpec
from connector.linear.mirrors import mirror_uuid
from okr_core.domain import KRStatus
from tests.connector.conftest import LINEAR_URL
from tests.connector.linear_payloads import operation

GRAPHQL = f"{LINEAR_URL}/graphql"
OBJECTIVE = MirrorSpec(MirrorKind.OBJECTIVE, "17", "Delight customers", "Why", "team-1")
KR = MirrorSpec(MirrorKind.KEY_RESULT, "42", "NPS from 30 to 45", "Target 45", "team-1", parent_ref="init-1")


def test_mirror_ids_are_deterministic_per_kind_and_okrsync_id():
    assert mirror_uuid(MirrorKind.KEY_RESULT, "42") == mirror_uuid(MirrorKind.KEY_RESULT, "42")
    assert mirror_uuid(MirrorKind.KEY_RESULT, "42") != mirror_uuid(MirrorKind.OBJECTIVE, "42")
    assert mirror_uuid(MirrorKind.KEY_RESULT, "42") != mirror_uuid(MirrorKind.KEY_RESULT, "42", "other-install")


def test_objective_mirror_creates_an_initiative_with_its_own_id(http, linear):
    wanted = mirror_uuid(MirrorKind.OBJECTIVE, "17")
    http.post(GRAPHQL, match=operation("FindInitiative", id=wanted), json={"data": {"initiatives": {"nodes": []}}})
    made = {"id": wanted, "name": "Delight customers", "url": "https://linear.app/acme/initiative/x"}
    http.post(GRAPHQL, match=operation("CreateInitiative", input={"id": wanted, "name": "Delight customers",
                                                                  "description": "Why"}),
              json={"data": {"initiativeCreate": {"success": True, "initiative": made}}})
    mirror = linear.create_mirror(OBJECTIVE)
    assert (mirror.external_id, mirror.url) == (wanted, made["url"])


def test_kr_mirror_creates_a_project_in_the_team_and_adds_it_to_the_initiative(http, linear):
    wanted = mirror_uuid(MirrorKind.KEY_RESULT, "42")
    http.post(GRAPHQL, match=operation("FindProject", id=wanted), json={"data": {"projects": {"nodes": []}}})
    http.post(GRAPHQL, match=operation("CreateProject", input={
        "id": wanted, "name": "NPS from 30 to 45", "description": "Target 45", "teamIds": ["team-1"]}),
        json={"data": {"projectCreate": {"success": True, "project": {"id": wanted, "name": "NPS"}}}})
    http.post(GRAPHQL, match=operation("AddProjectToInitiative", input={"initiativeId": "init-1", "projectId": wanted}),
              json={"data": {"initiativeToProjectCreate": {"success": True}}})
    assert linear.create_mirror(KR).external_id == wanted


def test_existing_project_is_found_and_not_created_again(http, linear):
    wanted = mirror_uuid(MirrorKind.KEY_RESULT, "42")
    http.post(GRAPHQL, match=operation("FindProject", id=wanted),
              json={"data": {"projects": {"nodes": [{"id": wanted, "name": "NPS", "url": None}]}}})
    assert linear.create_mirror(KR) == Mirror(MirrorKind.KEY_RESULT, "42", wanted, "NPS", None)


def test_project_update_is_posted_with_the_health_for_the_kr_status(http, linear):
    mirror = Mirror(MirrorKind.KEY_RESULT, "42", "proj-1", "NPS")
    http.post(GRAPHQL, match=operation("CreateProjectUpdate", input={
        "projectId": "proj-1", "health": "atRisk", "body": "Behind pace"}),
        json={"data": {"projectUpdateCreate": {"success": True, "projectUpdate": {"id": "pu-1"}}}})
    assert linear.post_status_update(mirror, KRStatus.AT_RISK, "Behind pace") == "pu-1"


def test_initiative_update_carries_off_track_health(http, linear):
    mirror = Mirror(MirrorKind.OBJECTIVE, "17", "init-1", "Delight")
    http.post(GRAPHQL, match=operation("CreateInitiativeUpdate", input={
        "initiativeId": "init-1", "health": "offTrack", "body": "Stalled"}),
        json={"data": {"initiativeUpdateCreate": {"success": True, "initiativeUpdate": {"id": "iu-1"}}}})
    assert linear.post_status_update(mirror, KRStatus.OFF_TRACK, "Stalled") == "iu-1"


def test_a_kr_not_started_posts_its_update_without_a_health(http, linear):
    mirror = Mirror(MirrorKind.KEY_RESULT, "42", "proj-1", "NPS")
    http.post(GRAPHQL, match=operation("CreateProjectUpdate", input={
        "projectId": "proj-1", "body": "No check-in yet"}),
        json={"data": {"projectUpdateCreate": {"success": True, "projectUpdate": {"id": "pu-2"}}}})
    assert linear.post_status_update(mirror, KRStatus.NOT_STARTED, "No check-in yet") == "pu-2"


def test_attachment_is_created_with_issue_url_and_title(http, linear):
    fields = {"issueId": "uuid-1", "url": "https://okr.example/panel/kr/42", "title": "KR: NPS 45 (60%)",
              "subtitle": "on track"}
    http.post(GRAPHQL, match=operation("CreateAttachment", input=fields),
              json={"data": {"attachmentCreate": {"success": True, "attachment": {"id": "att-1"}}}})
    assert linear.write_attachment("uuid-1", fields["url"], fields["title"], "on track") == "att-1"


def test_mirror_update_renames_the_project(http, linear):
    mirror = Mirror(MirrorKind.KEY_RESULT, "42", "proj-1", "NPS")
    http.post(GRAPHQL, match=operation("UpdateProject", id="proj-1",
                                       input={"name": "NPS from 30 to 45", "description": "Target 45"}),
              json={"data": {"projectUpdate": {"success": True, "project": {"id": "proj-1", "name": "NPS 45"}}}})
    assert linear.update_mirror(mirror, KR).key == "NPS 45"


def test_removing_an_attachment_deletes_it_and_tolerates_one_already_gone(http, linear):
    http.post(GRAPHQL, match=operation("DeleteAttachment", id="att-1"),
              json={"data": {"attachmentDelete": {"success": True}}})
    http.post(GRAPHQL, match=operation("DeleteAttachment", id="att-gone"),
              json={"data": None, "errors": [{"message": "Entity not found: Attachment",
                                               "extensions": {"code": "INVALID_INPUT"}}]})
    linear.remove_attachment("att-1")
    linear.remove_attachment("att-gone")
    assert [call.request.url for call in http.calls] == [GRAPHQL, GRAPHQL]


def test_an_attachment_delete_linear_refuses_is_an_error(http, linear):
    import pytest

    from connector.errors import RequestRejected

    http.post(GRAPHQL, match=operation("DeleteAttachment", id="att-1"),
              json={"data": {"attachmentDelete": {"success": False}}})
    with pytest.raises(RequestRejected):
        linear.remove_attachment("att-1")


def test_the_first_write_learns_the_viewer_once_so_its_deliveries_are_known_as_ours(http, sleeps):
    from connector.registry import build_connector

    fresh = build_connector("linear", LINEAR_URL, {"api_key": "lin_api_key"}, {}, sleep=sleeps.append)
    learned = []
    fresh.remember_facts = learned.append
    http.post(GRAPHQL, match=operation("Viewer"), json={"data": {
        "viewer": {"id": "user-okrsync", "name": "okrsync", "email": "bot@example.test"},
        "organization": {"id": "org", "name": "Acme", "urlKey": "acme"}, "teams": {"nodes": []}}})
    http.post(GRAPHQL, match=operation("CreateAttachment"),
              json={"data": {"attachmentCreate": {"success": True, "attachment": {"id": "att-1"}}}})
    fresh.write_attachment("issue-1", "https://okrsync.test/kr/1", "NPS: 40%")
    fresh.write_attachment("issue-2", "https://okrsync.test/kr/1", "NPS: 40%")
    assert [c.request.body.count(b"Viewer") > 0 for c in http.calls] == [True, False, False]
    assert [f["account_id"] for f in learned] == ["user-okrsync"]
