"""Key results: created and changed by the objective's editors (and the KR owner), scored live."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import Measure, Visibility

KRS = "/api/v1/key-results"
KR_ID = "/key-results/<int:kr_id>"
SPEC_FIELDS = {"id", "objective_id", "title", "start_value", "target_value", "current_value",
               "progress", "status", "confidence", "measure", "items_total", "items_done",
               "points_total", "points_done", "updated_at"}


@pytest.fixture
def alpha_objective(world, org) -> int:
    return world.objective(world.cycle(), "Fast app", team_id=org.alpha,
                           owner_id=org.ids["alpha_lead"])


@pytest.mark.route("POST /key-results", "ok")
@pytest.mark.route(f"GET {KR_ID}", "ok")
def test_a_lead_adds_a_key_result_with_the_spec_fields(client, org, alpha_objective):
    response = client.post(KRS, headers=org.alpha_lead, json={
        "objective_id": alpha_objective, "title": "Crash-free sessions from 97 to 99.5",
        "start_value": 97, "target_value": 99.5, "current_value": 98.0, "unit": "%",
        "weight": 2, "confidence": 7, "owner_id": org.ids["alpha_member"]})
    assert response.status_code == 201, response.get_json()
    kr = response.get_json()
    assert SPEC_FIELDS <= set(kr)
    assert (kr["progress"], kr["measure"], kr["weight"], kr["unit"]) == (0.4, "manual", 2, "%")
    assert kr["status"] in {"on_track", "at_risk", "off_track"}
    assert client.get(f"{KRS}/{kr['id']}", headers=org.alpha_member).get_json() == kr
    objective = client.get(f"/api/v1/objectives/{alpha_objective}", headers=org.admin).get_json()
    assert objective["progress"] == 0.4


@pytest.mark.route("POST /key-results", "error")
def test_key_result_creation_names_bad_fields_and_refuses_non_editors(client, org,
                                                                     alpha_objective):
    bad = client.post(KRS, headers=org.admin, json={
        "objective_id": alpha_objective, "title": " ", "start_value": "10", "weight": 0,
        "confidence": 11, "measure": "vibes"})
    error = error_of(bad, 422, "invalid_fields")
    assert set(error["fields"]) == {"title", "start_value", "weight", "confidence", "measure"}
    assert set(error_of(client.post(KRS, json={}, headers=org.admin), 422)["fields"]) == {
        "objective_id", "title"}
    body = {"objective_id": alpha_objective, "title": "NPS 20 to 40", "target_value": 40}
    error_of(client.post(KRS, json=body, headers=org.alpha_member), 403, "forbidden")
    error_of(client.post(KRS, json=body, headers=org.sales_member), 403, "forbidden")
    ghost = error_of(client.post(KRS, json={**body, "objective_id": 999999}, headers=org.admin),
                     422)
    assert ghost["fields"] == {"objective_id": "does not exist"}
    error_of(client.post(KRS, json={**body, "owner_id": 999999}, headers=org.admin), 422)
    infinite = client.post(KRS, data=b'{"objective_id": %d, "title": "x", "target_value": Infinity}'
                           % alpha_objective, content_type="application/json", headers=org.admin)
    assert set(error_of(infinite, 422)["fields"]) == {"target_value"}


def test_a_key_result_under_a_hidden_objective_looks_like_no_objective(client, org, world):
    hidden = world.objective(world.cycle(), "Secret", team_id=org.sales,
                             visibility=Visibility.TEAM)
    body = {"objective_id": hidden, "title": "NPS 20 to 40", "target_value": 40}
    error = error_of(client.post(KRS, json=body, headers=org.alpha_lead), 422)
    assert error["fields"] == {"objective_id": "does not exist"}


@pytest.mark.route("GET /key-results", "ok")
@pytest.mark.route("GET /key-results", "error")
def test_key_results_list_filters_by_objective_and_owner(client, org, world, alpha_objective):
    other = world.objective(world.cycle(name="Q2"), "Sell", team_id=org.sales)
    mine = world.key_result(alpha_objective, owner_id=org.ids["alpha_member"])
    theirs = world.key_result(alpha_objective)
    world.key_result(other)

    def ids(query: str) -> list[int]:
        return [k["id"] for k in client.get(f"{KRS}?{query}", headers=org.admin).get_json()["items"]]
    assert ids(f"objective_id={alpha_objective}") == [mine, theirs]
    assert ids(f"owner_id={org.ids['alpha_member']}") == [mine]
    error_of(client.get(f"{KRS}?objective_id=0", headers=org.admin), 422)


@pytest.mark.route(f"GET {KR_ID}", "error")
def test_an_unknown_key_result_answers_404(client, org):
    error_of(client.get(f"{KRS}/999999", headers=org.admin), 404, "not_found")


@pytest.mark.route(f"PATCH {KR_ID}", "ok")
def test_the_kr_owner_moves_the_target_and_progress_follows(client, org, world, alpha_objective):
    kr = world.key_result(alpha_objective, owner_id=org.ids["alpha_member"], start_value=0,
                          target_value=10, current_value=5)
    response = client.patch(f"{KRS}/{kr}", json={"target_value": 20, "title": "Twenty"},
                            headers=org.alpha_member)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["progress"], response.get_json()["title"]) == (0.25, "Twenty")
    assert client.get(f"/api/v1/objectives/{alpha_objective}",
                      headers=org.admin).get_json()["progress"] == 0.25


@pytest.mark.route(f"PATCH {KR_ID}", "error")
def test_key_result_changes_check_editor_measure_nulls_and_existence(client, org, world,
                                                                    alpha_objective):
    kr = world.key_result(alpha_objective)
    linked = world.key_result(alpha_objective, measure=Measure.WORK_DONE_RATIO)
    error_of(client.patch(f"{KRS}/{kr}", json={"title": "x"}, headers=org.alpha_member), 403)
    error_of(client.patch(f"{KRS}/{kr}", json={"title": "x"}, headers=org.sales_member), 403)
    worked = client.patch(f"{KRS}/{linked}", json={"current_value": 3}, headers=org.alpha_lead)
    assert "current_value" in error_of(worked, 422)["fields"]
    for field in ("title", "start_value", "unit", "measure", "weight"):
        error = error_of(client.patch(f"{KRS}/{kr}", json={field: None}, headers=org.admin), 422)
        assert field in error["fields"]
    error_of(client.patch(f"{KRS}/{kr}", json={"weight": -1}, headers=org.admin), 422)
    error_of(client.patch(f"{KRS}/999999", json={"title": "x"}, headers=org.admin), 404)


@pytest.mark.route(f"DELETE {KR_ID}", "ok")
def test_deleting_a_key_result_recomputes_its_objective(client, org, world, alpha_objective):
    done = world.key_result(alpha_objective, start_value=0, target_value=1, current_value=1,
                            progress=1.0)
    behind = world.key_result(alpha_objective, start_value=0, target_value=1, current_value=0,
                              progress=0.0)
    world.check_in(behind)
    assert client.delete(f"{KRS}/{behind}", headers=org.alpha_lead).status_code == 204
    error_of(client.get(f"{KRS}/{behind}", headers=org.admin), 404)
    objective = client.get(f"/api/v1/objectives/{alpha_objective}", headers=org.admin).get_json()
    assert objective["progress"] == 1.0 and done


@pytest.mark.route(f"DELETE {KR_ID}", "error")
def test_only_objective_editors_delete_key_results(client, org, world, alpha_objective):
    kr = world.key_result(alpha_objective, owner_id=org.ids["alpha_member"])
    error_of(client.delete(f"{KRS}/{kr}", headers=org.alpha_member), 403, "forbidden")
    error_of(client.delete(f"{KRS}/{kr}", headers=org.sales_member), 403, "forbidden")
    error_of(client.delete(f"{KRS}/999999", headers=org.admin), 404, "not_found")
