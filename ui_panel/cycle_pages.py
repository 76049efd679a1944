"""Closing a cycle (admins: scores and labels) and the retrospective of a closed cycle."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.cycle_close import close_cycle
from okr_core.domain import CycleStatus, Role
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, utcnow
from okr_core.rules import CycleClosed, is_cycle_writable
from okr_core.tree import load_visible
from okr_core.visibility import visible_objectives_clause
from plumbing.db import request_session
from ui_panel.loading import latest_analysis, list_cycles
from ui_panel.cycle_forms import NotesForm
from ui_panel.final_values import field_name, read_final_values, record_final_values
from ui_panel.scores import recurring_blockers, score_rows
from sync.analysis.jobs import request_analysis_refresh

bp = Blueprint("cycle_pages", __name__)


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _render(template: str, cycle: Cycle, final_values=None, status: int = 200, **context):
    objectives, krs = load_visible(request_session(), cycle.id, current_web_viewer())
    rows = score_rows(objectives, krs, final=not is_cycle_writable(cycle.status),
                      final_values=final_values)
    return render_template(template, cycle=cycle, rows=rows, cycles=list_cycles(request_session()),
                           section="cycles", user=current_web_user(), final_field=field_name,
                           **context), status


@bp.get("/cycles/<int:cycle_id>/close")
@login_required(Role.ADMIN)
def close_page(cycle_id: int):
    return _render("dashboard/cycle_close.html", _cycle_or_404(cycle_id))


@bp.post("/cycles/<int:cycle_id>/close")
@login_required(Role.ADMIN)
def close(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if not is_cycle_writable(cycle.status):
        flash(f"{cycle.name} is already {cycle.status}.", "error")
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    objectives, krs = load_visible(request_session(), cycle.id, current_web_viewer())
    values, errors, typed = read_final_values(krs)
    if errors or request.form.get("action") == "preview":
        return _render("dashboard/cycle_close.html", cycle, final_values=values,
                       status=422 if errors else 200, final_errors=errors, typed=typed,
                       previewed=not errors)
    record_final_values(request_session(), krs, objectives, values, current_web_user().id)
    try:
        close_cycle(request_session(), cycle, utcnow())
    except CycleClosed:
        flash(f"{cycle.name} is already {cycle.status}.", "error")
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    request_session().commit()
    request_analysis_refresh(cycle.id)  # the run after close writes the retrospective
    flash(f"{cycle.name} is closed and scored; it is read-only now.", "success")
    return redirect(url_for("cycle_pages.retrospective", cycle_id=cycle.id))


@bp.get("/cycles/<int:cycle_id>/retrospective")
@login_required()
def retrospective(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if is_cycle_writable(cycle.status):
        abort(404)
    return _retrospective_page(cycle, NotesForm(notes=cycle.retrospective_notes))


def _retrospective_page(cycle: Cycle, form: NotesForm, status: int = 200):
    return _render("dashboard/retrospective.html", cycle, status=status, form=form,
                   blockers=recurring_blockers(_check_in_texts(cycle, CheckIn.blockers)),
                   wins=_distinct(text for _id, text in _check_in_texts(cycle, CheckIn.wins)),
                   analysis=latest_analysis(request_session(), cycle.id, "company",
                                            current_web_viewer()))


@bp.post("/cycles/<int:cycle_id>/retrospective")
@login_required(Role.ADMIN)
def save_retrospective(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.CLOSED:
        abort(409)  # written after scoring; archived cycles never change
    form = NotesForm()
    if not form.validate():
        return _retrospective_page(cycle, form, 422)
    cycle.retrospective_notes = (form.notes.data or "").strip()
    request_session().commit()
    flash("Retrospective notes saved.", "success")
    return redirect(url_for("cycle_pages.retrospective", cycle_id=cycle.id))


def _check_in_texts(cycle: Cycle, column) -> list[tuple[str, str]]:
    """(source id, text) of one check-in field, newest first, on objectives the viewer sees."""
    rows = request_session().execute(
        select(CheckIn.id, column).join(KeyResult, KeyResult.id == CheckIn.key_result_id)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.cycle_id == cycle.id, column != "",
               visible_objectives_clause(current_web_viewer()))
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())).all()
    return [(f"check-in:{row_id}", text) for row_id, text in rows]


def _distinct(texts, limit: int = 8) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        seen.setdefault(text.strip(), None)
    return list(seen)[:limit]
