"""Admin pages for users, teams and API tokens (a new token is shown once, stored hashed)."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from sqlalchemy import select

from okrsync.admin.blueprint import admin_only, bp, commit_change
from ui_panel.signin import current_web_user
from okrsync.admin.forms import (
    ROLE_WORDS, TEAM_KIND_WORDS, ActionForm, TeamForm, TokenForm, UserForm, choices,
)
from okr_core.accounts import hash_password, hash_token, new_token
from okr_core.domain import Role, TeamKind
from okr_core.models import ApiToken, Team, User, utcnow
from plumbing.db import request_session


def _team_choices() -> list:
    teams = request_session().scalars(select(Team).order_by(Team.name))
    return choices([("", "—")] + [(str(t.id), t.name) for t in teams])


def _people_page(user_form=None, team_form=None, status: int = 200):
    db = request_session()
    user_form = user_form or UserForm(formdata=None)
    team_form = team_form or TeamForm(formdata=None)
    user_form.team_id.choices = team_form.parent_id.choices = _team_choices()
    return render_template(
        "admin/people.html", users=db.scalars(select(User).order_by(User.email)).all(),
        teams=db.scalars(select(Team).order_by(Team.name)).all(), user_form=user_form,
        team_form=team_form, action=ActionForm(), role_words=ROLE_WORDS,
        team_kind_words=TEAM_KIND_WORDS), status


@bp.get("/people")
@admin_only
def people():
    return _people_page()


@bp.post("/users")
@admin_only
def create_user():
    form = UserForm()
    form.team_id.choices = _team_choices()
    if not form.validate_on_submit():
        return _people_page(user_form=form, status=422)
    email = form.email.data.strip().lower()
    if request_session().scalar(select(User).where(User.email == email)):
        form.email.errors.append("A user with this email exists already.")
        return _people_page(user_form=form, status=409)
    user = User(name=form.name.data.strip(), email=email, role=Role(form.role.data),
                team_id=int(form.team_id.data) if form.team_id.data else None,
                password_hash=hash_password(form.password.data) if form.password.data else None,
                active=form.active.data)
    request_session().add(user)
    request_session().flush()
    commit_change("user.created", f"user {user.id}", {"email": email, "role": user.role.value})
    return redirect(url_for("admin.people"))


@bp.post("/users/<int:user_id>/role/<role>")
@admin_only
def change_role(user_id: int, role: str):
    user = request_session().get(User, user_id)
    if user is None or role not in {r.value for r in Role}:
        abort(404)
    if user.id == current_web_user().id and role != Role.ADMIN.value:
        abort(409, "An admin cannot take their own admin role away.")
    user.role = Role(role)
    commit_change("user.role-changed", f"user {user.id}", {"role": role})
    return redirect(url_for("admin.people"))


@bp.post("/users/<int:user_id>/active/<int:active>")
@admin_only
def set_active(user_id: int, active: int):
    user = request_session().get(User, user_id)
    if user is None or active not in (0, 1):
        abort(404)
    if user.id == current_web_user().id and not active:
        abort(409, "An admin cannot deactivate their own account.")
    user.active = bool(active)
    commit_change("user.activated" if active else "user.deactivated", f"user {user.id}")
    return redirect(url_for("admin.people"))


@bp.post("/teams")
@admin_only
def create_team():
    form = TeamForm()
    form.parent_id.choices = _team_choices()
    if not form.validate_on_submit():
        return _people_page(team_form=form, status=422)
    team = Team(name=form.name.data.strip(), kind=TeamKind(form.kind.data),
                parent_id=int(form.parent_id.data) if form.parent_id.data else None,
                check_in_weekday=form.check_in_weekday.data, check_in_time=form.check_in_time.data.strip(),
                time_zone=form.time_zone.data.strip())
    request_session().add(team)
    request_session().flush()
    commit_change("team.created", f"team {team.id}", {"name": team.name})
    return redirect(url_for("admin.people"))


def _tokens_page(form=None, new_token_value: str | None = None, status: int = 200):
    db = request_session()
    form = form or TokenForm(formdata=None)
    form.user_id.choices = choices((str(u.id), u.email) for u in db.scalars(
        select(User).order_by(User.email)))
    tokens = db.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", form=form, tokens=tokens, action=ActionForm(),
                           new_token=new_token_value), status


@bp.get("/tokens")
@admin_only
def tokens():
    return _tokens_page()


@bp.post("/tokens")
@admin_only
def create_token():
    form = TokenForm()
    form.user_id.choices = choices((str(u.id), u.email)
                                   for u in request_session().scalars(select(User)))
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    token = new_token()
    row = ApiToken(user_id=int(form.user_id.data), name=form.name.data.strip(),
                   token_hash=hash_token(token), prefix=token[:10])
    request_session().add(row)
    request_session().flush()
    commit_change("token.created", f"token {row.id}", {"user_id": row.user_id, "name": row.name})
    return _tokens_page(new_token_value=token, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@admin_only
def revoke_token(token_id: int):
    row = request_session().get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        commit_change("token.revoked", f"token {row.id}", {"user_id": row.user_id})
    return redirect(url_for("admin.tokens"))
