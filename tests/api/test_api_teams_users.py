"""Teams and users: everyone signed in reads them, only admins change them."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

from okr_core.domain import Role, TeamKind

TEAM_ID = "/teams/<int:team_id>"
USER_ID = "/users/<int:user_id>"


@pytest.mark.route("POST /teams", "ok")
@pytest.mark.route(f"GET {TEAM_ID}", "ok")
def test_admin_creates_a_team_below_a_parent_with_a_tracker_home(client, admin, world, actors):
    company = actors.team("Acme", TeamKind.COMPANY)
    connection = world.connection()
    response = client.post("/api/v1/teams", headers=admin, json={
        "name": " Platform ", "kind": "team", "parent_id": company,
        "tracker_home": {"connection_id": connection, "project": "PLAT"}})
    assert response.status_code == 201, response.get_json()
    team = response.get_json()
    assert (team["name"], team["kind"], team["parent_id"]) == ("Platform", "team", company)
    assert team["tracker_home"] == {"connection_id": connection, "project": "PLAT"}
    assert client.get(f"/api/v1/teams/{team['id']}", headers=admin).get_json() == team


@pytest.mark.route("POST /teams", "error")
def test_team_creation_names_bad_fields_and_needs_an_admin(client, admin, actors):
    _, lead = actors.user(Role.LEAD)
    error_of(client.post("/api/v1/teams", json={"name": "X", "kind": "team"}, headers=lead), 403)
    error = error_of(client.post("/api/v1/teams", json={"name": "", "kind": "squad",
                                                        "parent_id": "1"}, headers=admin), 422)
    assert set(error["fields"]) == {"name", "kind", "parent_id"}
    missing = error_of(client.post("/api/v1/teams", json={}, headers=admin), 422)
    assert set(missing["fields"]) == {"name", "kind"}
    ghost = client.post("/api/v1/teams", headers=admin, json={
        "name": "X", "kind": "team", "parent_id": 999999,
        "tracker_home": {"connection_id": 999999, "project": "P"}})
    assert "parent_id" in error_of(ghost, 422, "invalid_fields")["fields"]


@pytest.mark.route("GET /teams", "ok")
@pytest.mark.route("GET /teams", "error")
def test_any_member_lists_teams_filtered_by_parent(client, org):
    everyone = client.get("/api/v1/teams", headers=org.sales_member).get_json()
    assert everyone["total"] == 5
    below = client.get(f"/api/v1/teams?parent_id={org.product}", headers=org.sales_member)
    assert [t["name"] for t in below.get_json()["items"]] == ["Alpha", "Beta"]
    error_of(client.get("/api/v1/teams?parent_id=abc", headers=org.alpha_member), 422)


@pytest.mark.route(f"GET {TEAM_ID}", "error")
def test_an_unknown_team_answers_404(client, org):
    error_of(client.get("/api/v1/teams/999999", headers=org.alpha_member), 404, "not_found")


@pytest.mark.route(f"PATCH {TEAM_ID}", "ok")
def test_admin_moves_a_team_and_clears_its_tracker_home(client, org, world):
    connection = world.connection()
    home = {"tracker_home": {"connection_id": connection, "project": "BETA"}}
    client.patch(f"/api/v1/teams/{org.beta}", json=home, headers=org.admin)
    moved = client.patch(f"/api/v1/teams/{org.beta}", headers=org.admin,
                         json={"parent_id": org.sales, "name": "Beta squad", "tracker_home": None})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json() == {"id": org.beta, "name": "Beta squad", "kind": "team",
                                "parent_id": org.sales, "tracker_home": None,
                                "check_in_weekday": 4, "check_in_time": "14:00", "time_zone": "UTC"}


@pytest.mark.route(f"PATCH {TEAM_ID}", "error")
def test_a_team_cannot_move_below_itself_and_leads_cannot_edit_teams(client, org):
    loop = client.patch(f"/api/v1/teams/{org.product}", json={"parent_id": org.alpha},
                        headers=org.admin)
    assert error_of(loop, 422)["fields"] == {"parent_id": "would make a loop"}
    self_loop = client.patch(f"/api/v1/teams/{org.alpha}", json={"parent_id": org.alpha},
                             headers=org.admin)
    error_of(self_loop, 422)
    error_of(client.patch(f"/api/v1/teams/{org.alpha}", json={"name": "Mine"},
                          headers=org.product_lead), 403, "forbidden")
    error_of(client.patch("/api/v1/teams/999999", json={"name": "x"}, headers=org.admin), 404)


def test_explicit_null_for_a_required_team_field_is_refused(client, org):
    for field in ("name", "kind"):
        error = error_of(client.patch(f"/api/v1/teams/{org.alpha}", json={field: None},
                                      headers=org.admin), 422, "invalid_fields")
        assert field in error["fields"]


@pytest.mark.route("POST /users", "ok")
@pytest.mark.route(f"GET {USER_ID}", "ok")
def test_admin_creates_a_user_with_tracker_identities(client, org):
    response = client.post("/api/v1/users", headers=org.admin, json={
        "name": "Ada", "email": "Ada@Acme.io", "team_id": org.alpha, "role": "lead",
        "jira_account_id": "5b10a2844c20165700ede21g", "linear_user_id": "u-1"})
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    assert (user["email"], user["role"], user["active"]) == ("ada@acme.io", "lead", True)
    assert client.get(f"/api/v1/users/{user['id']}", headers=org.beta_member).get_json() == user


@pytest.mark.route("POST /users", "error")
def test_user_creation_refuses_bad_fields_taken_emails_and_non_admins(client, org):
    body = {"name": "Ada", "email": "ada@acme.io"}
    error_of(client.post("/api/v1/users", json=body, headers=org.product_lead), 403)
    bad = client.post("/api/v1/users", json={"email": "not-an-email", "role": "boss",
                                             "team_id": 0}, headers=org.admin)
    assert set(error_of(bad, 422)["fields"]) == {"name", "email", "role", "team_id"}
    ghost_team = client.post("/api/v1/users", json={**body, "team_id": 999999},
                             headers=org.admin)
    assert error_of(ghost_team, 422)["fields"] == {"team_id": "does not exist"}
    assert client.post("/api/v1/users", json=body, headers=org.admin).status_code == 201
    shouted = {**body, "email": "ADA@acme.io"}
    error_of(client.post("/api/v1/users", json=shouted, headers=org.admin), 409, "email_taken")


@pytest.mark.route("GET /users", "ok")
@pytest.mark.route("GET /users", "error")
def test_users_list_filters_by_team(client, org):
    alpha = client.get(f"/api/v1/users?team_id={org.alpha}", headers=org.sales_member).get_json()
    assert sorted(u["name"] for u in alpha["items"]) == ["alpha_lead", "alpha_member"]
    assert client.get("/api/v1/users", headers=org.sales_member).get_json()["total"] == 6
    error_of(client.get("/api/v1/users?team_id=-1", headers=org.admin), 422)


@pytest.mark.route(f"GET {USER_ID}", "error")
def test_an_unknown_user_answers_404(client, org):
    error_of(client.get("/api/v1/users/999999", headers=org.admin), 404, "not_found")


@pytest.mark.route(f"PATCH {USER_ID}", "ok")
def test_admin_moves_a_user_and_changes_their_role(client, org):
    user_id = org.ids["beta_member"]
    response = client.patch(f"/api/v1/users/{user_id}", headers=org.admin,
                            json={"team_id": org.alpha, "role": "lead", "linear_user_id": None})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["team_id"], response.get_json()["role"]) == (org.alpha, "lead")


@pytest.mark.route(f"PATCH {USER_ID}", "error")
def test_user_changes_need_an_admin_and_valid_fields(client, org):
    user_id = org.ids["alpha_member"]
    error_of(client.patch(f"/api/v1/users/{user_id}", json={"role": "admin"},
                          headers=org.alpha_member), 403)
    error_of(client.patch(f"/api/v1/users/{user_id}", json={"role": "root", "active": "no"},
                          headers=org.admin), 422)
    error_of(client.patch(f"/api/v1/users/{user_id}", json={"team_id": 999999},
                          headers=org.admin), 422)
    error_of(client.patch("/api/v1/users/999999", json={"name": "x"}, headers=org.admin), 404)
    for field in ("name", "role", "active"):
        error = error_of(client.patch(f"/api/v1/users/{user_id}", json={field: None},
                                      headers=org.admin), 422)
        assert field in error["fields"]


def test_a_teams_check_in_day_time_and_zone_default_to_friday_14_utc_and_are_checked(client, org):
    created = client.post("/api/v1/teams", json={"name": "Ops", "kind": "team"}, headers=org.admin)
    team = created.get_json()
    assert (team["check_in_weekday"], team["check_in_time"], team["time_zone"]) == (4, "14:00", "UTC")
    changed = client.patch(f"/api/v1/teams/{team['id']}", headers=org.admin, json={
        "check_in_weekday": 0, "check_in_time": "09:30", "time_zone": "Europe/Berlin"})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["check_in_weekday"], changed.get_json()["time_zone"]) == (0, "Europe/Berlin")
    refused = client.patch(f"/api/v1/teams/{team['id']}", headers=org.admin, json={
        "check_in_weekday": 7, "check_in_time": "25:00", "time_zone": "Mars/Base"})
    assert refused.status_code == 422
    fields = refused.get_json()["error"]["fields"]
    assert set(fields) == {"check_in_weekday", "check_in_time", "time_zone"}
    assert "not a time zone name" in fields["time_zone"]
