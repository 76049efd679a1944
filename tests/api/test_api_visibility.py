"""Hidden OKRs look nonexistent: absent from every list and tree, 404 on every lookup and write."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import LinkKind, Visibility

VIEWERS = ("admin", "product_lead", "alpha_lead", "alpha_member", "beta_member", "sales_member")
# Who sees which objective of the `okrs` fixture (admins see everything).
SEES = {
    "company": set(VIEWERS),
    "product_team": {"admin", "product_lead", "alpha_lead", "alpha_member", "beta_member"},
    "alpha_team": {"admin", "product_lead", "alpha_lead", "alpha_member"},
    "alpha_private": {"admin", "alpha_member"},
    "beta_draft": {"admin", "product_lead", "beta_member"},
    "sales_private_lead_owned": {"admin"},
}


@pytest.fixture
def okrs(world, org) -> dict:
    """One objective per visibility case, each with a KR, a check-in, a snapshot and a link."""
    cycle = world.cycle()
    company = world.objective(cycle, "Win", level="company")
    ids = {"cycle": cycle, "company": company, "objective": {}, "kr": {}, "link": {}}
    cases = {
        "company": None,
        "product_team": dict(team_id=org.product, visibility=Visibility.TEAM, parent_id=company),
        "alpha_team": dict(team_id=org.alpha, visibility=Visibility.TEAM),
        "alpha_private": dict(team_id=org.alpha, visibility=Visibility.PRIVATE,
                              owner_id=org.ids["alpha_member"]),
        "beta_draft": dict(team_id=org.beta, visibility=Visibility.PUBLIC, published=False),
        "sales_private_lead_owned": dict(team_id=org.sales, visibility=Visibility.PRIVATE,
                                         owner_id=org.ids["admin"]),
    }
    connection = world.connection()
    for name, fields in cases.items():
        objective = company if fields is None else world.objective(cycle, name, **fields)
        kr = world.key_result(objective, f"{name} KR")
        world.check_in(kr, note=f"{name} note")
        world.snapshot(kr, 25, 0.25)
        ids["objective"][name], ids["kr"][name] = objective, kr
        ids["link"][name] = world.link(kr, connection, LinkKind.ISSUE, f"{name}-1")
    return ids


def _tree_ids(nodes: list[dict]) -> tuple[set[int], set[int]]:
    objectives, krs = set(), set()
    for node in nodes:
        objectives.add(node["id"])
        krs.update(kr["id"] for kr in node["key_results"])
        more = _tree_ids(node["children"])
        objectives |= more[0]
        krs |= more[1]
    return objectives, krs


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_and_trees_show_exactly_what_the_viewer_may_see(client, org, okrs, viewer):
    headers = getattr(org, viewer)
    expected = {name for name, who in SEES.items() if viewer in who}
    objectives = {okrs["objective"][n] for n in expected}
    krs = {okrs["kr"][n] for n in expected}
    listed = client.get(f"/api/v1/objectives?cycle_id={okrs['cycle']}", headers=headers)
    assert {o["id"] for o in listed.get_json()["items"]} == objectives
    assert listed.get_json()["total"] == len(objectives)
    listed_krs = client.get("/api/v1/key-results?per_page=200", headers=headers).get_json()
    assert {k["id"] for k in listed_krs["items"]} == krs
    tree = client.get(f"/api/v1/cycles/{okrs['cycle']}/tree", headers=headers).get_json()
    assert _tree_ids(tree["objectives"]) == (objectives, krs)
    warned = {i for w in tree["warnings"] for i in w["subject_ids"]}
    assert warned <= objectives | krs


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_lookup_of_a_hidden_objective_answers_like_a_missing_one(client, org, okrs,
                                                                      viewer):
    headers = getattr(org, viewer)
    for name, who in SEES.items():
        kr = okrs["kr"][name]
        reads = [f"/api/v1/objectives/{okrs['objective'][name]}", f"/api/v1/key-results/{kr}",
                 f"/api/v1/key-results/{kr}/links", f"/api/v1/key-results/{kr}/check-ins",
                 f"/api/v1/key-results/{kr}/history"]
        for url in reads:
            response = client.get(url, headers=headers)
            if viewer in who:
                assert response.status_code == 200, (viewer, url, response.get_json())
            else:
                error = error_of(response, 404, "not_found")
                assert str(okrs["objective"][name]) in error["message"] \
                    or str(kr) in error["message"]
                assert name not in response.get_data(as_text=True)


def _writes(okrs: dict, name: str) -> list[tuple[str, str, dict | None]]:
    objective, kr, link = okrs["objective"][name], okrs["kr"][name], okrs["link"][name]
    return [("PATCH", f"/api/v1/objectives/{objective}", {"title": "mine now"}),
            ("DELETE", f"/api/v1/objectives/{objective}", None),
            ("PATCH", f"/api/v1/key-results/{kr}", {"title": "mine now"}),
            ("DELETE", f"/api/v1/key-results/{kr}", None),
            ("POST", f"/api/v1/key-results/{kr}/check-ins", {"note": "peek"}),
            ("POST", f"/api/v1/key-results/{kr}/links",
             {"connection_id": 1, "kind": "issue", "ref": "X-1"}),
            ("DELETE", f"/api/v1/links/{link}", None)]


@pytest.mark.parametrize("viewer", ["alpha_lead", "beta_member", "sales_member"])
def test_writes_to_a_hidden_objective_answer_404_never_403(client, org, okrs, viewer):
    headers = getattr(org, viewer)
    for name, who in SEES.items():
        if viewer in who:
            continue
        for method, url, body in _writes(okrs, name):
            error_of(client.open(url, method=method, json=body, headers=headers), 404,
                     "not_found")
        child = {"cycle_id": okrs["cycle"], "title": "x", "parent_id": okrs["objective"][name],
                 "level": "individual"}
        error_of(client.post("/api/v1/objectives", json=child, headers=headers), 422)
        kr = {"objective_id": okrs["objective"][name], "title": "x"}
        error_of(client.post("/api/v1/key-results", json=kr, headers=headers), 422)


def test_a_visible_objective_the_viewer_may_not_change_answers_403(client, org, okrs):
    for method, url, body in _writes(okrs, "product_team")[:4]:
        error_of(client.open(url, method=method, json=body, headers=org.alpha_member), 403,
                 "forbidden")


def test_leads_of_a_parent_team_see_and_change_team_objectives_below_them(client, org, okrs):
    objective = okrs["objective"]["alpha_team"]
    renamed = client.patch(f"/api/v1/objectives/{objective}", json={"title": "Faster app"},
                           headers=org.product_lead)
    assert renamed.status_code == 200, renamed.get_json()
    error_of(client.patch(f"/api/v1/objectives/{objective}", json={"title": "x"},
                          headers=org.beta_member), 404)


def test_publishing_a_draft_makes_it_visible_to_everyone(client, org, okrs):
    draft = okrs["objective"]["beta_draft"]
    error_of(client.get(f"/api/v1/objectives/{draft}", headers=org.sales_member), 404)
    published = client.patch(f"/api/v1/objectives/{draft}", json={"published": True},
                             headers=org.product_lead)
    assert published.status_code == 200, published.get_json()
    assert client.get(f"/api/v1/objectives/{draft}", headers=org.sales_member).status_code == 200


def test_a_hidden_parent_is_never_named_and_its_child_becomes_a_root(client, org, world):
    cycle = world.cycle()
    hidden = world.objective(cycle, "Secret", team_id=org.sales, visibility=Visibility.TEAM)
    child = world.objective(cycle, "Public child", team_id=org.sales, parent_id=hidden)
    tree = client.get(f"/api/v1/cycles/{cycle}/tree", headers=org.alpha_member).get_json()
    assert [(o["id"], o["parent_id"]) for o in tree["objectives"]] == [(child, None)]
    listed = client.get(f"/api/v1/objectives?cycle_id={cycle}", headers=org.alpha_member)
    assert [(o["id"], o["parent_id"]) for o in listed.get_json()["items"]] == [(child, None)]
    fetched = client.get(f"/api/v1/objectives/{child}", headers=org.alpha_member).get_json()
    assert fetched["parent_id"] is None
    seen_by_sales = client.get(f"/api/v1/objectives/{child}", headers=org.sales_member)
    assert seen_by_sales.get_json()["parent_id"] == hidden
