"""The workspace pages on both stores: who may use them, and bad input that never gives a 500."""
from __future__ import annotations

from sqlalchemy import select

from okr_core.domain import Level, Role
from okr_core.models import Cycle, KeyResult, Objective, User
from tests.ui_panel.conftest import csrf_token, scalar, sign_in


def _member(app, db):
    member = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    return sign_in(app.test_client(), member)


def test_members_read_cycles_but_only_admins_change_them(app, admin_client, db, demo):
    member = _member(app, db)
    assert member.get("/cycles").status_code == 200
    assert "New OKR Cycle" not in member.get("/cycles").text
    for path in ("/cycles/new", f"/cycles/{demo}/edit"):
        assert member.get(path).status_code == 403
    token = csrf_token(member, "/cycles")
    assert member.post(f"/cycles/{demo}/activate", data={"csrf_token": token}).status_code == 403
    refused = admin_client.get(f"/cycles/{demo}/review")
    assert refused.status_code == 200 and "Mid-cycle review" in refused.text


def test_pages_answer_bad_ids_and_queries_in_words_not_500(admin_client, demo):
    for path in ("/objectives/999999", "/objectives/999999/branch", "/key-results/999999/edit",
                 "/cycles/999999/objectives/new", "/cycles/999999/review"):
        response = admin_client.get(path)
        assert response.status_code == 404, path
        assert "This page does not exist" in response.text
    for path in (f"/alignment?cycle={demo}&team=abc&owner=-1&status=%3Cb%3E",
                 f"/cycles/{demo}/objectives/parent-options?level=bogus&editing=x"):
        assert admin_client.get(path).status_code == 200, path
    api = admin_client.get("/api/v1/nothing-here")
    assert api.status_code in (401, 404) and api.is_json


def test_analysis_scope_is_checked(app, admin_client, db, demo):
    token = csrf_token(admin_client, "/")
    for scope, status in (("bogus", 404), ("team:999999", 404), ("user:999999", 403)):
        response = admin_client.post(f"/cycles/{demo}/analysis",
                                     data={"csrf_token": token, "scope": scope})
        assert response.status_code == status, scope


def test_a_members_individual_objective_waits_for_approval(app, admin_client, db, demo):
    member_id = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    member = sign_in(app.test_client(), member_id)
    token = csrf_token(member, f"/cycles/{demo}/objectives/new")
    response = member.post(f"/cycles/{demo}/objectives/new", data={
        "csrf_token": token, "title": "Learn the billing code", "level": "individual",
        "visibility": "public", "published": "y", "description": ""})
    assert response.status_code == 302, response.text
    objective = db.scalar(select(Objective).where(Objective.title == "Learn the billing code"))
    assert (objective.level, objective.published, objective.owner_id) == (
        Level.INDIVIDUAL, False, member_id)
    objective_id = objective.id
    db.commit()
    token = csrf_token(admin_client, f"/objectives/{objective_id}")
    assert member.post(f"/objectives/{objective_id}/approve",
                       data={"csrf_token": token}).status_code in (400, 403)
    approved = admin_client.post(f"/objectives/{objective_id}/approve", data={"csrf_token": token})
    assert approved.status_code == 302
    db.expire_all()
    assert scalar(db, select(Objective.published).where(Objective.id == objective_id)) is True


def test_closed_cycles_refuse_changes_to_their_okrs(app, admin_client, db, demo):
    cycle = db.get(Cycle, demo)
    cycle.status = "closed"
    kr_id = db.scalar(select(KeyResult.id).order_by(KeyResult.id))
    objective_id = db.scalar(select(Objective.id).order_by(Objective.id))
    db.commit()
    for path in (f"/objectives/{objective_id}/edit", f"/key-results/{kr_id}/edit",
                 f"/cycles/{demo}/objectives/new", f"/cycles/{demo}/edit"):
        assert admin_client.get(path).status_code == 409, path


def test_a_sixth_objective_at_one_level_is_warned_about_in_words(admin_client, db, demo):
    from okr_core.domain import TeamKind
    from okr_core.models import Team

    team = Team(name="Growth squad", kind=TeamKind.TEAM)
    db.add(team)
    db.flush()
    db.add_all(Objective(cycle_id=demo, title=f"Goal {n}", level=Level.TEAM, team_id=team.id)
               for n in range(5))
    db.commit()
    team_id = team.id
    db.commit()
    token = csrf_token(admin_client, f"/cycles/{demo}/objectives/new")
    said = admin_client.post(f"/cycles/{demo}/objectives/warnings", data={
        "csrf_token": token, "level": "team", "team_id": str(team_id)}).text
    assert "Growth squad would have 6 team-level objectives" in said
    assert "3 to 5" in said
    quiet = admin_client.post(f"/cycles/{demo}/objectives/warnings", data={
        "csrf_token": token, "level": "department", "team_id": str(team_id)}).text
    assert "would have" not in quiet


def test_notes_too_long_for_the_field_are_refused_beside_it(admin_client, demo):
    token = csrf_token(admin_client, f"/cycles/{demo}/review")
    refused = admin_client.post(f"/cycles/{demo}/review",
                                data={"csrf_token": token, "notes": "n" * 20_001})
    assert refused.status_code == 422
    assert 'id="err-notes"' in refused.text and "20,000 characters or fewer" in refused.text


def test_an_unexpected_failure_shows_the_styled_500_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/fails-for-this-test", "fails_for_this_test", lambda: 1 / 0)
    response = app.test_client().get("/fails-for-this-test")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "ZeroDivisionError" not in response.text and "Traceback" not in response.text


def test_the_dashboard_calls_for_the_mid_cycle_review_until_it_is_written(admin_client, demo):
    assert "time for the" in admin_client.get(f"/?cycle={demo}").text  # the demo is past half
    token = csrf_token(admin_client, f"/cycles/{demo}/review")
    saved = admin_client.post(f"/cycles/{demo}/review",
                              data={"csrf_token": token, "notes": "Hiring slowed us."})
    assert saved.status_code == 302
    assert "time for the" not in admin_client.get(f"/?cycle={demo}").text
