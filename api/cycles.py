"""Cycles: anyone signed in reads them and their tree; admins create, change and close them."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from pydantic_core import to_json
from sqlalchemy import select

from okr_core.cycle_close import close_cycle, start_closing
from okr_core.cycle_names import clashing_cycle
from okr_core.models import Cycle, utcnow
from okr_core.practices_facts import practice_warnings_for
from okr_core.rules import CycleClosed
from okr_core.tree import load_visible
from api.auth import current_viewer, require_admin
from api.common import dump, ensure_cycle_writable, load, paginate
from api.errors import ApiError, conflict
from api.schemas import (
    CycleCloseOut, CycleCreate, CycleOut, CyclePatch, CycleTree,
)
from api.spec import parse_body, route
from api.tree_view import tree_json
from plumbing.db import request_session
from sync.analysis.jobs import request_analysis_refresh

bp = Blueprint("api_cycles", __name__)


@route(bp, "/cycles", "POST", "Create a cycle", body=CycleCreate, response=CycleOut, status=201)
def create_cycle():
    require_admin()
    cycle = Cycle(**parse_body(CycleCreate).model_dump())
    refuse_duplicate_name(cycle.name, cycle.start_date, cycle.end_date)
    request_session().add(cycle)
    request_session().commit()
    return jsonify(dump(CycleOut, cycle)), 201


@route(bp, "/cycles", "GET", "List cycles", response=CycleOut, paged=True)
def list_cycles():
    return paginate(select(Cycle).order_by(Cycle.start_date.desc(), Cycle.id.desc()), CycleOut)


@route(bp, "/cycles/<int:cycle_id>", "GET", "Get a cycle", response=CycleOut)
def get_cycle(cycle_id: int):
    return jsonify(dump(CycleOut, load(Cycle, cycle_id, "cycle")))


@route(bp, "/cycles/<int:cycle_id>", "PATCH", "Change a cycle", body=CyclePatch,
       response=CycleOut)
def patch_cycle(cycle_id: int):
    require_admin()
    cycle = load(Cycle, cycle_id, "cycle")
    fields = parse_body(CyclePatch).model_dump(exclude_unset=True)
    archiving_closed = fields == {"status": "archived"} and cycle.status == "closed"
    if not archiving_closed:
        ensure_cycle_writable(cycle_id)
    if fields.get("status") == "archived" and not archiving_closed:
        # Archiving skips scoring: only a closed (scored) cycle may be archived.
        raise conflict("close the cycle before archiving it", "cycle_not_closed")
    start = fields.get("start_date", cycle.start_date)
    end = fields.get("end_date", cycle.end_date)
    if end <= start:
        raise ApiError(422, "invalid_fields", "end_date must be after start_date",
                       {"end_date": "must be after start_date"})
    refuse_duplicate_name(fields.get("name", cycle.name), start, end, cycle.id)
    for name, value in fields.items():
        setattr(cycle, name, value)
    request_session().commit()
    return jsonify(dump(CycleOut, cycle))


def refuse_duplicate_name(name: str, start, end, cycle_id: int | None = None) -> None:
    """422 on `name` when another cycle of that name overlaps these dates."""
    other = clashing_cycle(request_session(), name, start, end, cycle_id)
    if other is not None:
        raise ApiError(422, "invalid_fields", f"{other.name} already covers these dates",
                       {"name": f"{other.name} already covers part of this period"})


@route(bp, "/cycles/<int:cycle_id>/close", "POST",
       "Close a cycle: score every key result and objective, then make it read-only",
       response=CycleCloseOut)
def close(cycle_id: int):
    require_admin()
    cycle = load(Cycle, cycle_id, "cycle")
    try:
        scores = close_cycle(request_session(), cycle, utcnow())
    except CycleClosed as exc:
        raise conflict(str(exc), "cycle_closed")
    request_session().commit()
    request_analysis_refresh(cycle.id)  # the run after close writes the retrospective
    return jsonify({"cycle": dump(CycleOut, cycle), "objectives": [vars(s) for s in scores]})


@route(bp, "/cycles/<int:cycle_id>/start-close", "POST",
       "Start closing a cycle: each key result's owner may now enter its final value",
       response=CycleOut)
def start_close(cycle_id: int):
    require_admin()
    cycle = load(Cycle, cycle_id, "cycle")
    try:
        start_closing(cycle, utcnow())
    except CycleClosed as exc:
        raise conflict(str(exc), "cycle_closed")
    request_session().commit()
    return jsonify(dump(CycleOut, cycle))


@route(bp, "/cycles/<int:cycle_id>/tree", "GET",
       "The cycle's objectives the caller may see, nested by alignment, with their key results",
       response=CycleTree)
def tree(cycle_id: int):
    cycle = load(Cycle, cycle_id, "cycle")
    objectives, krs = load_visible(request_session(), cycle_id, current_viewer(), plain=True)
    body = {"cycle": dump(CycleOut, cycle), "objectives": tree_json(objectives, krs),
            "warnings": practice_warnings_for(objectives, krs)}
    return current_app.response_class(to_json(body), mimetype="application/json")
