"""Cycles: created and changed by admins, read by everyone, closed once with scores and labels."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import CycleStatus, Measure, Role

CYCLE_ID = "/cycles/<int:cycle_id>"
Q1 = {"name": "Q1 2026", "start_date": "2026-01-01", "end_date": "2026-03-31"}


@pytest.mark.route("POST /cycles", "ok")
@pytest.mark.route(f"GET {CYCLE_ID}", "ok")
def test_admin_creates_a_draft_cycle_everyone_can_read(client, admin, actors):
    response = client.post("/api/v1/cycles", json=Q1, headers=admin)
    assert response.status_code == 201, response.get_json()
    cycle = response.get_json()
    assert (cycle["status"], cycle["closed_at"], cycle["end_date"]) == ("draft", None, "2026-03-31")
    _, member = actors.user(Role.MEMBER)
    assert client.get(f"/api/v1/cycles/{cycle['id']}", headers=member).get_json() == cycle


@pytest.mark.route("POST /cycles", "error")
def test_cycle_creation_checks_fields_dates_status_and_role(client, admin, actors):
    _, lead = actors.user(Role.LEAD)
    error_of(client.post("/api/v1/cycles", json=Q1, headers=lead), 403, "forbidden")
    error = error_of(client.post("/api/v1/cycles", json={"name": "Q", "start_date": "soon",
                                                         "end_date": 20260101}, headers=admin), 422)
    assert set(error["fields"]) == {"start_date", "end_date"}
    assert set(error_of(client.post("/api/v1/cycles", json={}, headers=admin), 422)["fields"]) \
        == {"name", "start_date", "end_date"}
    backwards = {**Q1, "end_date": "2025-12-31"}
    error_of(client.post("/api/v1/cycles", json=backwards, headers=admin), 422, "invalid_fields")
    closed = {**Q1, "status": "closed"}
    assert "status" in error_of(client.post("/api/v1/cycles", json=closed, headers=admin),
                                422)["fields"]


@pytest.mark.route("GET /cycles", "ok")
@pytest.mark.route("GET /cycles", "error")
def test_cycles_list_newest_first_and_checks_paging(client, world, actors):
    from datetime import date
    older = world.cycle(name="Q4 2025", start=date(2025, 10, 1))
    newer = world.cycle(name="Q1 2026", start=date(2026, 1, 1))
    _, member = actors.user(Role.MEMBER)
    listed = client.get("/api/v1/cycles", headers=member).get_json()
    assert [c["id"] for c in listed["items"]] == [newer, older]
    error_of(client.get("/api/v1/cycles?per_page=0", headers=member), 422, "invalid_fields")


@pytest.mark.route(f"GET {CYCLE_ID}", "error")
def test_an_unknown_cycle_answers_404(client, admin):
    error_of(client.get("/api/v1/cycles/999999", headers=admin), 404, "not_found")


@pytest.mark.route(f"PATCH {CYCLE_ID}", "ok")
def test_admin_activates_and_renames_a_cycle(client, admin, world):
    cycle = world.cycle(CycleStatus.DRAFT)
    response = client.patch(f"/api/v1/cycles/{cycle}", json={"status": "active", "name": "H1"},
                            headers=admin)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["name"]) == ("active", "H1")


@pytest.mark.route(f"PATCH {CYCLE_ID}", "error")
def test_cycle_changes_check_role_dates_nulls_and_existence(client, admin, world, actors):
    cycle = world.cycle()
    _, lead = actors.user(Role.LEAD)
    error_of(client.patch(f"/api/v1/cycles/{cycle}", json={"name": "x"}, headers=lead), 403)
    early = client.patch(f"/api/v1/cycles/{cycle}", json={"end_date": "2000-01-01"}, headers=admin)
    assert error_of(early, 422)["fields"] == {"end_date": "must be after start_date"}
    for field in ("name", "start_date", "end_date", "status"):
        error = error_of(client.patch(f"/api/v1/cycles/{cycle}", json={field: None},
                                      headers=admin), 422)
        assert field in error["fields"]
    reopen = client.patch(f"/api/v1/cycles/{cycle}", json={"status": "closed"}, headers=admin)
    assert "status" in error_of(reopen, 422)["fields"]
    error_of(client.patch("/api/v1/cycles/999999", json={"name": "x"}, headers=admin), 404)


@pytest.mark.route(f"POST {CYCLE_ID}/close", "ok")
def test_closing_scores_key_results_and_objectives_with_labels(client, admin, world):
    cycle = world.cycle()
    shipped = world.objective(cycle, "Ship the platform")
    world.key_result(shipped, "Uptime", start_value=0, target_value=10, current_value=10, weight=1)
    world.key_result(shipped, "Latency", start_value=400, target_value=100, current_value=190,
                     weight=3)
    stalled = world.objective(cycle, "Grow sales")
    world.key_result(stalled, "Deals", start_value=0, target_value=20, current_value=2)
    world.key_result(stalled, "Qualitative", target_value=None)
    empty = world.objective(cycle, "No key results yet")
    response = client.post(f"/api/v1/cycles/{cycle}/close", headers=admin)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["cycle"]["status"] == "closed" and body["cycle"]["closed_at"]
    by_id = {o["objective_id"]: o for o in body["objectives"]}
    assert [(k["score"], k["label"]) for k in by_id[shipped]["key_results"]] == [
        (1.0, "exceeded"), (0.7, "delivered")]
    assert (by_id[shipped]["score"], by_id[shipped]["label"]) == (0.8, "delivered")
    assert [(k["score"], k["label"]) for k in by_id[stalled]["key_results"]] == [
        (0.1, "failed"), (None, None)]
    assert (by_id[stalled]["score"], by_id[stalled]["label"]) == (0.1, "failed")
    assert (by_id[empty]["score"], by_id[empty]["label"]) == (None, None)
    stored = client.get(f"/api/v1/objectives/{shipped}", headers=admin).get_json()
    assert stored["final_score"] == 0.8


def test_closing_scores_a_hold_the_line_item_count_kr_by_its_direction(client, admin, world):
    cycle = world.cycle()
    bugs = world.objective(cycle, "Quality")
    held = world.key_result(bugs, "Keep open P1 bugs at 5", measure=Measure.ITEM_COUNT,
                            start_value=5, target_value=5, current_value=2)
    slipped = world.key_result(bugs, "Keep open P0 bugs at 0", measure=Measure.ITEM_COUNT,
                               start_value=0, target_value=0, current_value=3)
    body = client.post(f"/api/v1/cycles/{cycle}/close", headers=admin).get_json()
    scores = {k["id"]: (k["score"], k["label"]) for k in body["objectives"][0]["key_results"]}
    assert scores == {held: (1.0, "exceeded"), slipped: (0.0, "failed")}


@pytest.mark.route(f"POST {CYCLE_ID}/close", "error")
def test_a_cycle_closes_once_only_by_an_admin(client, admin, world, actors):
    cycle = world.cycle()
    _, lead = actors.user(Role.LEAD)
    error_of(client.post(f"/api/v1/cycles/{cycle}/close", headers=lead), 403, "forbidden")
    assert client.post(f"/api/v1/cycles/{cycle}/close", headers=admin).status_code == 200
    error_of(client.post(f"/api/v1/cycles/{cycle}/close", headers=admin), 409, "cycle_closed")
    error_of(client.post("/api/v1/cycles/999999/close", headers=admin), 404, "not_found")


@pytest.mark.route(f"POST {CYCLE_ID}/start-close", "ok")
def test_an_admin_starts_closing_so_owners_enter_final_values(client, admin, world, actors):
    cycle = world.cycle()
    _, member = actors.user(Role.MEMBER)
    assert client.get(f"/api/v1/cycles/{cycle}", headers=member).get_json()["close_started_at"] is None
    started = client.post(f"/api/v1/cycles/{cycle}/start-close", headers=admin)
    assert started.status_code == 200
    body = started.get_json()
    assert body["status"] == "active" and body["close_started_at"] is not None
    again = client.post(f"/api/v1/cycles/{cycle}/start-close", headers=admin).get_json()
    assert again["close_started_at"] == body["close_started_at"]  # the first start stands


@pytest.mark.route(f"POST {CYCLE_ID}/start-close", "error")
def test_only_admins_start_closing_an_open_cycle(client, admin, world, actors):
    cycle = world.cycle()
    _, lead = actors.user(Role.LEAD)
    _, member = actors.user(Role.MEMBER)
    error_of(client.post(f"/api/v1/cycles/{cycle}/start-close", headers=lead), 403, "forbidden")
    error_of(client.post(f"/api/v1/cycles/{cycle}/start-close", headers=member), 403, "forbidden")
    closed = world.cycle(CycleStatus.CLOSED)
    error_of(client.post(f"/api/v1/cycles/{closed}/start-close", headers=admin), 409,
             "cycle_closed")
    error_of(client.post("/api/v1/cycles/999999/start-close", headers=admin), 404, "not_found")


def test_a_closed_cycle_can_be_archived_and_then_never_changes(client, admin, world):
    cycle = world.cycle(CycleStatus.CLOSED)
    archived = client.patch(f"/api/v1/cycles/{cycle}", json={"status": "archived"}, headers=admin)
    assert archived.get_json()["status"] == "archived"
    for change in ({"status": "active"}, {"name": "renamed"}, {"status": "archived"}):
        error_of(client.patch(f"/api/v1/cycles/{cycle}", json=change, headers=admin), 409,
                 "cycle_closed")
    error_of(client.post(f"/api/v1/cycles/{cycle}/close", headers=admin), 409, "cycle_closed")


def test_an_open_cycle_must_be_closed_and_scored_before_it_is_archived(client, admin, world):
    for status in (CycleStatus.DRAFT, CycleStatus.ACTIVE):
        cycle = world.cycle(status)
        archived = client.patch(f"/api/v1/cycles/{cycle}", json={"status": "archived"},
                                headers=admin)
        error_of(archived, 409, "cycle_not_closed")
        still = client.get(f"/api/v1/cycles/{cycle}", headers=admin).get_json()["status"]
        assert still == status


def test_renaming_a_closed_cycle_is_refused(client, admin, world):
    cycle = world.cycle(CycleStatus.CLOSED)
    reopened = client.patch(f"/api/v1/cycles/{cycle}", json={"status": "active"}, headers=admin)
    error_of(reopened, 409, "cycle_closed")
    error_of(client.patch(f"/api/v1/cycles/{cycle}", json={"name": "x", "status": "archived"},
                          headers=admin), 409, "cycle_closed")
