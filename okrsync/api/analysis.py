"""Cycle analysis: queue a run, read the latest one the caller may see."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from sqlalchemy import select

from okr_core.analysis import InvalidScope, Scope, parse_scope
from okr_core.models import Analysis, Cycle, Objective, Team, User
from okr_core.visibility import visible_objectives_clause
from okrsync.api.auth import current_viewer
from okrsync.api.common import load
from okrsync.api.errors import ApiError, not_found
from okrsync.api.spec import route
from okrsync.db import request_session
from sync.analysis_jobs import AUDIENCE_MARK, enqueue_analysis, queue_analysis, scope_key

bp = Blueprint("api_analysis", __name__)
SCOPE_QUERY = {"scope": "string"}
CANDIDATES = 20


class AnalysisQueued(BaseModel):
    id: int
    cycle_id: int
    scope: str
    state: str


class AnalysisOut(BaseModel):
    id: int
    cycle_id: int
    scope: str
    state: str
    created_at: datetime
    finished_at: datetime | None
    model: str | None
    inputs_hash: str | None
    sections: dict
    narrative: dict


def requested_scope() -> Scope:
    """The ?scope= of the request (company when absent); 422 when malformed or unknown."""
    try:
        scope = parse_scope(request.args.get("scope"))
    except InvalidScope as exc:
        raise ApiError(422, "invalid_fields", str(exc), {"scope": str(exc)})
    model = {"team": Team, "user": User}.get(scope.kind)
    if model is not None and request_session().get(model, scope.subject_id) is None:
        raise ApiError(422, "invalid_fields", f"{scope} does not exist",
                       {"scope": f"{scope.kind} {scope.subject_id} does not exist"})
    return scope


def analysis_out(analysis: Analysis) -> dict:
    data = AnalysisOut.model_validate(analysis, from_attributes=True).model_dump(mode="json")
    data["scope"] = analysis.scope.partition(AUDIENCE_MARK)[0]
    return data


def visible_objective_ids(cycle_id: int) -> set[int]:
    """The cycle's objectives the caller may see."""
    return set(request_session().scalars(select(Objective.id).where(
        Objective.cycle_id == cycle_id, visible_objectives_clause(current_viewer()))).all())


def latest_visible(cycle_id: int, scope: Scope) -> Analysis | None:
    """The newest finished analysis of the scope covering only objectives the caller may see."""
    keys = {str(scope), f"{scope}{AUDIENCE_MARK}{current_viewer().user_id}"}
    rows = request_session().scalars(
        select(Analysis).where(Analysis.cycle_id == cycle_id, Analysis.scope.in_(keys),
                               Analysis.state == "done")
        .order_by(Analysis.created_at.desc(), Analysis.id.desc()).limit(CANDIDATES)).all()
    visible = visible_objective_ids(cycle_id)
    for analysis in rows:
        covered = set((analysis.sections.get("subjects") or {}).get("objective_ids", []))
        if covered <= visible:
            return analysis
    return None


@route(bp, "/cycles/<int:cycle_id>/analysis", "POST",
       "Queue an analysis of the cycle for the scope (company, team:<id>, user:<id>)",
       response=AnalysisQueued, status=202, query=SCOPE_QUERY)
def queue_cycle_analysis(cycle_id: int):
    load(Cycle, cycle_id, "cycle")
    scope = requested_scope()
    session = request_session()
    analysis = queue_analysis(session, cycle_id, scope_key(scope, current_viewer()))
    session.commit()
    enqueue_analysis(analysis.id)
    return jsonify({"id": analysis.id, "cycle_id": cycle_id, "scope": str(scope),
                    "state": analysis.state}), 202


@route(bp, "/cycles/<int:cycle_id>/analysis", "GET",
       "The latest analysis of the cycle for the scope, as far as the caller may see it",
       response=AnalysisOut, query=SCOPE_QUERY)
def get_cycle_analysis(cycle_id: int):
    load(Cycle, cycle_id, "cycle")
    analysis = latest_visible(cycle_id, requested_scope())
    if analysis is None:
        raise not_found("analysis of cycle", cycle_id)
    return jsonify(analysis_out(analysis))
