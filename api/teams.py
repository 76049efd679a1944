"""Teams and users: everyone signed in may read them, admins change them."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from okr_core.models import Connection, Team, User
from okr_core.visibility import ancestors, team_parents
from api.auth import require_admin
from api.common import dump, ensure_exists, int_filter, load, paginate
from api.errors import ApiError, conflict
from api.schemas import TeamCreate, TeamOut, TeamPatch, UserCreate, UserOut, UserPatch
from api.spec import parse_body, route
from plumbing.db import request_session

bp = Blueprint("api_teams", __name__)


def team_out(team: Team) -> dict:
    data = dump(TeamOut, team)
    if team.home_connection_id is not None:
        data["tracker_home"] = {"connection_id": team.home_connection_id,
                                "project": team.home_project}
    return data


def _apply_team(team: Team, fields: dict) -> None:
    session = request_session()
    if "parent_id" in fields:
        ensure_exists(Team, fields["parent_id"], "parent_id")
        if team.id is not None and team.id in ancestors(team_parents(session), fields["parent_id"]):
            raise ApiError(422, "invalid_fields", "a team cannot sit below itself",
                           {"parent_id": "would make a loop"})
    if "tracker_home" in fields:
        home = fields.pop("tracker_home")
        if home is not None:
            ensure_exists(Connection, home["connection_id"], "tracker_home.connection_id")
        team.home_connection_id = home["connection_id"] if home else None
        team.home_project = home["project"] if home else None
    for name, value in fields.items():
        setattr(team, name, value)


@route(bp, "/teams", "POST", "Create a team", body=TeamCreate, response=TeamOut, status=201)
def create_team():
    require_admin()
    body = parse_body(TeamCreate)
    team = Team()
    _apply_team(team, body.model_dump(exclude_unset=True))
    request_session().add(team)
    request_session().commit()
    return jsonify(team_out(team)), 201


@route(bp, "/teams", "GET", "List teams", response=TeamOut, paged=True,
       query={"parent_id": "integer"})
def list_teams():
    stmt = select(Team).order_by(Team.id)
    if (parent := int_filter("parent_id")) is not None:
        stmt = stmt.where(Team.parent_id == parent)
    return paginate(stmt, TeamOut)


@route(bp, "/teams/<int:team_id>", "GET", "Get a team", response=TeamOut)
def get_team(team_id: int):
    return jsonify(team_out(load(Team, team_id, "team")))


@route(bp, "/teams/<int:team_id>", "PATCH", "Change a team", body=TeamPatch, response=TeamOut)
def patch_team(team_id: int):
    require_admin()
    team = load(Team, team_id, "team")
    _apply_team(team, parse_body(TeamPatch).model_dump(exclude_unset=True))
    request_session().commit()
    return jsonify(team_out(team))


@route(bp, "/users", "POST", "Create a user", body=UserCreate, response=UserOut, status=201)
def create_user():
    require_admin()
    body = parse_body(UserCreate)
    ensure_exists(Team, body.team_id, "team_id")
    user = User(**body.model_dump())
    user.email = user.email.lower()
    session = request_session()
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict(f"a user with email {body.email} already exists", "email_taken")
    return jsonify(dump(UserOut, user)), 201


@route(bp, "/users", "GET", "List users", response=UserOut, paged=True,
       query={"team_id": "integer"})
def list_users():
    stmt = select(User).order_by(User.id)
    if (team := int_filter("team_id")) is not None:
        stmt = stmt.where(User.team_id == team)
    return paginate(stmt, UserOut)


@route(bp, "/users/<int:user_id>", "GET", "Get a user", response=UserOut)
def get_user(user_id: int):
    return jsonify(dump(UserOut, load(User, user_id, "user")))


@route(bp, "/users/<int:user_id>", "PATCH", "Change a user", body=UserPatch, response=UserOut)
def patch_user(user_id: int):
    require_admin()
    user = load(User, user_id, "user")
    fields = parse_body(UserPatch).model_dump(exclude_unset=True)
    ensure_exists(Team, fields.get("team_id"), "team_id")
    for name, value in fields.items():
        setattr(user, name, value)
    request_session().commit()
    return jsonify(dump(UserOut, user))
