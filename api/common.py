"""Small helpers shared by the API's resource modules."""
from __future__ import annotations

from flask import jsonify, request
from pydantic import BaseModel
from sqlalchemy import func, select

from okr_core.ids import MAX_ID
from okr_core.models import Cycle, KeyResult, Objective
from okr_core.rules import CycleClosed, guard_cycle_writable
from okr_core.visibility import can_see, visible_ids
from api.auth import current_viewer
from api.errors import ApiError, conflict, not_found
from plumbing.db import request_session
from api.spec import MAX_PAGE

MAX_PER_PAGE = 200


def dump(model: type[BaseModel], obj) -> dict:
    return model.model_validate(obj).model_dump(mode="json")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, "invalid_fields", f"{name} must be an integer", {name: "not an integer"})
    if not low <= value <= high:
        raise ApiError(422, "invalid_fields", f"{name} must be between {low} and {high}",
                       {name: f"must be between {low} and {high}"})
    return value


def int_filter(name: str) -> int | None:
    return _int_arg(name, 0, 1, MAX_ID) if name in request.args else None


def paginate(stmt, model: type[BaseModel] | None = None, to_dict=None, to_dicts=None):
    """Run `stmt` one page at a time: ?page=1&per_page=50 -> {items, page, per_page, total, next_page}.

    Rows become dicts by `to_dicts(rows)`, else `to_dict(row)` each, else `model`.
    """
    page = _int_arg("page", 1, 1, MAX_PAGE)
    per_page = _int_arg("per_page", 50, 1, MAX_PER_PAGE)
    session = request_session()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    items = to_dicts(rows) if to_dicts else [to_dict(r) if to_dict else dump(model, r)
                                             for r in rows]
    return jsonify({
        "items": items,
        "page": page, "per_page": per_page, "total": total,
        "next_page": page + 1 if page * per_page < total else None,
    })


def objectives_out(objectives, out_model: type[BaseModel]) -> list[dict]:
    """Objectives as JSON; a parent the caller may not see is never named (parent_id null)."""
    shown = visible_ids(request_session(), current_viewer(), {o.parent_id for o in objectives})
    dicts = [dump(out_model, o) for o in objectives]
    for data in dicts:
        if data["parent_id"] not in shown:
            data["parent_id"] = None
    return dicts


def load(model, ident: int, what: str):
    obj = request_session().get(model, ident)
    if obj is None:
        raise not_found(what, ident)
    return obj


def visible_objective(objective_id: int) -> Objective:
    """The objective, or 404 when it does not exist or the viewer may not see it."""
    objective = request_session().get(Objective, objective_id)
    if objective is None or not can_see(current_viewer(), objective):
        raise not_found("objective", objective_id)
    return objective


def visible_key_result(kr_id: int) -> tuple[KeyResult, Objective]:
    kr = request_session().get(KeyResult, kr_id)
    if kr is None:
        raise not_found("key result", kr_id)
    objective = request_session().get(Objective, kr.objective_id)
    if not can_see(current_viewer(), objective):
        raise not_found("key result", kr_id)
    return kr, objective


def ensure_cycle_writable(cycle_id: int) -> Cycle:
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        raise not_found("cycle", cycle_id)
    try:
        guard_cycle_writable(cycle.status)
    except CycleClosed as exc:
        raise conflict(str(exc), "cycle_closed")
    return cycle


def ensure_exists(model, ident: int | None, field: str) -> None:
    """422 when a referenced id does not exist (a body field, not the URL's subject)."""
    if ident is not None and request_session().get(model, ident) is None:
        raise ApiError(422, "invalid_fields", f"{field} {ident} does not exist",
                       {field: "does not exist"})
