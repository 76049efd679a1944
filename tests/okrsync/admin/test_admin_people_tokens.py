"""Users, teams and API tokens in the admin pages: failures, shown-once tokens, revocation."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from okr_core.accounts import hash_token
from okr_core.domain import Role
from okr_core.models import ApiToken, Team, User
from tests.okrsync.admin.web import make_user, post_form, read_rows, sign_in


def add_user(admin_client, **fields):
    data = {"name": "Ada", "email": "ada@test.example", "role": "lead",
            "password": "a long enough password", "active": "y"}
    data.update(fields)
    return post_form(admin_client, "/admin/people", "/admin/users", **data)


def test_an_admin_adds_a_user_who_can_then_sign_in(app, admin_client, client, db):
    assert add_user(admin_client).status_code == 302
    (user,) = read_rows(db, select(User).where(User.email == "ada@test.example"))
    assert user.role is Role.LEAD
    assert sign_in(client, "ada@test.example", "a long enough password").status_code == 302
    assert client.get("/admin/").status_code == 403  # a lead is not an admin


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "Fill this in."),
    ({"email": "nope"}, "Enter an email address such as name@example.com."),
    ({"role": "owner"}, "Pick one of the choices."),
    ({"password": "short"}, "Use at least 12 characters (and at most 1,000)."),
    ({"team_id": "999"}, "Pick one of the choices."),
])
def test_a_bad_user_form_is_422_and_adds_nobody(admin_client, db, fields, message):
    response = add_user(admin_client, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert read_rows(db, select(User).where(User.email == "ada@test.example")) == []


def test_an_existing_email_is_409(admin_client):
    add_user(admin_client)
    response = add_user(admin_client, name="Other Ada")
    assert response.status_code == 409
    assert "exists already" in response.get_data(as_text=True)


def test_teams_are_added_under_a_parent(admin_client, db):
    post_form(admin_client, "/admin/people", "/admin/teams", name="Company", kind="company")
    (company,) = read_rows(db, select(Team))
    response = post_form(admin_client, "/admin/people", "/admin/teams", name="Platform",
                         kind="team", parent_id=str(company.id))
    assert response.status_code == 302
    (platform,) = read_rows(db, select(Team).where(Team.name == "Platform"))
    assert platform.parent_id == company.id


@pytest.mark.parametrize("fields", [{"name": "", "kind": "team"}, {"name": "X", "kind": "guild"}])
def test_a_bad_team_form_is_422(admin_client, db, fields):
    assert post_form(admin_client, "/admin/people", "/admin/teams", **fields).status_code == 422
    assert read_rows(db, select(Team)) == []


def test_roles_change_but_an_admin_cannot_demote_themself(app, admin_client, db):
    email = make_user(app, Role.MEMBER)
    (member,) = read_rows(db, select(User).where(User.email == email))
    assert post_form(admin_client, "/admin/people",
                     f"/admin/users/{member.id}/role/lead").status_code == 302
    assert read_rows(db, select(User).where(User.id == member.id))[0].role is Role.LEAD
    me = [u for u in read_rows(db, select(User)) if u.role is Role.ADMIN][0]
    assert post_form(admin_client, "/admin/people",
                     f"/admin/users/{me.id}/role/member").status_code == 409


def test_a_token_is_shown_once_stored_hashed_works_and_can_be_revoked(app, admin_client, db,
                                                                      client):
    (me,) = [u for u in read_rows(db, select(User)) if u.role is Role.ADMIN]
    response = post_form(admin_client, "/admin/tokens", user_id=str(me.id), name="ci")
    assert response.status_code == 201
    token = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    (row,) = read_rows(db, select(ApiToken).where(ApiToken.name == "ci"))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert token not in admin_client.get("/admin/tokens").get_data(as_text=True)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/teams", headers=bearer).status_code == 200
    post_form(admin_client, "/admin/tokens", f"/admin/tokens/{row.id}/revoke")
    assert client.get("/api/v1/teams", headers=bearer).status_code == 401
    assert "revoked" in admin_client.get("/admin/tokens").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "Fill this in."),
    ({"user_id": "424242"}, "Pick one of the choices."),
])
def test_a_bad_token_form_is_422_and_creates_nothing(admin_client, db, fields, message):
    (me,) = [u for u in read_rows(db, select(User)) if u.role is Role.ADMIN]
    response = post_form(admin_client, "/admin/tokens",
                         **{"user_id": str(me.id), "name": "ci", **fields})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert read_rows(db, select(ApiToken).where(ApiToken.name == "ci")) == []


def test_people_changes_are_audited(admin_client):
    add_user(admin_client)
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "User added" in page and "ada@test.example" in page and "role: Team lead" in page
    assert "user.created" not in page and not re.search(r"<td[^>]*>user \d+</td>", page)   # the name, not an id


def test_a_deactivated_user_can_no_longer_sign_in(app, admin_client, client, db):
    email = make_user(app, Role.MEMBER)
    (member,) = read_rows(db, select(User).where(User.email == email))
    assert post_form(admin_client, "/admin/people",
                     f"/admin/users/{member.id}/active/0").status_code == 302
    assert sign_in(client, email).status_code == 401
    me = [u for u in read_rows(db, select(User)) if u.role is Role.ADMIN][0]
    assert post_form(admin_client, "/admin/people",
                     f"/admin/users/{me.id}/active/0").status_code == 409


def test_add_user_defaults_to_member_and_add_team_to_team(admin_client):
    page = admin_client.get("/admin/people").text
    assert re.search(r'<option selected value="member">|<option value="member" selected>', page)
    assert re.search(r'<option selected value="team">|<option value="team" selected>', page)
    assert not re.search(r'<option selected value="admin">|<option value="admin" selected>', page)


def test_a_team_gets_its_weekly_check_in_day_time_and_zone(admin_client, db):
    response = post_form(admin_client, "/admin/people", "/admin/teams", name="Berlin", kind="team",
                         check_in_weekday="0", check_in_time="09:30", time_zone="Europe/Berlin")
    assert response.status_code == 302
    (team,) = read_rows(db, select(Team))
    assert (team.check_in_weekday, team.check_in_time, team.time_zone) == (0, "09:30", "Europe/Berlin")
    assert "Monday 09:30 (Europe/Berlin)" in admin_client.get("/admin/people").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"check_in_time": "9.30"}, "Enter a time like 14:00."),
    ({"time_zone": "Berlin/Mars"}, "Enter a time zone name like Europe/Berlin."),
    ({"check_in_weekday": "9"}, "Pick one of the choices."),
])
def test_a_bad_check_in_schedule_is_422_beside_its_field(admin_client, db, fields, message):
    response = post_form(admin_client, "/admin/people", "/admin/teams", name="Berlin", kind="team", **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert read_rows(db, select(Team)) == []


def test_the_people_page_names_roles_and_team_kinds_in_words(app, admin_client, db):
    assert add_user(admin_client).status_code == 302
    post_form(admin_client, "/admin/people", "/admin/teams", name="Web", kind="department",
              check_in_weekday="4", check_in_time="14:00", time_zone="UTC")
    html = admin_client.get("/admin/people").get_data(as_text=True)
    users = html.split('id="users"')[1].split("</table>")[0]
    assert '<td data-label="Role">Team lead</td>' in users and "Make admin" in users and "Make member" in users
    assert not re.search(r">\s*(lead|member|make lead)\s*<", users)
    teams = html.split('id="teams"')[1].split("</table>")[0]
    assert '<td data-label="Kind">Department</td>' in teams and ">department<" not in teams
    assert '<option value="lead">Team lead</option>' in html   # the add-user form says it too
