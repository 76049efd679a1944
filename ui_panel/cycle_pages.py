"""Closing a cycle (admins: scores and labels) and the retrospective of a closed cycle."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.cycle_close import close_cycle
from okr_core.domain import Role
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, utcnow
from okr_core.rules import CycleClosed, is_cycle_writable
from okr_core.tree import load_visible
from okr_core.visibility import visible_objectives_clause
from plumbing.db import request_session
from ui_panel.loading import latest_analysis, list_cycles
from ui_panel.scores import recurring_blockers, score_rows
from sync.analysis.jobs import request_analysis_refresh

bp = Blueprint("cycle_pages", __name__)


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _render(template: str, cycle: Cycle, **context):
    objectives, krs = load_visible(request_session(), cycle.id, current_web_viewer())
    rows = score_rows(objectives, krs, final=not is_cycle_writable(cycle.status))
    return render_template(template, cycle=cycle, rows=rows, cycles=list_cycles(request_session()),
                           section="company", user=current_web_user(), **context)


@bp.get("/cycles/<int:cycle_id>/close")
@login_required(Role.ADMIN)
def close_page(cycle_id: int):
    return _render("dashboard/cycle_close.html", _cycle_or_404(cycle_id))


@bp.post("/cycles/<int:cycle_id>/close")
@login_required(Role.ADMIN)
def close(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    try:
        close_cycle(request_session(), cycle, utcnow())
    except CycleClosed:
        flash(f"{cycle.name} is already {cycle.status}.", "error")
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    request_session().commit()
    request_analysis_refresh(cycle.id)  # the run after close writes the retrospective
    flash(f"{cycle.name} is closed and scored; it is read-only now.", "success")
    return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))


@bp.get("/cycles/<int:cycle_id>/retrospective")
@login_required()
def retrospective(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if is_cycle_writable(cycle.status):
        abort(404)
    return _render("dashboard/retrospective.html", cycle, blockers=_cycle_blockers(cycle),
                   analysis=latest_analysis(request_session(), cycle.id, "company",
                                            current_web_viewer()))


def _cycle_blockers(cycle: Cycle):
    """Recurring blockers in the check-ins of the objectives the viewer may see."""
    rows = request_session().execute(
        select(CheckIn.id, CheckIn.blockers).join(KeyResult, KeyResult.id == CheckIn.key_result_id)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.cycle_id == cycle.id, CheckIn.blockers != "",
               visible_objectives_clause(current_web_viewer()))).all()
    return recurring_blockers([(f"check-in:{row_id}", text) for row_id, text in rows])
