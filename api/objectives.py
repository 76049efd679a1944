"""Objectives: listed and read within visibility; created and changed by their team's leads."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from okr_core.domain import Level, Role
from okr_core.models import Cycle, Objective, Team, User
from okr_core.progress_service import refresh_objective_chain
from okr_core.visibility import can_edit, can_see, visible_objectives_clause
from api.auth import current_viewer
from api.common import (
    ensure_cycle_writable, ensure_exists, int_filter, objectives_out, paginate, visible_objective,
)
from api.errors import ApiError, forbidden
from api.kr_rules import ensure_publishable
from api.schemas import ObjectiveCreate, ObjectiveOut, ObjectivePatch
from api.spec import parse_body, route
from plumbing.db import request_session
from sync.mirror.mirrors import queue_mirror

bp = Blueprint("api_objectives", __name__)


def _check_references(fields: dict, cycle_id: int, objective_id: int | None = None) -> None:
    ensure_exists(Team, fields.get("team_id"), "team_id")
    ensure_exists(User, fields.get("owner_id"), "owner_id")
    parent_id = fields.get("parent_id")
    if parent_id is None:
        return
    parent = request_session().get(Objective, parent_id)
    # A parent the caller may not see must answer exactly like one that does not exist.
    if parent is None or parent.cycle_id != cycle_id or not can_see(current_viewer(), parent):
        raise ApiError(422, "invalid_fields", "parent_id must be an objective of the same cycle",
                       {"parent_id": "not an objective of this cycle"})
    node, seen = parent, set()
    while node is not None and node.id not in seen:
        if node.id == objective_id:
            raise ApiError(422, "invalid_fields", "an objective cannot be aligned below itself",
                           {"parent_id": "would make a loop"})
        seen.add(node.id)
        node = request_session().get(Objective, node.parent_id) if node.parent_id else None


def objective_out(objective: Objective) -> dict:
    return objectives_out([objective], ObjectiveOut)[0]


def _may_create(draft: Objective) -> bool:
    viewer = current_viewer()
    if viewer.is_admin:
        return True
    if draft.level == Level.INDIVIDUAL:
        return draft.owner_id in (None, viewer.user_id)
    return viewer.role == Role.LEAD and draft.team_id in viewer.leads


@route(bp, "/objectives", "POST", "Create an objective", body=ObjectiveCreate,
       response=ObjectiveOut, status=201)
def create_objective():
    objective = add_objective(parse_body(ObjectiveCreate))
    return jsonify(objective_out(objective)), 201


def add_objective(body: ObjectiveCreate) -> Objective:
    """Check, store and mirror a new objective for the current viewer; raises ApiError."""
    ensure_exists(Cycle, body.cycle_id, "cycle_id")
    ensure_cycle_writable(body.cycle_id)
    fields = body.model_dump()
    _check_references(fields, body.cycle_id)
    objective = Objective(**fields)
    if objective.owner_id is None:
        objective.owner_id = current_viewer().user_id
    if not _may_create(objective):
        raise forbidden("only admins and the team's leads create objectives for a team")
    session = request_session()
    session.add(objective)
    session.flush()
    refresh_objective_chain(session, objective.parent_id)
    session.commit()
    queue_mirror("objective", objective.id)
    return objective


@route(bp, "/objectives", "GET", "List the objectives the caller may see", response=ObjectiveOut,
       paged=True, query={"cycle_id": "integer", "team_id": "integer", "owner_id": "integer",
                          "level": "level"})
def list_objectives():
    stmt = select(Objective).where(visible_objectives_clause(current_viewer())).order_by(Objective.id)
    for name, column in (("cycle_id", Objective.cycle_id), ("team_id", Objective.team_id),
                         ("owner_id", Objective.owner_id)):
        if (value := int_filter(name)) is not None:
            stmt = stmt.where(column == value)
    if "level" in request.args:
        try:
            stmt = stmt.where(Objective.level == Level(request.args["level"]))
        except ValueError:
            raise ApiError(422, "invalid_fields", "unknown level",
                           {"level": f"one of {', '.join(l.value for l in Level)}"})
    return paginate(stmt, to_dicts=lambda rows: objectives_out(rows, ObjectiveOut))


@route(bp, "/objectives/<int:objective_id>", "GET", "Get an objective", response=ObjectiveOut)
def get_objective(objective_id: int):
    return jsonify(objective_out(visible_objective(objective_id)))


def editable_objective(objective_id: int) -> Objective:
    objective = visible_objective(objective_id)
    if not can_edit(current_viewer(), objective):
        raise forbidden("only admins, the owner and the team's leads change this objective")
    ensure_cycle_writable(objective.cycle_id)
    return objective


@route(bp, "/objectives/<int:objective_id>", "PATCH", "Change an objective",
       body=ObjectivePatch, response=ObjectiveOut)
def patch_objective(objective_id: int):
    objective = editable_objective(objective_id)
    change_objective(objective, parse_body(ObjectivePatch).model_dump(exclude_unset=True))
    return jsonify(objective_out(objective))


def change_objective(objective: Objective, fields: dict) -> None:
    """Check and store changes to an editable objective, re-roll progress, mirror it."""
    _check_references(fields, objective.cycle_id, objective.id)
    if fields.get("published") and not objective.published:
        ensure_publishable(objective)
    old_parent = objective.parent_id
    for name, value in fields.items():
        setattr(objective, name, value)
    if {"team_id", "level", "owner_id"} & fields.keys() and not _may_create(objective):
        raise forbidden("you may only move an objective to a team or owner you answer for")
    session = request_session()
    session.flush()
    refresh_objective_chain(session, old_parent)
    refresh_objective_chain(session, objective.id)
    session.commit()
    queue_mirror("objective", objective.id)


@route(bp, "/objectives/<int:objective_id>", "DELETE", "Delete an objective and its key results",
       status=204)
def delete_objective(objective_id: int):
    remove_objective(editable_objective(objective_id))
    return "", 204


def remove_objective(objective: Objective) -> None:
    """Delete an objective and its KRs; its aligned children move up to its parent."""
    session = request_session()
    parent_id = objective.parent_id
    for child in session.scalars(select(Objective).where(Objective.parent_id == objective.id)):
        child.parent_id = parent_id
    session.delete(objective)
    session.flush()
    refresh_objective_chain(session, parent_id)
    session.commit()
    queue_mirror("deleted")
