"""Drafted check-ins over the REST API: the caller's list, approval as edited (422 per field),
and undo within ten minutes (409 after)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from tests.api.api_world import error_of

from okr_core.domain import CycleStatus, Measure
from okr_core.models import CheckIn, KeyResult
from okr_core.store import session_scope

DRAFTS = "/check-in-drafts"
APPROVE = "/check-in-drafts/<int:draft_id>/approve"
UNDO = "/check-ins/<int:check_in_id>/undo"


@pytest.fixture
def owned(world, org):
    """A manual KR owned by alpha_member, with a waiting draft; (cycle, kr, draft)."""
    cycle = world.cycle()
    objective = world.objective(cycle, team_id=org.alpha)
    kr = world.key_result(objective, owner_id=org.ids["alpha_member"], measure=Measure.MANUAL,
                          current_value=25.0)
    return cycle, kr, world.draft(kr, org.ids["alpha_member"], value=25.0, needs_input=True)


def _row(app, model, ident):
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = session.get(model, ident)
        if row is not None:
            session.expunge(row)
        return row


@pytest.mark.route(f"GET {DRAFTS}", "ok")
def test_the_caller_lists_only_their_own_drafts(client, org, owned):
    _, kr, draft = owned
    mine = client.get(f"/api/v1{DRAFTS}", headers=org.alpha_member).get_json()
    assert [(d["id"], d["key_result_id"], d["state"]) for d in mine["items"]] == [(draft, kr, "waiting")]
    assert mine["items"][0]["needs_input"] is True and mine["items"][0]["key_result_title"]
    assert client.get(f"/api/v1{DRAFTS}", headers=org.alpha_lead).get_json()["items"] == []


@pytest.mark.route(f"GET {DRAFTS}", "error")
def test_listing_drafts_refuses_unknown_query_parameters(client, org, owned):
    error = error_of(client.get(f"/api/v1{DRAFTS}?owner=3", headers=org.alpha_member), 422)
    assert set(error["fields"]) == {"owner"}       # only your own drafts: no owner to choose
    error_of(client.get(f"/api/v1{DRAFTS}?page=0", headers=org.alpha_member), 422)


@pytest.mark.route(f"POST {APPROVE}", "ok")
def test_approving_records_the_edited_draft_as_the_owners_check_in(app, client, org, owned):
    _, kr, draft = owned
    response = client.post(f"/api/v1/check-in-drafts/{draft}/approve",
                           json={"value": 31.0, "confidence": 7}, headers=org.alpha_member)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["value"], body["confidence"], body["status"], body["source"]) == (31.0, 7, "at_risk", "drafted")
    assert body["note"].startswith("Done this week") and body["author_id"] == org.ids["alpha_member"]
    assert _row(app, KeyResult, kr).current_value == 31.0
    listed = client.get(f"/api/v1{DRAFTS}", headers=org.alpha_member).get_json()["items"]
    assert listed[0]["state"] == "approved" and listed[0]["check_in_id"] == body["id"]


@pytest.mark.route(f"POST {APPROVE}", "error")
def test_approval_refuses_bad_fields_strangers_and_a_second_approval(app, client, org, world, owned):
    cycle, kr, draft = owned
    url = f"/api/v1/check-in-drafts/{draft}/approve"
    error = error_of(client.post(url, json={"confidence": 11, "status": "not_started", "value": "x"},
                                 headers=org.alpha_member), 422, "invalid_fields")
    assert set(error["fields"]) == {"confidence", "status", "value"}
    error = error_of(client.post(url, json={"status": None, "confidence": None, "note": "",
                                            "blockers": "", "value": None}, headers=org.alpha_member),
                     422, "invalid_fields")
    assert set(error["fields"]) == {"note"}           # nothing left to say
    error_of(client.post(url, json={}, headers=org.alpha_lead), 403, "forbidden")
    error_of(client.post("/api/v1/check-in-drafts/999999/approve", json={}, headers=org.alpha_member), 404)
    assert client.post(url, json={}, headers=org.alpha_member).status_code == 201
    error_of(client.post(url, json={}, headers=org.alpha_member), 409)
    linked = world.key_result(world.objective(cycle), owner_id=org.ids["alpha_member"],
                              measure=Measure.WORK_DONE_RATIO)
    other = world.draft(linked, org.ids["alpha_member"])
    answer = client.post(f"/api/v1/check-in-drafts/{other}/approve", json={"value": 3.0},
                         headers=org.alpha_member)
    assert answer.status_code == 201 and answer.get_json()["value"] is None   # linked work decides
    world.set_cycle_status(cycle, CycleStatus.CLOSED)
    third = world.draft(kr, org.ids["alpha_member"], week_start=world_week_before())
    error_of(client.post(f"/api/v1/check-in-drafts/{third}/approve", json={}, headers=org.alpha_member), 409)


def world_week_before():
    from datetime import date
    return date.today() - timedelta(days=date.today().weekday() + 7)


@pytest.mark.route(f"POST {UNDO}", "ok")
def test_undo_deletes_the_check_in_and_restores_the_value(app, client, org, owned):
    _, kr, draft = owned
    check_in = client.post(f"/api/v1/check-in-drafts/{draft}/approve", json={"value": 40.0},
                           headers=org.alpha_member).get_json()["id"]
    undone = client.post(f"/api/v1/check-ins/{check_in}/undo", headers=org.alpha_member)
    assert undone.status_code == 200 and undone.get_json()["state"] == "waiting"
    assert _row(app, CheckIn, check_in) is None
    assert _row(app, KeyResult, kr).current_value == 25.0


@pytest.mark.route(f"POST {UNDO}", "error")
def test_undo_is_refused_after_ten_minutes_for_others_and_for_plain_check_ins(app, client, org, world, owned):
    _, kr, draft = owned
    check_in = client.post(f"/api/v1/check-in-drafts/{draft}/approve", json={},
                           headers=org.alpha_member).get_json()["id"]
    error_of(client.post(f"/api/v1/check-ins/{check_in}/undo", headers=org.alpha_lead), 403)
    error_of(client.post("/api/v1/check-ins/999999/undo", headers=org.alpha_member), 404)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = session.get(CheckIn, check_in)
        row.created_at = row.created_at - timedelta(minutes=10, seconds=1)
    error_of(client.post(f"/api/v1/check-ins/{check_in}/undo", headers=org.alpha_member), 409, "undo_closed")
    plain = world.check_in(kr, author_id=org.ids["alpha_member"])
    error_of(client.post(f"/api/v1/check-ins/{plain}/undo", headers=org.alpha_member), 409, "undo_closed")
