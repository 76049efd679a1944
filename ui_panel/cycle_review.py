"""The mid-cycle review (guide: review every KR, what works and what doesn't, document learnings)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.domain import KRStatus, Role
from okr_core.models import utcnow
from okr_core.rules import expected_progress, is_cycle_writable
from okr_core.tree import load_visible
from plumbing.db import request_session
from ui_panel.cycle_admin import cycle_or_404
from ui_panel.cycle_forms import NotesForm

bp = Blueprint("cycle_review", __name__)


def _review_page(cycle, form: NotesForm, status: int = 200):
    objectives, krs = load_visible(request_session(), cycle.id, current_web_viewer())
    titles = {o.id: o.title for o in objectives}
    working = [k for k in krs if k.status == KRStatus.ON_TRACK]
    struggling = [k for k in krs if k.status != KRStatus.ON_TRACK]
    pace = expected_progress(cycle.start_date, cycle.end_date, utcnow())
    return render_template(
        "workspace/cycle_review.html", cycle=cycle, form=form, working=working,
        struggling=struggling, objective_titles=titles, pace=pace, section="cycles",
        user=current_web_user(), writable=is_cycle_writable(cycle.status)), status


@bp.get("/cycles/<int:cycle_id>/review")
@login_required()
def review(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    return _review_page(cycle, NotesForm(notes=cycle.review_notes))


@bp.post("/cycles/<int:cycle_id>/review")
@login_required(Role.ADMIN)
def save_review(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    if not is_cycle_writable(cycle.status):
        abort(409)
    form = NotesForm()
    if not form.validate():
        return _review_page(cycle, form, 422)
    cycle.review_notes = (form.notes.data or "").strip()
    request_session().commit()
    flash("Mid-cycle review notes saved on the cycle.", "success")
    return redirect(url_for("cycle_review.review", cycle_id=cycle.id))
