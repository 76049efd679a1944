"""Objectives: created by admins and team leads, changed by their editors, aligned in a tree."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import Visibility

OBJ = "/api/v1/objectives"
OBJ_ID = "/objectives/<int:objective_id>"


@pytest.mark.route("POST /objectives", "ok")
def test_a_lead_creates_a_team_objective_aligned_to_a_company_one(client, org, world):
    cycle = world.cycle()
    company = world.objective(cycle, "Win", level="company")
    response = client.post(OBJ, headers=org.alpha_lead, json={
        "cycle_id": cycle, "title": "Fast app", "team_id": org.alpha, "parent_id": company,
        "description": "Speed is a feature", "visibility": "team"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["owner_id"] == org.ids["alpha_lead"]
    assert (created["parent_id"], created["level"], created["visibility"]) == (
        company, "team", "team")
    assert (created["published"], created["progress"], created["final_score"]) == (
        True, None, None)


def test_a_member_creates_an_individual_objective_for_themselves(client, org, world):
    cycle = world.cycle()
    body = {"cycle_id": cycle, "title": "Learn Rust", "level": "individual"}
    response = client.post(OBJ, json=body, headers=org.beta_member)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["owner_id"] == org.ids["beta_member"]
    someone_else = {**body, "owner_id": org.ids["alpha_member"]}
    error_of(client.post(OBJ, json=someone_else, headers=org.beta_member), 403, "forbidden")


@pytest.mark.route("POST /objectives", "error")
def test_objective_creation_refuses_bad_fields_and_foreign_teams(client, org, world):
    cycle = world.cycle()
    error = error_of(client.post(OBJ, json={"title": "", "level": "galaxy", "cycle_id": "1"},
                                 headers=org.admin), 422, "invalid_fields")
    assert set(error["fields"]) == {"title", "level", "cycle_id"}
    body = {"cycle_id": cycle, "title": "Fast app", "team_id": org.alpha}
    error_of(client.post(OBJ, json=body, headers=org.alpha_member), 403, "forbidden")
    error_of(client.post(OBJ, json={**body, "team_id": org.sales}, headers=org.alpha_lead), 403)
    for field in ("team_id", "owner_id", "parent_id", "cycle_id"):
        ghost = client.post(OBJ, json={**body, field: 999999}, headers=org.admin)
        assert field in error_of(ghost, 422, "invalid_fields")["fields"]
    other_cycle = world.objective(world.cycle(name="Q2"), "Elsewhere")
    misaligned = client.post(OBJ, json={**body, "parent_id": other_cycle}, headers=org.admin)
    assert error_of(misaligned, 422)["fields"] == {"parent_id": "not an objective of this cycle"}


def test_aligning_under_a_hidden_objective_looks_like_aligning_under_nothing(client, org, world):
    cycle = world.cycle()
    hidden = world.objective(cycle, "Secret", team_id=org.sales, visibility=Visibility.PRIVATE,
                             owner_id=org.ids["sales_member"])
    body = {"cycle_id": cycle, "title": "Fast app", "team_id": org.alpha, "parent_id": hidden}
    seen = error_of(client.post(OBJ, json=body, headers=org.alpha_lead), 422)
    nothing = error_of(client.post(OBJ, json={**body, "parent_id": 999999},
                                   headers=org.alpha_lead), 422)
    assert seen["fields"] == nothing["fields"]


@pytest.mark.route("GET /objectives", "ok")
@pytest.mark.route("GET /objectives", "error")
def test_objectives_list_filters_by_cycle_team_owner_and_level(client, org, world):
    cycle, later = world.cycle(), world.cycle(name="Q2")
    alpha = world.objective(cycle, "A", team_id=org.alpha, owner_id=org.ids["alpha_lead"])
    beta = world.objective(cycle, "B", team_id=org.beta, level="department")
    world.objective(later, "C", team_id=org.alpha)

    def ids(query: str) -> list[int]:
        body = client.get(f"{OBJ}?{query}", headers=org.admin).get_json()
        return [o["id"] for o in body["items"]]
    assert ids(f"cycle_id={cycle}") == [alpha, beta]
    assert ids(f"cycle_id={cycle}&team_id={org.alpha}") == [alpha]
    assert ids(f"owner_id={org.ids['alpha_lead']}") == [alpha]
    assert ids(f"cycle_id={cycle}&level=department") == [beta]
    assert "level" in error_of(client.get(f"{OBJ}?level=galaxy", headers=org.admin),
                               422)["fields"]
    error_of(client.get(f"{OBJ}?cycle_id=x", headers=org.admin), 422)


@pytest.mark.route(f"GET {OBJ_ID}", "ok")
@pytest.mark.route(f"GET {OBJ_ID}", "error")
def test_an_objective_is_read_by_id_and_unknown_ids_answer_404(client, org, world):
    objective = world.objective(world.cycle(), "Fast app", team_id=org.alpha)
    body = client.get(f"{OBJ}/{objective}", headers=org.sales_member).get_json()
    assert (body["id"], body["title"], body["team_id"]) == (objective, "Fast app", org.alpha)
    error_of(client.get(f"{OBJ}/999999", headers=org.admin), 404, "not_found")


@pytest.mark.route(f"PATCH {OBJ_ID}", "ok")
def test_a_parent_team_lead_realigns_an_objective_and_progress_rolls_up(client, org, world):
    cycle = world.cycle()
    old_parent = world.objective(cycle, "Old", team_id=org.product)
    new_parent = world.objective(cycle, "New", team_id=org.product)
    child = world.objective(cycle, "Fast app", team_id=org.alpha, parent_id=old_parent,
                            progress=0.5)
    world.key_result(child, start_value=0, target_value=10, current_value=5, progress=0.5)
    response = client.patch(f"{OBJ}/{child}", json={"parent_id": new_parent, "title": "Faster"},
                            headers=org.product_lead)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["parent_id"], response.get_json()["title"]) == (
        new_parent, "Faster")
    assert client.get(f"{OBJ}/{new_parent}", headers=org.admin).get_json()["progress"] == 0.5
    assert client.get(f"{OBJ}/{old_parent}", headers=org.admin).get_json()["progress"] is None


@pytest.mark.route(f"PATCH {OBJ_ID}", "error")
def test_objective_changes_check_editor_loops_nulls_and_existence(client, org, world):
    cycle = world.cycle()
    parent = world.objective(cycle, "Parent", team_id=org.alpha)
    child = world.objective(cycle, "Child", team_id=org.alpha, parent_id=parent)
    error_of(client.patch(f"{OBJ}/{parent}", json={"title": "x"}, headers=org.alpha_member), 403)
    error_of(client.patch(f"{OBJ}/{parent}", json={"title": "x"}, headers=org.sales_member), 403)
    loop = client.patch(f"{OBJ}/{parent}", json={"parent_id": child}, headers=org.alpha_lead)
    assert error_of(loop, 422)["fields"] == {"parent_id": "would make a loop"}
    error_of(client.patch(f"{OBJ}/{parent}", json={"parent_id": parent}, headers=org.admin), 422)
    for field in ("title", "level", "visibility", "published", "description"):
        error = error_of(client.patch(f"{OBJ}/{parent}", json={field: None}, headers=org.admin),
                         422)
        assert field in error["fields"]
    error_of(client.patch(f"{OBJ}/999999", json={"title": "x"}, headers=org.admin), 404)


def test_a_lead_moves_objectives_only_between_teams_they_answer_for(client, org, world):
    objective = world.objective(world.cycle(), "Fast app", team_id=org.alpha)
    away = client.patch(f"{OBJ}/{objective}", json={"team_id": org.sales}, headers=org.alpha_lead)
    error_of(away, 403, "forbidden")
    gift = client.patch(f"{OBJ}/{objective}", json={"owner_id": org.ids["sales_member"],
                                                    "level": "individual"},
                        headers=org.alpha_lead)
    error_of(gift, 403, "forbidden")
    assert client.get(f"{OBJ}/{objective}", headers=org.admin).get_json()["team_id"] == org.alpha
    moved = client.patch(f"{OBJ}/{objective}", json={"team_id": org.beta},
                         headers=org.product_lead)
    assert moved.status_code == 200 and moved.get_json()["team_id"] == org.beta


@pytest.mark.route(f"DELETE {OBJ_ID}", "ok")
def test_deleting_an_objective_lifts_its_children_and_removes_its_key_results(client, org, world):
    cycle = world.cycle()
    top = world.objective(cycle, "Top", team_id=org.product)
    middle = world.objective(cycle, "Middle", team_id=org.alpha, parent_id=top)
    child = world.objective(cycle, "Child", team_id=org.alpha, parent_id=middle)
    kr = world.key_result(middle)
    world.check_in(kr)
    assert client.delete(f"{OBJ}/{middle}", headers=org.alpha_lead).status_code == 204
    error_of(client.get(f"{OBJ}/{middle}", headers=org.admin), 404)
    error_of(client.get(f"/api/v1/key-results/{kr}", headers=org.admin), 404)
    assert client.get(f"{OBJ}/{child}", headers=org.admin).get_json()["parent_id"] == top


@pytest.mark.route(f"DELETE {OBJ_ID}", "error")
def test_only_editors_delete_objectives(client, org, world):
    objective = world.objective(world.cycle(), "Fast app", team_id=org.alpha)
    error_of(client.delete(f"{OBJ}/{objective}", headers=org.alpha_member), 403, "forbidden")
    error_of(client.delete(f"{OBJ}/{objective}", headers=org.beta_member), 403, "forbidden")
    error_of(client.delete(f"{OBJ}/999999", headers=org.admin), 404, "not_found")
    assert client.get(f"{OBJ}/{objective}", headers=org.admin).status_code == 200


@pytest.mark.route("POST /objectives", "error")
def test_text_holding_a_nul_character_is_refused_beside_its_field(client, org, world):
    """PostgreSQL cannot store U+0000 (it was a 500 there): every body's text refuses it, named."""
    cycle = world.cycle()
    response = client.post(OBJ, headers=org.alpha_lead, json={
        "cycle_id": cycle, "title": "Fast\u0000 app", "team_id": org.alpha, "description": "fine"})
    error = error_of(response, 422, "invalid_fields")
    assert error["fields"] == {"title": "must not contain the NUL character (U+0000)"}
    assert client.get(OBJ, headers=org.alpha_lead).get_json()["items"] == []
