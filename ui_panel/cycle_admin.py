"""Cycles in the browser: New OKR Cycle, edit, activate, archive (admins), and the list."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ui_panel.signin import current_web_user, login_required
from okr_core.domain import CycleStatus, Role
from okr_core.models import Cycle
from okr_core.rules import is_cycle_writable
from api.errors import ApiError
from api.cycles import refuse_duplicate_name
from api.schemas import CycleCreate
from plumbing.db import request_session
from ui_panel.cycle_forms import CycleForm
from ui_panel.form_rules import act_as_api_caller, apply_api_error, check_with_model
from ui_panel.loading import list_cycles

bp = Blueprint("cycle_admin", __name__)
admin_only = login_required(Role.ADMIN)


def cycle_or_404(cycle_id: int) -> Cycle:
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


@bp.get("/cycles")
@login_required()
def index():
    return render_template("workspace/cycles.html", cycles=list_cycles(request_session()),
                           cycle=None, section="cycles", user=current_web_user())


def _form_page(form: CycleForm, cycle: Cycle | None):
    status = 422 if request.method == "POST" else 200
    return render_template("workspace/cycle_form.html", form=form, editing=cycle, cycle=None,
                           section="cycles", user=current_web_user()), status


def _checked_fields(form: CycleForm, cycle_id: int | None) -> dict | None:
    """The API's cycle rules applied to the form: body model, then one name per period."""
    if not form.is_submitted():
        return None
    form.validate()
    body = check_with_model(form, CycleCreate, form.api_fields(), whole="end_date")
    if body is None:
        return None
    act_as_api_caller()
    try:
        refuse_duplicate_name(body.name, body.start_date, body.end_date, cycle_id)
    except ApiError as exc:
        apply_api_error(form, exc, whole="name")
        return None
    return {**body.model_dump(exclude={"status"}), "scope": form.scope.data}


@bp.route("/cycles/new", methods=["GET", "POST"])
@admin_only
def new():
    form = CycleForm()
    fields = _checked_fields(form, None)
    if fields is None:
        return _form_page(form, None)
    status = CycleStatus.ACTIVE if form.activate.data else CycleStatus.DRAFT
    cycle = Cycle(**fields, status=status)
    request_session().add(cycle)
    request_session().commit()
    flash(f"{cycle.name} is created ({cycle.status}). Next: Add Objective.", "success")
    return redirect(url_for("dashboard.index", cycle=cycle.id))


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    if not is_cycle_writable(cycle.status):
        abort(409)
    form = CycleForm(obj=cycle) if request.method == "GET" else CycleForm()
    fields = _checked_fields(form, cycle.id)
    if fields is None:
        return _form_page(form, cycle)
    for name, value in fields.items():
        setattr(cycle, name, value)
    request_session().commit()
    flash(f"{cycle.name} is saved.", "success")
    return redirect(url_for("cycle_admin.index"))


@bp.post("/cycles/<int:cycle_id>/activate")
@admin_only
def activate(cycle_id: int):
    return _move(cycle_or_404(cycle_id), CycleStatus.DRAFT, CycleStatus.ACTIVE,
                 "{name} is active: teams check in on it now.")


@bp.post("/cycles/<int:cycle_id>/archive")
@admin_only
def archive(cycle_id: int):
    # Archiving skips scoring, so only a closed (scored) cycle may be archived, as in the API.
    return _move(cycle_or_404(cycle_id), CycleStatus.CLOSED, CycleStatus.ARCHIVED,
                 "{name} is archived. Its scores and retrospective stay readable.")


def _move(cycle: Cycle, required: CycleStatus, to: CycleStatus, done: str):
    if cycle.status != required:
        flash(f"{cycle.name} is {cycle.status}; only a {required} cycle can become {to}.", "error")
    else:
        cycle.status = to
        request_session().commit()
        flash(done.format(name=cycle.name), "success")
    return redirect(url_for("cycle_admin.index"))
