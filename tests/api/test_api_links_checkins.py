"""Work links, check-ins and progress history of a key result."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import KRStatus, LinkKind, Measure, TrackerKind
from tests.simtracker.server import SimTracker

KR_ID = "/key-results/<int:kr_id>"


@pytest.fixture
def kr(world, org) -> int:
    objective = world.objective(world.cycle(), "Fast app", team_id=org.alpha)
    return world.key_result(objective, owner_id=org.ids["alpha_member"])


@pytest.fixture
def refusing_tracker(app):
    """A local simulated tracker that refuses our credentials: resolution fails fast, for good."""
    app.config["OUTBOUND_ALLOWLIST_EXTRA"] = ("127.0.0.1",)
    with SimTracker.start(issues=3) as sim:
        sim.auth_ok = False
        yield sim


@pytest.mark.route(f"POST {KR_ID}/links", "ok")
@pytest.mark.route(f"GET {KR_ID}/links", "ok")
def test_linking_work_answers_201_and_queues_its_first_resolution(client, app, org, world, kr,
                                                                   refusing_tracker):
    jira = world.connection(TrackerKind.JIRA, refusing_tracker.url)
    linear = world.connection(TrackerKind.LINEAR, refusing_tracker.url)
    bodies = [{"connection_id": jira, "kind": "epic", "ref": "APP-12"},
              {"connection_id": jira, "kind": "jql", "ref": "project = APP AND type = Bug"},
              {"connection_id": linear, "kind": "project", "ref": "9cfb482a-81e3"}]
    for body in bodies:
        response = client.post(f"/api/v1/key-results/{kr}/links", json=body,
                               headers=org.alpha_lead)
        assert response.status_code == 201, response.get_json()
        link = response.get_json()
        assert (link["key_result_id"], link["kind"], link["ref"]) == (kr, body["kind"],
                                                                      body["ref"])
        assert link["resolved_at"] is None
    listed = client.get(f"/api/v1/key-results/{kr}/links", headers=org.beta_member).get_json()
    assert [link["kind"] for link in listed["items"]] == ["epic", "jql", "project"]
    fetched = client.get(f"/api/v1/key-results/{kr}", headers=org.admin).get_json()
    assert fetched["measure"] == Measure.WORK_DONE_RATIO
    app.extensions["okrsync.queue"].drain(timeout=30)
    after = client.get(f"/api/v1/key-results/{kr}/links", headers=org.admin).get_json()["items"]
    assert all(link["resolved_at"] or link["last_error"] for link in after), after


@pytest.mark.parametrize("tracker,kind", [
    (TrackerKind.JIRA, "project"), (TrackerKind.JIRA, "label"), (TrackerKind.JIRA, "filter"),
    (TrackerKind.LINEAR, "jql"), (TrackerKind.LINEAR, "epic"), (TrackerKind.LINEAR, "mirror"),
])
def test_a_link_kind_the_tracker_does_not_have_is_refused(client, org, world, kr, tracker, kind):
    body = {"connection_id": world.connection(tracker), "kind": kind, "ref": "X-1"}
    error = error_of(client.post(f"/api/v1/key-results/{kr}/links", json=body,
                                 headers=org.alpha_lead), 422, "invalid_fields")
    assert error["fields"] == {"kind": f"not a {tracker} link kind"}


@pytest.mark.route(f"POST {KR_ID}/links", "error")
def test_link_creation_checks_fields_connection_and_editor(client, org, world, kr):
    url = f"/api/v1/key-results/{kr}/links"
    jira = world.connection()
    error = error_of(client.post(url, json={"connection_id": "1", "kind": "saga", "ref": ""},
                                 headers=org.admin), 422)
    assert set(error["fields"]) == {"connection_id", "kind", "ref"}
    ghost = client.post(url, json={"connection_id": 999999, "kind": "epic", "ref": "A-1"},
                        headers=org.admin)
    assert error_of(ghost, 422)["fields"] == {"connection_id": "does not exist"}
    body = {"connection_id": jira, "kind": "epic", "ref": "A-1"}
    error_of(client.post(url, json=body, headers=org.beta_member), 403, "forbidden")
    error_of(client.post("/api/v1/key-results/999999/links", json=body, headers=org.admin), 404)


@pytest.mark.route(f"GET {KR_ID}/links", "error")
def test_links_of_an_unknown_key_result_answer_404(client, org):
    error_of(client.get("/api/v1/key-results/999999/links", headers=org.admin), 404)


@pytest.mark.route("DELETE /links/<int:link_id>", "ok")
@pytest.mark.route("DELETE /links/<int:link_id>", "error")
def test_removing_a_link_needs_an_editor_and_a_real_link(client, org, world, kr):
    link = world.link(kr, world.connection(), LinkKind.ISSUE, "APP-3")
    error_of(client.delete(f"/api/v1/links/{link}", headers=org.beta_member), 403, "forbidden")
    assert client.delete(f"/api/v1/links/{link}", headers=org.alpha_member).status_code == 204
    error_of(client.delete(f"/api/v1/links/{link}", headers=org.admin), 404, "not_found")
    listed = client.get(f"/api/v1/key-results/{kr}/links", headers=org.admin).get_json()
    assert listed["total"] == 0


@pytest.mark.route(f"POST {KR_ID}/check-ins", "ok")
@pytest.mark.route(f"GET {KR_ID}/check-ins", "ok")
def test_team_members_check_in_and_read_check_ins_newest_first(client, org, kr):
    url = f"/api/v1/key-results/{kr}/check-ins"
    first = client.post(url, json={"value": 25, "status": "on_track", "confidence": 8,
                                   "note": "good week", "wins": "shipped beta"},
                        headers=org.alpha_member)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["author_id"], first.get_json()["source"]) == (
        org.ids["alpha_member"], "manual")
    second = client.post(url, json={"status": "off_track", "confidence": 2,
                                    "blockers": "waiting on the API team"}, headers=org.alpha_lead)
    assert second.status_code == 201, second.get_json()
    items = client.get(url, headers=org.sales_member).get_json()["items"]
    assert [c["id"] for c in items] == [second.get_json()["id"], first.get_json()["id"]]
    assert items[0]["blockers"] == "waiting on the API team"
    kr_now = client.get(f"/api/v1/key-results/{kr}", headers=org.admin).get_json()
    assert (kr_now["current_value"], kr_now["status"], kr_now["confidence"]) == (
        25, KRStatus.OFF_TRACK, 2)


@pytest.mark.route(f"POST {KR_ID}/check-ins", "error")
def test_check_ins_refuse_outsiders_bad_fields_and_values_on_linked_krs(client, org, world, kr):
    url = f"/api/v1/key-results/{kr}/check-ins"
    error_of(client.post(url, json={"status": "on_track"}, headers=org.beta_member), 403)
    bad = client.post(url, json={"value": "lots", "status": "fine", "confidence": -1},
                      headers=org.alpha_member)
    assert set(error_of(bad, 422)["fields"]) == {"value", "status", "confidence"}
    linked = world.key_result(world.objective(world.cycle(name="Q2"), team_id=org.alpha),
                              measure=Measure.DONE_COUNT)
    value = client.post(f"/api/v1/key-results/{linked}/check-ins", json={"value": 3},
                        headers=org.alpha_lead)
    assert error_of(value, 422)["fields"] == {"value": "only a manual key result takes a value"}
    error_of(client.post("/api/v1/key-results/999999/check-ins", json={}, headers=org.admin), 404)


@pytest.mark.route(f"GET {KR_ID}/check-ins", "error")
def test_check_ins_of_an_unknown_key_result_answer_404(client, org):
    error_of(client.get("/api/v1/key-results/999999/check-ins", headers=org.admin), 404)


@pytest.mark.route(f"GET {KR_ID}/history", "ok")
def test_history_lists_progress_snapshots_oldest_first(client, org, world, kr):
    world.snapshot(kr, 22, 0.1, days_ago=14)
    world.snapshot(kr, 26, 0.3, days_ago=7)
    client.post(f"/api/v1/key-results/{kr}/check-ins", json={"value": 30},
                headers=org.alpha_member)
    items = client.get(f"/api/v1/key-results/{kr}/history", headers=org.beta_member).get_json()
    assert [(s["value"], s["progress"]) for s in items["items"]] == [
        (22, 0.1), (26, 0.3), (30, 0.5)]
    assert all(s["at"].endswith("Z") or "+00:00" in s["at"] for s in items["items"])


@pytest.mark.route(f"GET {KR_ID}/history", "error")
def test_history_of_an_unknown_key_result_answers_404(client, org):
    error_of(client.get("/api/v1/key-results/999999/history", headers=org.admin), 404)
    error_of(client.get("/api/v1/key-results/1/history?page=0", headers=org.admin), 404)
