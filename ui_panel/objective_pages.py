"""Objectives in the browser: Add Objective, edit, approve, delete, and the objective page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.domain import Level, Role
from okr_core.models import Cycle, Objective
from okr_core.rules import is_cycle_writable
from okr_core.visibility import can_edit, can_see
from api.objectives import add_objective, change_objective, remove_objective
from api.schemas import ObjectiveCreate, ObjectivePatch
from plumbing.db import request_session
from ui_panel.form_rules import act_as_api_caller, checked_form, saved
from ui_panel.objective_forms import ObjectiveForm
from ui_panel.objective_view import objective_page_context
from ui_panel.objective_warnings import objective_count_warnings

bp = Blueprint("objective_pages", __name__)


def visible_objective_or_404(objective_id: int) -> Objective:
    objective = request_session().get(Objective, objective_id)
    if objective is None or not can_see(current_web_viewer(), objective):
        abort(404)
    return objective


def editable_objective_or_403(objective_id: int) -> Objective:
    objective = visible_objective_or_404(objective_id)
    if not can_edit(current_web_viewer(), objective):
        abort(403)
    if not is_cycle_writable(request_session().get(Cycle, objective.cycle_id).status):
        abort(409)
    return objective


def _form_page(form, cycle: Cycle, editing: Objective | None):
    status = 422 if request.method == "POST" else 200
    return render_template("workspace/objective_form.html", form=form, cycle=cycle,
                           editing=editing, section="company", user=current_web_user()), status


def _awaiting_approval(body: ObjectiveCreate) -> ObjectiveCreate:
    """Guide step 4: a member's individual OKR waits, unpublished, for a manager's approval.

    It belongs to the member's team (when none is picked), so that team's leads see it.
    """
    user = current_web_user()
    if body.level != Level.INDIVIDUAL or user.role != Role.MEMBER:
        return body
    return body.model_copy(update={"published": False, "team_id": body.team_id or user.team_id})


@bp.route("/cycles/<int:cycle_id>/objectives/new", methods=["GET", "POST"])
@login_required()
def new(cycle_id: int):
    cycle = request_session().get(Cycle, cycle_id)
    if cycle is None:
        abort(404)
    if not is_cycle_writable(cycle.status):
        abort(409)
    form = ObjectiveForm(parent_id=request.args.get("parent", ""))
    form.offer(request_session(), cycle.id, current_web_viewer())
    if not form.is_submitted():
        return _form_page(form, cycle, None)
    body = checked_form(form, ObjectiveCreate, {"cycle_id": cycle.id})
    added = []
    if body is None or not saved(form, lambda: added.append(add_objective(
            _awaiting_approval(body)))):
        return _form_page(form, cycle, None)
    objective = added[0]
    waiting = " It waits for your manager's approval." if not objective.published else ""
    flash(f"Objective added. Next: Add Key Result.{waiting}", "success")
    return redirect(url_for("objective_pages.show", objective_id=objective.id))


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@login_required()
def edit(objective_id: int):
    objective = editable_objective_or_403(objective_id)
    cycle = request_session().get(Cycle, objective.cycle_id)
    form = ObjectiveForm(obj=objective) if request.method == "GET" else ObjectiveForm()
    if request.method == "GET":
        for name in ("team_id", "owner_id", "parent_id"):
            form[name].data = str(getattr(objective, name) or "")
    form.offer(request_session(), cycle.id, current_web_viewer(), editing=objective)
    if not form.is_submitted():
        return _form_page(form, cycle, objective)
    body = checked_form(form, ObjectivePatch, {})
    if body is None or not saved(form, lambda: change_objective(objective, body.model_dump())):
        return _form_page(form, cycle, request_session().get(Objective, objective_id))
    flash("Objective saved.", "success")
    return redirect(url_for("objective_pages.show", objective_id=objective.id))


@bp.get("/objectives/<int:objective_id>")
@login_required()
def show(objective_id: int):
    objective = visible_objective_or_404(objective_id)
    return render_template("workspace/objective.html", section="company", user=current_web_user(),
                           **objective_page_context(request_session(), objective,
                                                    current_web_viewer()))


@bp.route("/objectives/<int:objective_id>/delete", methods=["GET", "POST"])
@login_required()
def delete(objective_id: int):
    objective = editable_objective_or_403(objective_id)
    if request.method == "GET":
        return render_template("workspace/objective_delete.html", objective=objective,
                               section="company", user=current_web_user())
    cycle_id = objective.cycle_id
    act_as_api_caller()
    remove_objective(objective)
    flash(f"Objective “{objective.title}” and its key results are deleted.", "success")
    return redirect(url_for("dashboard.index", cycle=cycle_id))


@bp.post("/objectives/<int:objective_id>/approve")
@login_required()
def approve(objective_id: int):
    objective = editable_objective_or_403(objective_id)
    viewer = current_web_viewer()
    if not (viewer.is_admin or (viewer.role == Role.LEAD and objective.team_id in viewer.leads)):
        abort(403)
    act_as_api_caller()
    change_objective(objective, {"published": True})
    flash("Approved and published.", "success")
    return redirect(url_for("objective_pages.show", objective_id=objective.id))


@bp.get("/cycles/<int:cycle_id>/objectives/parent-options")
@login_required()
def parent_options(cycle_id: int):
    """The parent choices for the level picked (htmx swaps them into the form as it changes)."""
    form = ObjectiveForm(formdata=request.args, meta={"csrf": False})
    editing = request_session().get(Objective, request.args.get("editing", type=int) or 0)
    form.offer(request_session(), cycle_id, current_web_viewer(), editing=editing)
    return render_template("workspace/_parent_options.html", field=form.parent_id)


@bp.post("/cycles/<int:cycle_id>/objectives/warnings")
@login_required()
def warnings(cycle_id: int):
    """The guide's 3-5 objectives per level, for the team and level picked (htmx, as you type)."""
    form = ObjectiveForm()
    editing = request.args.get("editing", type=int)
    return render_template("workspace/_kr_warnings.html", warnings=objective_count_warnings(
        request_session(), cycle_id, form.picked_level(), form.team_id.data, editing))
