"""The key result rules through the API: percent ratios, target apart from start, drafts,
empty check-ins, "not started", and parents scored from their aligned children at close."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import TrackerKind

KRS = "/api/v1/key-results"
KR_ID = "/key-results/<int:kr_id>"


@pytest.fixture
def objective(world, org) -> int:
    return world.objective(world.cycle(), "Fast app", team_id=org.alpha,
                           owner_id=org.ids["alpha_lead"])


def _create(client, org, **body):
    return client.post(KRS, headers=org.alpha_lead, json={"title": "Migration done", **body})


@pytest.mark.route("POST /key-results", "error")
def test_a_ratio_kr_defaults_to_0_to_100_percent_and_refuses_targets_outside(client, org,
                                                                            objective):
    made = _create(client, org, objective_id=objective, measure="work_done_ratio")
    assert made.status_code == 201, made.get_json()
    kr = made.get_json()
    assert (kr["start_value"], kr["target_value"], kr["unit"]) == (0.0, 100.0, "%")
    assert kr["status"] == "not_started" and kr["progress"] is None
    for target in (150, -1):
        error = error_of(_create(client, org, objective_id=objective, measure="points_done_ratio",
                                 target_value=target), 422, "invalid_fields")
        assert "between 0 and 100" in error["fields"]["target_value"]


@pytest.mark.route(f"PATCH {KR_ID}", "error")
def test_target_equal_to_start_is_refused_on_create_and_change(client, org, objective):
    error = error_of(_create(client, org, objective_id=objective, start_value=5, target_value=5),
                     422, "invalid_fields")
    assert "differ from the start" in error["fields"]["target_value"]
    kr = _create(client, org, objective_id=objective, start_value=5, target_value=9).get_json()
    patched = client.patch(f"{KRS}/{kr['id']}", headers=org.alpha_lead, json={"start_value": 9})
    assert set(error_of(patched, 422)["fields"]) == {"target_value"}
    changed = client.patch(f"{KRS}/{kr['id']}", headers=org.alpha_lead,
                           json={"measure": "work_done_ratio", "target_value": 300})
    assert "between 0 and 100" in error_of(changed, 422)["fields"]["target_value"]
    unchanged = client.get(f"{KRS}/{kr['id']}", headers=org.admin).get_json()
    assert (unchanged["start_value"], unchanged["target_value"]) == (5.0, 9.0)


def test_a_kr_stored_before_the_rules_can_still_be_renamed(client, org, world, objective):
    legacy = world.key_result(objective, start_value=5.0, target_value=5.0)
    renamed = client.patch(f"{KRS}/{legacy}", headers=org.alpha_lead, json={"title": "Renamed"})
    assert renamed.status_code == 200, renamed.get_json()
    moved = client.patch(f"{KRS}/{legacy}", headers=org.alpha_lead, json={"start_value": 4.0})
    assert moved.status_code == 200 and moved.get_json()["target_value"] == 5.0


def test_a_kr_without_target_is_only_a_draft(client, org, world):
    cycle = world.cycle()
    draft = world.objective(cycle, "Draft", team_id=org.alpha, published=False)
    live = world.objective(cycle, "Live", team_id=org.alpha)
    no_target = {"title": "Happier customers"}
    refused = client.post(KRS, headers=org.admin, json={**no_target, "objective_id": live})
    assert "draft" in error_of(refused, 422)["fields"]["target_value"]
    kept = client.post(KRS, headers=org.admin, json={**no_target, "objective_id": draft})
    assert kept.status_code == 201, kept.get_json()
    publish = client.patch(f"/api/v1/objectives/{draft}", headers=org.admin,
                           json={"published": True})
    assert "Happier customers" in error_of(publish, 422, "invalid_fields")["message"]
    client.patch(f"{KRS}/{kept.get_json()['id']}", headers=org.admin, json={"target_value": 8})
    assert client.patch(f"/api/v1/objectives/{draft}", headers=org.admin,
                        json={"published": True}).status_code == 200


@pytest.mark.route(f"POST {KR_ID}/check-ins", "error")
def test_an_empty_check_in_is_refused_and_nothing_is_saved(client, org, world, objective):
    kr = world.key_result(objective, owner_id=org.ids["alpha_member"])
    url = f"{KRS}/{kr}/check-ins"
    for empty in ({}, {"note": "   ", "blockers": "", "wins": "\n"}):
        error = error_of(client.post(url, headers=org.alpha_member, json=empty), 422)
        assert "empty" in error["message"]
    not_started = client.post(url, headers=org.alpha_member, json={"status": "not_started"})
    assert set(error_of(not_started, 422)["fields"]) == {"status"}
    assert client.get(url, headers=org.admin).get_json()["items"] == []
    zero = client.post(url, headers=org.alpha_member, json={"confidence": 0})
    assert zero.status_code == 201


def test_a_kr_is_not_started_until_its_first_value(client, org, world, objective):
    kr = _create(client, org, objective_id=objective, start_value=8, target_value=2).get_json()
    assert kr["status"] == "not_started"
    checked = client.post(f"{KRS}/{kr['id']}/check-ins", headers=org.alpha_lead,
                          json={"value": 7})
    assert checked.status_code == 201
    after = client.get(f"{KRS}/{kr['id']}", headers=org.admin).get_json()
    assert after["status"] in {"on_track", "at_risk", "off_track"}


def test_linking_work_to_a_manual_kr_makes_it_a_percentage(client, org, world, objective):
    kr = _create(client, org, objective_id=objective, start_value=0, target_value=300,
                 unit="workspaces").get_json()
    body = {"connection_id": world.connection(TrackerKind.JIRA), "kind": "epic", "ref": "APP-1"}
    assert client.post(f"{KRS}/{kr['id']}/links", json=body,
                       headers=org.alpha_lead).status_code == 201
    linked = client.get(f"{KRS}/{kr['id']}", headers=org.admin).get_json()
    assert (linked["measure"], linked["start_value"], linked["target_value"], linked["unit"]) == (
        "work_done_ratio", 0.0, 100.0, "%")


def test_closing_scores_a_parent_with_only_aligned_children_from_them(client, org, world):
    cycle = world.cycle()
    parent = world.objective(cycle, "Win the market", level="company")
    for title, current in (("Alpha", 5.0), ("Beta", 3.0)):
        child = world.objective(cycle, title, team_id=org.alpha, parent_id=parent)
        world.key_result(child, start_value=0, target_value=10, current_value=current)
    closed = client.post(f"/api/v1/cycles/{cycle}/close", headers=org.admin)
    assert closed.status_code == 200, closed.get_json()
    scored = client.get(f"/api/v1/objectives/{parent}", headers=org.admin).get_json()
    assert scored["final_score"] == 0.4   # mean of 0.5 and 0.3
