"""Cycle analysis: queue a run, read the latest one the caller may see."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, jsonify, request
from pydantic import BaseModel

from okr_core.analysis import (
    AUDIENCE_MARK, InvalidScope, Scope, latest_visible_analysis, parse_scope, scope_key,
)
from okr_core.models import Analysis, Cycle, Team, User
from api.auth import current_viewer
from api.common import load
from api.errors import ApiError, not_found
from api.spec import route
from plumbing.db import request_session
from sync.analysis.jobs import enqueue_analysis, queue_analysis
from sync.analysis.analysis_requests import TooManyAnalyses, request_analysis

bp = Blueprint("api_analysis", __name__)
SCOPE_QUERY = {"scope": "scope"}


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
    """The analysis as the API shows it: the scope without whose view it was computed with."""
    data = AnalysisOut.model_validate(analysis, from_attributes=True).model_dump(mode="json")
    data["scope"] = analysis.scope.partition(AUDIENCE_MARK)[0]
    return data


@route(bp, "/cycles/<int:cycle_id>/analysis", "POST",
       "Queue an analysis of the cycle for the scope (company, team:<id>, user:<id>)",
       response=AnalysisQueued, status=202, query=SCOPE_QUERY)
def queue_cycle_analysis(cycle_id: int):
    """A request while a run of the same cycle and scope is still queued gets that run."""
    load(Cycle, cycle_id, "cycle")
    scope = requested_scope()
    session, viewer = request_session(), current_viewer()
    try:
        analysis, _ = request_analysis(session, cycle_id, scope_key(scope, viewer),
                                       viewer.user_id, datetime.now(timezone.utc))
    except TooManyAnalyses as exc:
        error, status = ApiError(429, "too_many_requests", str(exc)).to_response()
        error.headers["Retry-After"] = str(exc.retry_after)
        return error, status
    session.commit()
    enqueue_analysis(analysis.id)  # a coalesced run's job is queued already: refused as a duplicate
    return jsonify({"id": analysis.id, "cycle_id": cycle_id, "scope": str(scope),
                    "state": analysis.state}), 202


@route(bp, "/cycles/<int:cycle_id>/analysis", "GET",
       "The latest analysis of the cycle for the scope, as far as the caller may see it",
       response=AnalysisOut, query=SCOPE_QUERY)
def get_cycle_analysis(cycle_id: int):
    load(Cycle, cycle_id, "cycle")
    analysis = latest_visible_analysis(request_session(), cycle_id, requested_scope(),
                                       current_viewer())
    if analysis is None:
        raise not_found("analysis of cycle", cycle_id)
    return jsonify(analysis_out(analysis))
