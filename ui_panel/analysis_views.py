"""AI Analysis & Insights from the dashboard header: queue a run for the view's scope, show it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.analysis import InvalidScope, Scope, parse_scope, scope_key
from okr_core.models import Analysis, Cycle, Team
from plumbing.db import request_session
from sync.analysis.jobs import enqueue_analysis, queue_analysis
from ui_panel.loading import latest_analysis

bp = Blueprint("analysis_views", __name__)


def _scope_or_404() -> Scope:
    """The ?scope= asked for: company, a team that exists, or the signed-in user only."""
    try:
        scope = parse_scope(request.values.get("scope"))
    except InvalidScope:
        abort(404)
    if scope.kind == "team" and request_session().get(Team, scope.subject_id) is None:
        abort(404)
    if scope.kind == "user" and scope.subject_id != current_web_user().id:
        abort(403)
    return scope


def start_analysis(cycle_id: int, scope: Scope) -> Analysis:
    """Queue one analysis of the scope as the signed-in user may see it."""
    analysis = queue_analysis(request_session(), cycle_id,
                              scope_key(scope, current_web_viewer()))
    request_session().commit()
    enqueue_analysis(analysis.id)
    return analysis


def pending_analysis(cycle_id: int, scope: Scope) -> Analysis | None:
    """The newest queued run of this scope for this user, if one is still running."""
    return request_session().scalar(
        select(Analysis).where(Analysis.cycle_id == cycle_id, Analysis.state == "queued",
                               Analysis.scope == scope_key(scope, current_web_viewer()))
        .order_by(Analysis.id.desc()).limit(1))


def analysis_in_progress(cycle: Cycle, scope_text: str, latest: Analysis | None):
    """The run the panel waits for: one queued for this scope, else (Team and My views, shown
    for the first time) one started now, so those views compute their own analysis."""
    scope = parse_scope(scope_text)
    pending = pending_analysis(cycle.id, scope)
    if pending is not None or latest is not None or scope.kind == "company":
        return pending
    return start_analysis(cycle.id, scope)


@bp.post("/cycles/<int:cycle_id>/analysis")
@login_required()
def run(cycle_id: int):
    if request_session().get(Cycle, cycle_id) is None:
        abort(404)
    scope = _scope_or_404()
    analysis = pending_analysis(cycle_id, scope) or start_analysis(cycle_id, scope)
    if request.headers.get("HX-Request"):
        return _panel(cycle_id, scope, analysis)
    flash("AI Analysis & Insights is running; it typically takes 10 to 20 seconds.", "success")
    return redirect(request.referrer or "/")


@bp.get("/cycles/<int:cycle_id>/analysis/<int:analysis_id>/panel")
@login_required()
def panel(cycle_id: int, analysis_id: int):
    """The panel while a run is going (htmx polls this) and once it has finished."""
    scope = _scope_or_404()
    running = request_session().get(Analysis, analysis_id)
    if running is None or running.cycle_id != cycle_id:
        abort(404)
    return _panel(cycle_id, scope, running)


def _panel(cycle_id: int, scope: Scope, asked: Analysis):
    """The panel for the run asked about: it polls while that run (or, once it has finished,
    a newer queued one) is pending, and says which run it shows meanwhile."""
    if asked.scope != scope_key(scope, current_web_viewer()):
        abort(404)
    analysis = latest_analysis(request_session(), cycle_id, str(scope), current_web_viewer())
    running = asked if asked.state == "queued" else pending_analysis(cycle_id, scope)
    return render_template("workspace/_analysis_panel.html", analysis=analysis, asked=asked,
                           running=running, failed=asked.state == "failed",
                           cycle_id=cycle_id, scope=str(scope))
