"""Closing a cycle: owners enter final values while it closes, admins review, preview and
close (scores and labels); the retrospective of a closed cycle."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.cycle_close import close_cycle, is_closing, start_closing
from okr_core.domain import CycleStatus, Role
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, utcnow
from okr_core.rules import CycleClosed, is_cycle_writable
from okr_core.tree import load_visible
from okr_core.visibility import visible_objectives_clause
from plumbing.db import request_session
from ui_panel.loading import latest_analysis, list_cycles
from ui_panel.cycle_forms import NotesForm
from ui_panel.close_rows import entered_count, load_close_page
from ui_panel.final_values import (
    FinalValues, field_name, named_key_results, note_name, read_final_values, record_final_values,
)
from ui_panel.scores import recurring_blockers, score_rows
from sync.analysis.jobs import request_analysis_refresh

bp = Blueprint("cycle_pages", __name__)


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _render(template: str, cycle: Cycle, status: int = 200, **context):
    objectives, krs = load_visible(request_session(), cycle.id, current_web_viewer())
    rows = score_rows(objectives, krs, final=not is_cycle_writable(cycle.status))
    return render_template(template, cycle=cycle, rows=rows, cycles=list_cycles(request_session()),
                           section="cycles", user=current_web_user(), **context), status


def _is_admin() -> bool:
    return current_web_user().role == Role.ADMIN


def _showing_mine() -> bool:
    """Owners always see their own KRs; admins choose "my key results" or every KR."""
    return not _is_admin() or request.values.get("show") == "mine"


def _close_page(cycle: Cycle, sent: FinalValues | None = None, status: int = 200, **context):
    view = load_close_page(request_session(), cycle, current_web_viewer(), mine=_showing_mine(),
                           page=request.values.get("page", 1, type=int) or 1,
                           final_values=sent.values if sent else None)
    entered = entered_count(request_session(), cycle) if is_closing(cycle) else None
    return render_template(
        "dashboard/cycle_close.html", cycle=cycle, view=view, rows=view.rows,
        cycles=list_cycles(request_session()), section="cycles" if _is_admin() else "mine",
        user=current_web_user(), closing=is_closing(cycle), entered=entered, final_field=field_name, note_field=note_name,
        final_errors=sent.errors if sent else {}, typed=sent.typed if sent else {},
        **context), status


def _owner_may_enter(cycle: Cycle) -> None:
    """Admins always; others only while the cycle is closing (403 otherwise)."""
    if not _is_admin() and not is_closing(cycle):
        abort(403)


@bp.get("/cycles/<int:cycle_id>/close")
@login_required()
def close_page(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    _owner_may_enter(cycle)
    return _close_page(cycle)


@bp.post("/cycles/<int:cycle_id>/start-close")
@login_required(Role.ADMIN)
def start_close(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    try:
        start_closing(cycle, utcnow())
    except CycleClosed:
        flash(f"{cycle.name} is already {cycle.status}.", "error")
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    request_session().commit()
    flash(f"{cycle.name} is closing: each key result's owner can now enter its final value "
          "(on My OKRs). Review them here, then close.", "success")
    return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))


def _sent_values(cycle: Cycle):
    """This page's KRs and what was typed for them; 403 when an owner names another's KR."""
    view = load_close_page(request_session(), cycle, current_web_viewer(), mine=_showing_mine(),
                           page=request.form.get("page", 1, type=int) or 1)
    if not _is_admin() and named_key_results() - {kr.id for kr in view.key_results}:
        abort(403)  # owners enter only their own key results' final values
    return view, read_final_values(view.key_results)


@bp.post("/cycles/<int:cycle_id>/final-values")
@login_required()
def save_final_values(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if not is_cycle_writable(cycle.status):
        flash(f"{cycle.name} is already {cycle.status}: its final values are recorded.", "error")
        if not _is_admin():
            return redirect(url_for("dashboard.mine", cycle=cycle.id))
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    _owner_may_enter(cycle)
    view, sent = _sent_values(cycle)
    if sent.errors or request.form.get("action") == "preview":
        return _close_page(cycle, sent, 422 if sent.errors else 200, previewed=not sent.errors)
    count = record_final_values(request_session(), view.key_results, view.objectives, sent,
                                current_web_user().id)
    request_session().commit()
    flash(f"Final values saved for {count} key result{'s' if count != 1 else ''}."
          if count else "Nothing changed: no new final value to save.", "success")
    if request.form.get("back") == "mine":
        return redirect(url_for("dashboard.mine", cycle=cycle.id))
    return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id, page=view.page,
                            show="mine" if view.mine else None))


@bp.post("/cycles/<int:cycle_id>/close")
@login_required(Role.ADMIN)
def close(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    if not is_cycle_writable(cycle.status):
        flash(f"{cycle.name} is already {cycle.status}.", "error")
        return redirect(url_for("cycle_pages.close_page", cycle_id=cycle.id))
    view, sent = _sent_values(cycle)
    if sent.errors or request.form.get("action") == "preview":
        return _close_page(cycle, sent, 422 if sent.errors else 200, previewed=not sent.errors)
    record_final_values(request_session(), view.key_results, view.objectives, sent,
                        current_web_user().id)
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
