"""One key result: its trend, its check-ins and the weekly check-in form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.checkins import EmptyCheckIn, ValueFromLinkedWork, record_check_in
from okr_core.domain import Measure
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, ProgressSnapshot, User, utcnow
from okr_core.rules import is_cycle_writable
from okr_core.visibility import can_check_in, can_see
from plumbing.db import request_session
from ui_panel.checkin_form import CheckInForm
from ui_panel.kr_pages import may_edit_kr
from ui_panel.link_context import work_context
from sync.followups import followups_for

bp = Blueprint("checkins", __name__)
RECENT_CHECK_INS = 10


def visible_key_result(kr_id: int) -> tuple[KeyResult, Objective]:
    """The KR and its objective, or 404 when missing or hidden from the viewer."""
    session = request_session()
    kr = session.get(KeyResult, kr_id)
    objective = session.get(Objective, kr.objective_id) if kr is not None else None
    if objective is None or not can_see(current_web_viewer(), objective):
        abort(404)
    return kr, objective


def render_key_result_page(kr_id: int, link_form=None, status: int = 200):
    """The KR page with a fresh check-in form (and the link form as typed, when it failed)."""
    kr, objective = visible_key_result(kr_id)
    return _page(kr, objective, CheckInForm(formdata=None), status, link_form)


def _page(kr: KeyResult, objective: Objective, form: CheckInForm, status: int = 200,
          link_form=None):
    session = request_session()
    cycle = session.get(Cycle, objective.cycle_id)
    series = session.execute(
        select(ProgressSnapshot.at, ProgressSnapshot.progress)
        .where(ProgressSnapshot.key_result_id == kr.id)
        .order_by(ProgressSnapshot.at, ProgressSnapshot.id)).all()
    recent = session.execute(
        select(CheckIn, User.name).outerjoin(User, User.id == CheckIn.author_id)
        .where(CheckIn.key_result_id == kr.id)
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(RECENT_CHECK_INS)).all()
    owner = session.get(User, kr.owner_id) if kr.owner_id else None
    may_check_in = is_cycle_writable(cycle.status) and can_check_in(
        current_web_viewer(), objective, kr.owner_id)
    return render_template(
        "dashboard/key_result.html", kr=kr, objective=objective, cycle=cycle, form=form,
        series=[tuple(row) for row in series], recent=recent, owner=owner,
        may_check_in=may_check_in, manual=kr.measure == Measure.MANUAL,
        may_edit=may_edit_kr(kr, objective),
        section="company", cycles=[], user=current_web_user(),
        **work_context(kr, link_form)), status


@bp.get("/key-results/<int:kr_id>")
@login_required()
def key_result(kr_id: int):
    kr, objective = visible_key_result(kr_id)
    return _page(kr, objective, CheckInForm())


@bp.post("/key-results/<int:kr_id>/check-ins")
@login_required()
def check_in(kr_id: int):
    kr, objective = visible_key_result(kr_id)
    session = request_session()
    if not can_check_in(current_web_viewer(), objective, kr.owner_id):
        abort(403)
    if not is_cycle_writable(session.get(Cycle, objective.cycle_id).status):
        abort(409)
    form = CheckInForm()
    if not form.validate():
        return _page(kr, objective, form, 422)
    try:
        record_check_in(session, kr, objective, current_web_user().id, form.fields_for_core(),
                        utcnow())
    except ValueFromLinkedWork:
        form.value.errors = ["This key result's value comes from its linked work; leave it empty."]
        session.rollback()
        return _page(kr, objective, form, 422)
    except EmptyCheckIn:
        form.form_errors.append("This check-in is empty: give a value, a status, your confidence, "
                                "a note, blockers or wins.")
        session.rollback()
        return _page(kr, objective, form, 422)
    followups = followups_for(session, {kr.id})
    session.commit()
    followups.queue()  # write the KR's standing back to the tracker; refresh the analysis
    flash("Check-in saved.", "success")
    return redirect(url_for("checkins.key_result", kr_id=kr.id))
