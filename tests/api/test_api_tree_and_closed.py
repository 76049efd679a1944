"""The cycle tree nests aligned objectives with their KRs; closed cycles refuse every write."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import CycleStatus, LinkKind
from api.schemas import CycleTree

TREE = "GET /cycles/<int:cycle_id>/tree"


@pytest.mark.route(TREE, "ok")
def test_tree_nests_children_under_parents_with_their_key_results(client, org, world):
    cycle = world.cycle()
    company = world.objective(cycle, "Win the market", level="company")
    product = world.objective(cycle, "Best product", parent_id=company, team_id=org.product)
    alpha = world.objective(cycle, "Fast app", parent_id=product, team_id=org.alpha)
    sales = world.objective(cycle, "Sell more", parent_id=company, team_id=org.sales)
    kr = world.key_result(alpha, "p95 from 900 to 300 ms", start_value=900, target_value=300)
    world.objective(cycle, "Old idea", archived=True)
    body = client.get(f"/api/v1/cycles/{cycle}/tree", headers=org.alpha_member).get_json()
    assert body["cycle"]["id"] == cycle
    [root] = body["objectives"]
    assert root["id"] == company
    assert [c["id"] for c in root["children"]] == [product, sales]
    [fast] = root["children"][0]["children"]
    assert fast["id"] == alpha and [k["id"] for k in fast["key_results"]] == [kr]
    assert fast["key_results"][0]["objective_id"] == alpha and fast["children"] == []


@pytest.mark.route(TREE, "ok")
def test_tree_matches_its_documented_schema_field_for_field(client, org, world):
    cycle = world.cycle()
    parent = world.objective(cycle, "Win", level="company", owner_id=org.ids["admin"])
    child = world.objective(cycle, "Fast app", parent_id=parent, team_id=org.alpha)
    world.key_result(child, "p95 from 900 to 300 ms", start_value=900, target_value=300,
                     current_value=600, unit="ms", progress=0.5, confidence=6, status="on_track")
    body = client.get(f"/api/v1/cycles/{cycle}/tree", headers=org.admin).get_json()
    assert CycleTree.model_validate(body).model_dump(mode="json") == body
    kr = body["objectives"][0]["children"][0]["key_results"][0]
    assert (kr["unit"], kr["progress"], kr["measure"], kr["status"]) == (
        "ms", 0.5, "manual", "on_track")
    assert kr["updated_at"].endswith("Z")


@pytest.mark.route(TREE, "ok")
def test_tree_warns_about_guide_practices(client, org, world):
    cycle = world.cycle()
    lonely = world.objective(cycle, "Launch feature X", team_id=org.alpha)
    world.key_result(lonely, "Launch the new onboarding", target_value=None)
    warnings = client.get(f"/api/v1/cycles/{cycle}/tree", headers=org.admin).get_json()["warnings"]
    assert warnings, "a single activity-style KR without a target must warn"
    assert all(w["subject_ids"] and isinstance(w["subject_ids"], list) for w in warnings)


@pytest.mark.route(TREE, "error")
def test_tree_of_an_unknown_cycle_answers_404(client, org):
    error_of(client.get("/api/v1/cycles/999999/tree", headers=org.alpha_member), 404)


@pytest.fixture
def closed(world, org):
    """A closed cycle holding an Alpha objective, a KR with a link, and a Jira connection."""
    cycle = world.cycle()
    objective = world.objective(cycle, "Fast app", team_id=org.alpha,
                                owner_id=org.ids["alpha_lead"])
    kr = world.key_result(objective, owner_id=org.ids["alpha_lead"])
    connection = world.connection()
    link = world.link(kr, connection, LinkKind.EPIC, "APP-1")
    world.set_cycle_status(cycle, CycleStatus.CLOSED)
    return {"cycle": cycle, "objective": objective, "kr": kr, "connection": connection,
            "link": link}


def _writes(c: dict) -> list[tuple[str, str, dict | None]]:
    return [
        ("POST", "/api/v1/objectives", {"cycle_id": c["cycle"], "title": "Late idea"}),
        ("PATCH", f"/api/v1/objectives/{c['objective']}", {"title": "Renamed"}),
        ("DELETE", f"/api/v1/objectives/{c['objective']}", None),
        ("POST", "/api/v1/key-results", {"objective_id": c["objective"], "title": "Late KR"}),
        ("PATCH", f"/api/v1/key-results/{c['kr']}", {"target_value": 99}),
        ("DELETE", f"/api/v1/key-results/{c['kr']}", None),
        ("POST", f"/api/v1/key-results/{c['kr']}/links",
         {"connection_id": c["connection"], "kind": "issue", "ref": "APP-2"}),
        ("DELETE", f"/api/v1/links/{c['link']}", None),
        ("POST", f"/api/v1/key-results/{c['kr']}/check-ins", {"status": "on_track"}),
    ]


def test_every_write_into_a_closed_cycle_answers_409_for_admins_and_owners(client, org, closed):
    for who in (org.admin, org.alpha_lead):
        for method, url, body in _writes(closed):
            error_of(client.open(url, method=method, json=body, headers=who), 409,
                     "cycle_closed")


def test_a_closed_cycle_stays_readable(client, org, closed):
    kr = client.get(f"/api/v1/key-results/{closed['kr']}", headers=org.alpha_member)
    assert kr.status_code == 200
    tree = client.get(f"/api/v1/cycles/{closed['cycle']}/tree", headers=org.alpha_member)
    assert [o["id"] for o in tree.get_json()["objectives"]] == [closed["objective"]]
    links = client.get(f"/api/v1/key-results/{closed['kr']}/links", headers=org.alpha_member)
    assert links.get_json()["total"] == 1
